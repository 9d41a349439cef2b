"""The preparation sheet the student writes before the meeting (C1.1 of the CCF).

In the exam the negotiation is preceded by a written preparation: SMART objectives (optimal, realistic,
fallback, breaking point), the discovery plan (questions by topic of the shared vocabulary), CAP-SONCAS
arguments per expected need, anticipated objections with their planned answer, the concession plan with
counterparts and the documents to bring. This module is its schema: plain typed data read from the JSON
the web form and the API send, every refusal explained in French. The labels, the SONCAS motives and the
size limits are data (``data/assessment/preparation_sheet.yml``); the topics are ``data/language/topics.yml``.
Scoring it is :mod:`bot.assessment.rules.sheet`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Tuple

import yaml

from bot.language.text import normalize
from bot.language.topics import vocabulary

SHEET_FILE = Path(__file__).resolve().parents[2] / "data" / "assessment" / "preparation_sheet.yml"
OBJECTIVE_KEYS = ("optimal", "realistic", "fallback", "breaking_point")


@dataclass(frozen=True)
class SheetVocabulary:
    """What the form shows and accepts: section and objective labels, SONCAS motives, size limits."""

    sections: Dict[str, str]
    objectives: Dict[str, str]
    motives: Dict[str, str]
    text_chars: int
    items: int

    @property
    def topics(self) -> Dict[str, str]:
        """The discovery plan's topics (name → French label), the vocabulary the whole bot shares."""
        return {name: topic.label for name, topic in vocabulary().items()}


@lru_cache(maxsize=1)
def sheet_vocabulary() -> SheetVocabulary:
    data = yaml.safe_load(SHEET_FILE.read_text(encoding="utf-8"))
    return SheetVocabulary(
        sections=dict(data["sections"]),
        objectives=dict(data["objectives"]),
        motives=dict(data["motives"]),
        text_chars=int(data["limits"]["text_chars"]),
        items=int(data["limits"]["items"]),
    )


@dataclass(frozen=True)
class Objectives:
    optimal: str = ""
    realistic: str = ""
    fallback: str = ""
    breaking_point: str = ""

    def items(self) -> List[Tuple[str, str]]:
        return [(key, getattr(self, key)) for key in OBJECTIVE_KEYS]


@dataclass(frozen=True)
class PlannedQuestion:
    topic: str
    question: str


@dataclass(frozen=True)
class Argument:
    """One CAP argument (caractéristique, avantage, preuve) for an expected need and its SONCAS motive."""

    need: str
    motive: str = ""
    characteristic: str = ""
    advantage: str = ""
    proof: str = ""


@dataclass(frozen=True)
class AnticipatedObjection:
    objection: str
    answer: str = ""


@dataclass(frozen=True)
class PlannedConcession:
    concession: str
    counterpart: str = ""


@dataclass(frozen=True)
class PreparationSheet:
    objectives: Objectives = Objectives()
    questions: Tuple[PlannedQuestion, ...] = ()
    arguments: Tuple[Argument, ...] = ()
    objections: Tuple[AnticipatedObjection, ...] = ()
    concessions: Tuple[PlannedConcession, ...] = ()
    documents: Tuple[str, ...] = ()

    def to_json(self) -> Dict[str, Any]:
        """The JSON form (lists, not tuples), as stored and as the API sends it."""
        return json.loads(json.dumps(asdict(self)))

    @property
    def planned_topics(self) -> List[str]:
        """The topics of the discovery plan, in the order first planned."""
        return list(dict.fromkeys(q.topic for q in self.questions))

    @property
    def is_empty(self) -> bool:
        return not (
            any(text for _, text in self.objectives.items())
            or self.questions
            or self.arguments
            or self.objections
            or self.concessions
            or self.documents
        )


class SheetError(ValueError):
    """The sheet sent cannot be read; ``errors`` are French sentences for the student."""

    def __init__(self, errors: List[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass
class _Reader:
    """Reads one JSON payload, collecting every French error instead of stopping at the first."""

    vocab: SheetVocabulary
    errors: List[str] = field(default_factory=list)

    def text(self, value: Any, where: str) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            self.errors.append(f"{where} : un texte est attendu.")
            return ""
        value = value.replace("\x00", "").strip()
        if len(value) > self.vocab.text_chars:
            self.errors.append(f"{where} : {self.vocab.text_chars} caractères au plus.")
            return value[: self.vocab.text_chars]
        return value

    def rows(self, payload: Dict[str, Any], section: str) -> List[Dict[str, Any]]:
        label = self.vocab.sections[section]
        value = payload.get(section) or []
        if not isinstance(value, list):
            self.errors.append(f"{label} : une liste est attendue.")
            return []
        if len(value) > self.vocab.items:
            self.errors.append(f"{label} : {self.vocab.items} lignes au plus.")
            value = value[: self.vocab.items]
        rows = []
        for i, row in enumerate(value, 1):
            if isinstance(row, str) and section == "documents":
                row = {"document": row}
            if not isinstance(row, dict):
                self.errors.append(f"{label}, ligne {i} : format invalide.")
                continue
            rows.append({**row, "_where": f"{label}, ligne {i}"})
        return rows


def parse_sheet(payload: Any) -> PreparationSheet:
    """Read a sheet from its JSON form (the API and the web form); raise :class:`SheetError` in French.

    Empty lines are dropped, so a half-filled draft is accepted as it is.
    """
    vocab = sheet_vocabulary()
    if not isinstance(payload, dict):
        raise SheetError(["La fiche de préparation doit être un objet JSON."])
    r = _Reader(vocab)
    raw_objectives = payload.get("objectives") or {}
    if not isinstance(raw_objectives, dict):
        r.errors.append(f"{vocab.sections['objectives']} : un objet est attendu.")
        raw_objectives = {}
    objectives = Objectives(**{k: r.text(raw_objectives.get(k), vocab.objectives[k]) for k in OBJECTIVE_KEYS})
    topics = vocab.topics
    questions = []
    for row in r.rows(payload, "questions"):
        question = r.text(row.get("question"), row["_where"])
        topic = r.text(row.get("topic"), row["_where"])
        if not question:
            continue
        if topic not in topics:
            r.errors.append(f"{row['_where']} : thème inconnu « {topic} » (choisir dans la liste).")
            continue
        questions.append(PlannedQuestion(topic, question))
    arguments = []
    for row in r.rows(payload, "arguments"):
        fields = {k: r.text(row.get(k), row["_where"]) for k in ("need", "characteristic", "advantage", "proof")}
        motive = normalize(r.text(row.get("motive"), row["_where"]))
        if motive and motive not in vocab.motives:
            r.errors.append(f"{row['_where']} : mobile SONCAS inconnu « {motive} ».")
            motive = ""
        if any(fields.values()):
            arguments.append(Argument(motive=motive, **fields))
    objections = [
        AnticipatedObjection(r.text(row.get("objection"), row["_where"]), r.text(row.get("answer"), row["_where"]))
        for row in r.rows(payload, "objections")
    ]
    concessions = [
        PlannedConcession(r.text(row.get("concession"), row["_where"]), r.text(row.get("counterpart"), row["_where"]))
        for row in r.rows(payload, "concessions")
    ]
    documents = [r.text(row.get("document"), row["_where"]) for row in r.rows(payload, "documents")]
    if r.errors:
        raise SheetError(r.errors)
    return PreparationSheet(
        objectives=objectives,
        questions=tuple(questions),
        arguments=tuple(arguments),
        objections=tuple(o for o in objections if o.objection),
        concessions=tuple(c for c in concessions if c.concession),
        documents=tuple(d for d in documents if d),
    )


def missing_for_submission(sheet: PreparationSheet) -> List[str]:
    """What a sheet must contain before it is submitted (French); a draft may lack all of it."""
    vocab = sheet_vocabulary()
    missing = [vocab.objectives[k] for k, text in sheet.objectives.items() if not text]
    if not sheet.questions:
        missing.append(vocab.sections["questions"])
    return [f"{label} : à remplir avant de valider la fiche." for label in missing]
