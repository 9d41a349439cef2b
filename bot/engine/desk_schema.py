"""The schema of a desk task (C3): after a meeting, the student writes the visit report or the specification.

Why its own model rather than a :class:`bot.engine.scenario_schema.Scenario`: a desk task has no client to
negotiate with (no objections, catalogue, terms of sale, budget limits, change of parameters, buying
signals), and filling those required fields with fake values would lie to every reader. It shares the
scenario's vocabulary where the notion is the same (``id``, ``title``, ``kind``, ``competences``, the
catalogue filters ``sector``/``situation``/``duration``, ``personas``, ``na_criteria``, the ``levels``
names, a ``model_transcript`` the teacher may release) and the library loads both from
``data/scenarios/``, so the same start command, storage, debrief and grade path serve it.

One model with a ``kind`` rather than one model per task: a visit report (« compte rendu de visite /
fiche CRM ») and a specification (« cahier des charges ») are checked the same way (facts restituted,
figures exact, commitments and next steps dated, structure); the specification only asks more of the
facts' ``category`` (functional needs, constraints, volumes, budget, deadlines, selection criteria),
which criterion C3.1-c reads. The checker is :mod:`bot.engine.report`, the manager who asked for the
report is :mod:`bot.engine.desk`.
"""

from __future__ import annotations

import re
from typing import Dict, List, Literal

from pydantic import Field, PrivateAttr, root_validator, validator

from bot.engine.play_schema import LevelName
from bot.engine.scenario_schema import Lines, ModelLine, Persona, _as_lines, _Model
from bot.language.topics import vocabulary

#: the kinds of desk task; ``make scenarios`` and the library tell them from a negotiation by this field
DESK_KINDS = ("visit_report", "specification")
DeskKind = Literal["visit_report", "specification"]
#: what a fact of a specification is about (C3.1-c counts the categories covered)
CATEGORIES = ("contexte", "besoin", "contrainte", "volume", "budget", "delai", "critere", "decision", "objection")
#: the manager's (and the coach's) lines of a desk task; defaults in ``desk_lines`` of ``_defaults.yml``,
#: a task may override any in ``lines:``. Placeholders: {name} (the manager), {missing} (an element's label)
DESK_LINE_KEYS = (
    "welcome",  # coach: how the task is played (write, then hand in)
    "checklist",  # coach (découverte): heading of the list of expected sections
    "time_budget",  # coach (examen): the message budget; {count}
    "received",  # manager: a part of the report received
    "question",  # manager: the student asks her something instead of writing
    "nothing_written",  # manager: hand-in before anything was written
    "follow_up",  # manager: asks once for a missing essential element; {missing}
    "follow_up_date",  # manager: asks once for the date of a next step; {missing}
    "follow_up_figure",  # manager: asks once to check a figure; {missing}
    "accepted",  # manager: the report is complete and exact
    "accepted_with_gaps",  # manager: takes the report, with gaps
    "time_up",  # manager (examen): the message budget is spent, she takes the report as it is
    "hint",  # coach: what is still missing (training only); {missing}
    "hint_none",  # coach: nothing essential missing, hand in
    "ended",  # coach: the report was handed in
)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def is_desk(situation: object) -> bool:
    """A desk task (not a negotiation scenario): what the actions, the recorder and the pages branch on."""
    return getattr(situation, "kind", None) in DESK_KINDS


class RecordLine(_Model):
    """One line of the meeting record: who spoke (a name as the student read it) and what was said."""

    speaker: str
    text: str = Field(min_length=1)


class Meeting(_Model):
    """The meeting the student attended: what the student reads before writing."""

    title: str
    date: str
    place: str = ""
    participants: List[str] = Field(min_items=1)
    context: str
    #: transcript: what was said, line by line; notes: the notes the student took
    record_kind: Literal["transcript", "notes"] = "transcript"
    record: List[RecordLine] = Field(min_items=3)


class Expected(_Model):
    """Something the report must restitute: a fact, a commitment or a next step.

    ``keywords`` (accent-free stems, as in a scenario's facts) and ``label`` let the fact matcher of
    :mod:`bot.language.matching` find it in a sentence of the report; ``topic`` (optional) is a name of
    the shared vocabulary (``data/language/topics.yml``).
    """

    id: str
    label: str
    keywords: List[str] = Field(min_items=2)
    topic: str | None = None
    #: essential: the manager asks for it when it is missing, C3.1-a weighs it first
    essential: bool = False
    category: str = "contexte"
    #: what was said about it in the meeting (the matcher compares the report with these words too)
    said: str = ""

    @validator("topic")
    def _known_topic(cls, value: str | None) -> str | None:
        if value is not None and value not in vocabulary():
            raise ValueError(f"thème inconnu « {value} » ; thèmes possibles : {', '.join(vocabulary())}")
        return value

    @validator("category")
    def _known_category(cls, value: str) -> str:
        if value not in CATEGORIES:
            raise ValueError(f"catégorie inconnue « {value} » ; catégories : {', '.join(CATEGORIES)}")
        return value


class Figure(_Model):
    """A figure the report must give exactly: an amount (€ HT), a percentage, a count or a date.

    ``keywords`` tie the figure to its sentence: a sentence with one of them and a figure of the same
    kind is read as giving this figure; another value there is a wrong figure.
    """

    id: str
    label: str
    kind: Literal["montant", "pourcentage", "nombre", "date"]
    #: the value (a number; a date is written AAAA-MM-JJ)
    value: float | str
    keywords: List[str] = Field(min_items=1)
    essential: bool = False
    #: relative tolerance (0.0: exact; 0.01: 1 % rounding accepted)
    tolerance: float = Field(default=0.0, ge=0, le=0.2)

    @root_validator(skip_on_failure=True)
    def _value_fits_kind(cls, values: dict) -> dict:
        value, kind = values["value"], values["kind"]
        if kind == "date":
            if not isinstance(value, str) or not _ISO_DATE.match(value):
                raise ValueError(f"chiffre « {values['id']} » : une date s'écrit AAAA-MM-JJ")
        else:
            try:
                values["value"] = float(value)
            except (TypeError, ValueError):
                raise ValueError(f"chiffre « {values['id']} » : un nombre est attendu") from None
        return values


class Step(Expected):
    """A commitment or a next step: who does what, by when (``date`` AAAA-MM-JJ, or none)."""

    who: Literal["vendeur", "client", "les deux"] = "vendeur"
    date: str | None = None

    @validator("date")
    def _iso(cls, value: str | None) -> str | None:
        if value is not None and not _ISO_DATE.match(value):
            raise ValueError("une date s'écrit AAAA-MM-JJ")
        return value


class Section(_Model):
    """A part the report is expected to have (« Objet de la visite », « Prochaines étapes »)."""

    id: str
    label: str
    #: words of its heading or its content (accent-free stems)
    keywords: List[str] = Field(min_items=1)


class DeskLevel(_Model):
    """What a level changes in a desk task (defaults: ``desk_levels`` of ``_defaults.yml``)."""

    label: str = ""
    description: str = ""
    #: show the list of the expected sections with the brief (découverte)
    checklist: bool = False
    #: the manager may ask once for a missing essential element before the debrief
    follow_up: bool = True
    #: at most this many messages before the manager takes the report as it is (examen); None: no limit
    max_messages: int | None = Field(default=None, gt=0)


class DeskTask(_Model):
    id: str
    title: str
    kind: DeskKind
    competences: List[str] = Field(min_items=1)
    sector: str = ""
    situation: str = ""
    duration: int | None = Field(default=None, gt=0)
    date: str
    vendor: str
    client: str
    #: who the student is (« Vous êtes technico-commercial·e chez … »)
    learner: str
    #: the manager who asked for the report (main: true) and the people of the meeting
    personas: List[Persona] = Field(min_items=1)
    #: what the manager asks for, in her words (shown at the start)
    brief: Lines = Field(min_items=1)
    meeting: Meeting
    sections: List[Section] = Field(min_items=3)
    facts: List[Expected] = Field(min_items=3)
    figures: List[Figure] = Field(default_factory=list)
    commitments: List[Step] = Field(default_factory=list)
    next_steps: List[Step] = Field(min_items=1)
    #: the manager's lines (defaults: ``desk_lines`` of ``_defaults.yml``)
    lines: Dict[str, Lines] = Field(default_factory=dict)
    na_criteria: List[str] = Field(default_factory=list)
    levels: Dict[LevelName, DeskLevel] = Field(default_factory=dict)
    #: the model report (« corrigé ») the teacher may release, paragraph by paragraph (speaker: vendeur)
    model_transcript: List[ModelLine] = Field(default_factory=list)
    _source: dict = PrivateAttr(default_factory=dict)

    _brief = validator("brief", pre=True, allow_reuse=True)(_as_lines)

    @root_validator(skip_on_failure=True)
    def _cross_references(cls, values: dict) -> dict:
        if not any(p.main for p in values["personas"]):
            raise ValueError("personas : la personne qui demande le compte rendu doit avoir « main: true »")
        ids = [e.id for key in ("facts", "figures", "commitments", "next_steps") for e in values[key]]
        for dup in sorted({i for i in ids if ids.count(i) > 1}):
            raise ValueError(f"identifiant en double « {dup} » (faits, chiffres, engagements et étapes)")
        if values["kind"] == "specification":
            present = {f.category for f in values["facts"]}
            missing = [c for c in ("besoin", "contrainte", "budget", "delai", "critere") if c not in present]
            if missing:
                raise ValueError(f"cahier des charges : aucune information de catégorie {', '.join(missing)}")
        return values

    # the scenario's vocabulary, so that lists, pages and the recorder read a desk task like a scenario
    @property
    def main_persona(self) -> Persona:
        return next(p for p in self.personas if p.main)

    def persona(self, persona_id: str | None) -> Persona:
        return next((p for p in self.personas if p.id == persona_id), self.main_persona)

    @property
    def expected(self) -> List[Expected]:
        """Every element the report must restitute (facts, commitments, next steps)."""
        return [*self.facts, *self.commitments, *self.next_steps]
