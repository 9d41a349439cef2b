"""Scenario files: schema, loading and validation with errors a teacher can read.

A scenario is one YAML file in ``data/scenarios/`` (files starting with ``_`` are
shared defaults). Everything the client persona knows, says and reacts to lives
there; the engine only interprets it. Validation errors name the file, the field
and what is wrong, in French, because teachers write these files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, root_validator, validator

from bot.language.text import normalize

Move = str
Lines = List[str]

MOVES_THAT_ANSWER_OBJECTIONS = (
    "handle_objection",
    "argue_benefit",
    "inform",
    "offer_concession",
    "present_solution",
    "deny",
    "state_price",
    "reformulate",
    "ask_open_question",
    "ask_closed_question",
)


class _Model(BaseModel):
    class Config:
        extra = "forbid"
        anystr_strip_whitespace = True


class Persona(_Model):
    """Someone the learner talks to (the main interlocutor, a gatekeeper, a boss)."""

    id: str
    name: str
    role: str
    style: str = ""
    main: bool = False


class Fact(_Model):
    """Something the client knows and reveals only when asked about its topic.

    ``open`` is the detailed answer to an open question, ``closed`` the short answer
    to a closed one. ``keywords`` (accent- and case-insensitive stems) let the
    engine recognise a question or a reformulation about this fact.
    """

    id: str
    topic: str
    label: str
    keywords: List[str] = Field(min_items=1)
    open: str
    closed: str
    need: bool = False
    key: bool = False
    motivation: str | None = None


class Resolution(_Model):
    """What the learner must do to lift an objection."""

    moves: List[Move] = Field(default_factory=lambda: ["handle_objection"])
    keywords: List[str] = Field(default_factory=list)


class Objection(_Model):
    """A client objection: raised at ``trigger`` and open until resolved."""

    id: str
    type: str
    nature: str
    trigger: Literal["start", "proposal", "price", "close", "change"] = "price"
    persona: str | None = None
    #: who speaks by default once this objection is lifted (a gatekeeper lets you through)
    then_persona: str | None = None
    #: the client ends the conversation after this many unconvincing answers (None: never)
    max_attempts: int | None = None
    text: Lines = Field(min_items=1)
    clarification: Lines = Field(min_items=1)
    insist: Lines = Field(min_items=1)
    resolved: Lines = Field(min_items=1)
    resolved_by: Resolution
    preempted_by: List[str] = Field(default_factory=list)
    illegal: bool = False
    hint: str


class Product(_Model):
    ref: str
    label: str
    price: float
    unit: str = "€ HT"
    keywords: List[str] = Field(min_items=1)
    core: bool = False
    additional: bool = False
    discountable: bool = True


class Cgv(_Model):
    payment: str
    payment_max_days: int = 60
    max_discount_pct: float
    discount_scope: str = "matériel"
    validity_days: int = 30
    terms: List[str] = Field(min_items=1)


class ParameterChange(_Model):
    """The mid-meeting change of parameters (as in the CCF exam)."""

    trigger: Literal["proposal", "price", "first_objection_resolved"] = "price"
    persona: str | None = None
    #: the persona who joins becomes the default speaker (a director takes over)
    takes_over: bool = False
    text: Lines = Field(min_items=1)
    adapted_by: Resolution
    adapted: Lines = Field(min_items=1)
    hint: str


class Briefing(_Model):
    learner: str
    context: str
    known: List[str] = Field(min_items=1)
    objectives: Dict[str, str]
    room_for_manoeuvre: List[str] = Field(min_items=1)

    @validator("objectives")
    def _objectives_complete(cls, value: Dict[str, str]) -> Dict[str, str]:
        missing = {"optimal", "realiste", "repli"} - set(value)
        if missing:
            raise ValueError(f"objectifs manquants : {', '.join(sorted(missing))}")
        return value


class Outcome(_Model):
    """What a won deal needs. Everything here follows from the learner's moves."""

    min_needs: int = 2
    required_facts: List[str] = Field(default_factory=list)
    min_warmth: int = 0
    walkout_warmth: int = -4
    max_failed_closes: int = 3
    #: the client's mood at the start (an angry client starts below 0)
    start_warmth: int = 0
    #: whether the deal needs a price (a prospecting call does not)
    requires_price: bool = True
    #: words the closing message must contain (e.g. a day and an hour for a meeting)
    close_requires: List[str] = Field(default_factory=list)
    #: a promise beyond the room for manoeuvre makes management overrule the learner
    beyond_margin_loses: bool = False
    #: lines when management overrules (with beyond_margin_loses)
    overruled: Lines = Field(default_factory=list)
    #: what the client says when the close lacks close_requires
    close_vague: Lines = Field(default_factory=list)


class AssessmentCues(_Model):
    """Words of this scenario that the assessment adds to the generic cue list of the same name.

    The generic lists are in ``data/lexicon/assessment.yml``; a scenario names here what only it
    has (the town of the vendor's agency where a meeting can take place, the client's goods that a
    complaint must not blame), so that no scenario word is written in Python and a new scenario is
    graded like the others. Words match as the generic list matches (accents and case do not matter).
    """

    #: places of a meeting proper to the scenario (prospecting: the vendor's agency, the client's depot)
    meeting_place: List[str] = Field(default_factory=list)
    #: objects of a meeting proper to the scenario (prospecting: the client's equipment, a building project)
    meeting_object: List[str] = Field(default_factory=list)
    #: what the client prepares for the meeting (prospecting: plans, meter readings)
    meeting_preparation: List[str] = Field(default_factory=list)
    #: phrases that put the blame on the client (complaint: the client's own goods or staff)
    blame: List[str] = Field(default_factory=list)
    #: prevention measures proper to the scenario (complaint: the visits that were missed, rescheduled)
    prevention: List[str] = Field(default_factory=list)

    @validator("*", each_item=True)
    def _normal_form(cls, value: str) -> str:
        folded = normalize(value)
        if not folded:
            raise ValueError("mot vide")
        return folded


class Scenario(_Model):
    id: str
    title: str
    kind: Literal["negotiation", "complaint", "account_review", "prospecting"] = "negotiation"
    competences: List[str] = Field(min_items=1)
    date: str
    vendor: str
    client: str
    derived_demand: str
    decision_circuit: List[str] = Field(min_items=1)
    motivations: Dict[str, str]
    budget: str
    personas: List[Persona] = Field(min_items=1)
    briefing: Briefing
    facts: List[Fact] = Field(min_items=3)
    objections: List[Objection] = Field(min_items=1)
    signals: Lines = Field(min_items=1)
    catalogue: List[Product] = Field(min_items=1)
    cgv: Cgv
    parameter_change: ParameterChange
    risks: List[str] = Field(default_factory=list)
    outcome: Outcome = Field(default_factory=Outcome)
    #: who answers first (a receptionist before the decision maker); default: main persona
    opening_persona: str | None = None
    na_criteria: List[str] = Field(default_factory=list)
    #: criterion id -> a reading proper to the scenario (« lecture propre »), see bot/assessment/rules/readings.py
    readings: Dict[str, Literal["meeting_proposal", "meeting_recap", "complaint_handling"]] = Field(
        default_factory=dict
    )
    #: words of this scenario for the assessment (added to the lists of data/lexicon/assessment.yml)
    assessment_cues: AssessmentCues = Field(default_factory=AssessmentCues)
    lines: Dict[str, Lines] = Field(default_factory=dict)

    @root_validator(skip_on_failure=True)
    def _cross_references(cls, values: dict) -> dict:
        persona_ids = {p.id for p in values["personas"]}
        if not any(p.main for p in values["personas"]):
            raise ValueError("personas : aucun interlocuteur n'a « main: true »")
        for obj in values["objections"]:
            for ref in (obj.persona, obj.then_persona):
                if ref and ref not in persona_ids:
                    raise ValueError(f"objection « {obj.id} » : persona inconnue « {ref} »")
        opening = values.get("opening_persona")
        if opening and opening not in persona_ids:
            raise ValueError(f"opening_persona : persona inconnue « {opening} »")
        change = values["parameter_change"]
        if change.persona and change.persona not in persona_ids:
            raise ValueError(f"parameter_change : persona inconnue « {change.persona} »")
        fact_ids = [f.id for f in values["facts"]]
        for dup in {f for f in fact_ids if fact_ids.count(f) > 1}:
            raise ValueError(f"facts : identifiant en double « {dup} »")
        for req in values["outcome"].required_facts:
            if req not in fact_ids:
                raise ValueError(f"outcome.required_facts : fait inconnu « {req} »")
        if not any(p.core for p in values["catalogue"]):
            raise ValueError("catalogue : aucun article n'a « core: true »")
        return values

    @property
    def main_persona(self) -> Persona:
        return next(p for p in self.personas if p.main)

    def persona(self, persona_id: str | None) -> Persona:
        return next((p for p in self.personas if p.id == persona_id), self.main_persona)


class ScenarioError(ValueError):
    """A scenario file that cannot be used, with messages a teacher can act on."""

    def __init__(self, path: Path, problems: List[str]):
        self.path = path
        self.problems = problems
        super().__init__(f"{path.name} : " + " ; ".join(problems))


_FIELD_FR = {
    "field required": "champ obligatoire manquant",
    "extra fields not permitted": "champ inconnu (faute de frappe ?)",
    "none is not an allowed value": "valeur vide",
    "value is not a valid list": "une liste est attendue",
    "value is not a valid dict": "un dictionnaire (clé: valeur) est attendu",
    "str type expected": "un texte est attendu",
    "value is not a valid float": "un nombre est attendu",
    "value is not a valid integer": "un nombre entier est attendu",
    "value could not be parsed to a boolean": "true ou false est attendu",
}


def _french(message: str) -> str:
    if message.startswith("ensure this value has at least"):
        return "la liste doit contenir au moins " + message.split("at least ")[1].split(" ")[0] + " élément(s)"
    if message.startswith("unexpected value; permitted"):
        return "valeur non autorisée ; valeurs possibles : " + message.split("permitted: ")[1]
    return _FIELD_FR.get(message, message)


def _location(loc: tuple) -> str:
    parts = [f"[{p + 1}]" if isinstance(p, int) else f".{p}" for p in loc if p != "__root__"]
    return "".join(parts).lstrip(".") or "(fichier)"


def parse_scenario(path: Path, text: str | None = None) -> Scenario:
    """Parse and validate one scenario file; raise ScenarioError in French."""
    try:
        raw = yaml.safe_load(text if text is not None else path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"ligne {mark.line + 1}, colonne {mark.column + 1}" if mark else "position inconnue"
        raise ScenarioError(path, [f"YAML illisible ({where}) : {getattr(exc, 'problem', exc)}"]) from None
    except OSError as exc:
        raise ScenarioError(path, [f"fichier illisible : {exc}"]) from None
    if not isinstance(raw, dict):
        raise ScenarioError(path, ["le fichier doit contenir un dictionnaire (id:, title:, ...)"])
    try:
        scenario = Scenario.parse_obj(raw)
    except ValidationError as exc:
        problems = [f"champ « {_location(e['loc'])} » : {_french(e['msg'])}" for e in exc.errors()]
        raise ScenarioError(path, problems) from None
    if path.stem != scenario.id and not path.name.startswith("_"):
        raise ScenarioError(path, [f"l'id « {scenario.id} » doit être le nom du fichier ({path.stem})"])
    return scenario


def load_scenarios(directory: Path) -> Dict[str, Scenario]:
    """Load every scenario of a directory; one bad file raises with all its problems."""
    scenarios: Dict[str, Scenario] = {}
    for path in sorted(directory.glob("*.yml")):
        if path.name.startswith("_"):
            continue
        scenario = parse_scenario(path)
        scenarios[scenario.id] = scenario
    return scenarios


#: Situations the client persona has lines for. A scenario may override any of them in
#: ``lines:``; the others come from ``data/scenarios/_defaults.yml``. Placeholders:
#: {name} (learner-facing name of the persona), {company}, {answer}, {missing}, {objection}.
LINE_KEYS = (
    "greet_reply",  # learner greeted
    "intro_reply",  # learner introduced themself
    "agenda_reply",  # learner set the agenda / checked the time
    "no_greeting",  # learner skipped the contact phase entirely (prefix)
    "open_unknown",  # open question on a topic the client has nothing (more) to say about
    "closed_unknown",  # closed question on such a topic
    "already_said",  # asked again about a revealed fact; {answer} = short answer
    "premature_argument",  # argues/presents before any discovery (client cools)
    "premature_price",  # announces a price before presenting any solution
    "reformulation_confirm",  # reformulation covers what was said
    "reformulation_partial",  # covers part; {missing} = what was forgotten
    "reformulation_wrong",  # covers nothing the client said
    "solution_fit",  # solution presented after enough discovery, with core products
    "solution_unfit",  # solution without discovery or without the needs covered
    "solution_unknown_product",  # learner names a product absent from the catalogue
    "argument_reply",  # argument with proof/figures
    "argument_weak",  # claims without proof
    "price_reply",  # reaction to the price (before an objection)
    "check_agreement_pending",  # control question while an objection is open; {objection}
    "check_agreement_ok",  # control question, nothing pending
    "acknowledge_no_objection",  # empathy while no objection is open
    "concession_unilateral",  # concession given without asking anything in return
    "concession_trade",  # concession in exchange for a commitment
    "concession_beyond_margin",  # discount beyond the room for manoeuvre (suspicious)
    "denigrate_reaction",  # learner badmouths a competitor
    "close_won",  # client agrees (deal won)
    "close_not_ready",  # not yet; {missing} = what is still missing
    "close_pending_objection",  # an objection is still open; {objection}
    "close_lost",  # client refuses for good (deal lost)
    "additional_sale_ok",  # add-on proposed at a good moment
    "additional_sale_early",  # add-on proposed before the main agreement
    "follow_up_reply",  # learner plans next steps
    "summary_reply",  # learner summarises the deal
    "satisfaction_reply",  # learner checks satisfaction
    "goodbye_won",  # leave-taking after a won deal
    "goodbye_open",  # leave-taking without agreement (deal lost)
    "inform_reply",  # learner gives a factual answer
    "affirm_reply",  # learner says yes
    "deny_reply",  # learner says no
    "cooling",  # client is getting annoyed (warmth low)
    "walkout",  # client ends the meeting (deal lost)
    "filler",  # anything else
    "objection_conceded",  # the learner gave in on an objection (e.g. an illegal payment term)
)
