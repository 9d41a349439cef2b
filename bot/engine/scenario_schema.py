"""The schema of a scenario file: what the client persona knows, says and reacts to.

Teachers write these files (``data/scenarios/*.yml``); the engine only interprets them. Everything a
scenario may vary — facts and their answers, objections and what lifts them, the catalogue, the
terms of sale, the budget, the change of parameters, the client's lines — is a field here, so that no
scenario word ever needs to be written in Python. Loading and French error messages:
:mod:`bot.engine.scenario`.
"""

from __future__ import annotations

import re
from typing import Dict, List, Literal

from pydantic import BaseModel, Field, PrivateAttr, ValidationError, root_validator, validator

from bot.engine.play_schema import Level, LevelName, TimeBudget, Variants
from bot.engine.play_schema import as_lines as _as_lines
from bot.engine.purchase_schema import Counterpart, Purchase, Quote, Requirement  # noqa: F401 - re-exported
from bot.language.text import normalize
from bot.language.topics import vocabulary

Move = str
Lines = List[str]


class _Model(BaseModel):
    class Config:
        extra = "forbid"
        anystr_strip_whitespace = True


def _gender(name: str) -> str:
    head = name.strip().lower()
    if re.match(r"^(mme|madame|mlle|mademoiselle)\b", head):
        return "f"
    if re.match(r"^(m\.|monsieur\b|mr\b|m\s)", head):
        return "m"
    return ""


class Persona(_Model):
    """Someone the learner talks to (the main interlocutor, a gatekeeper, a boss)."""

    id: str
    name: str
    role: str
    style: str = ""
    main: bool = False
    #: in the meeting from the first minute (a colleague who attends): the learner can address this persona
    #: by name before she speaks, and she answers her own facts
    present: bool = False
    #: « f » or « m » (agreement of the client's lines); read from « M. » / « Mme » when absent
    gender: Literal["f", "m", ""] = ""

    @root_validator(skip_on_failure=True)
    def _infer_gender(cls, values: dict) -> dict:
        if not values.get("gender"):
            values["gender"] = _gender(values.get("name", ""))
        return values


class Fact(_Model):
    """Something the client knows and reveals only when asked about its topic.

    ``open`` is the detailed answer to an open question, ``closed`` the short answer to a closed one;
    each may be a list of variants in the persona's voice. ``topic`` (and ``also_topics``) are names
    of the shared vocabulary (``data/language/topics.yml``); ``keywords`` (accent-free stems) refine
    the match. ``persona``: only this persona knows the fact.
    """

    id: str
    topic: str
    also_topics: List[str] = Field(default_factory=list)
    label: str
    keywords: List[str] = Field(min_items=1)
    open: Lines
    closed: Lines
    need: bool = False
    key: bool = False
    motivation: str | None = None
    persona: str | None = None
    #: the learner legitimately knows it before the meeting (the briefing may quote it: no spoiler)
    public: bool = False

    _lines = validator("open", "closed", pre=True, allow_reuse=True)(_as_lines)

    @validator("open", "closed")
    def _not_empty(cls, value: Lines) -> Lines:
        if not value or not all(v.strip() for v in value):
            raise ValueError("au moins une réponse non vide est attendue")
        return value

    @validator("topic")
    def _known_topic(cls, value: str) -> str:
        if value not in vocabulary():
            raise ValueError(f"thème inconnu « {value} » ; thèmes possibles : {', '.join(vocabulary())}")
        return value

    @validator("also_topics", each_item=True)
    def _known_topics(cls, value: str) -> str:
        return cls._known_topic(value)


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
    #: over_budget: raised only while the price on the table is above the budget (``limits``), and
    #: lifted when a price within the budget is given
    condition: Literal["over_budget"] | None = None
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


class ForbiddenTerm(_Model):
    """A promise the learner must not make (outside the terms of sale): the client takes it, the grade not."""

    id: str
    label: str
    keywords: List[str] = Field(min_items=1)


class Cgv(_Model):
    payment: str
    payment_max_days: int = 60
    max_discount_pct: float
    discount_scope: str = "matériel"
    validity_days: int = 30
    terms: List[str] = Field(min_items=1)
    forbidden_terms: List[ForbiddenTerm] = Field(default_factory=list)


class Limits(_Model):
    """The client's hard limits: a price above them is refused whatever the arguments."""

    #: total of the offer, € HT
    budget_max: float | None = None
    #: per month, € HT (a rental or leasing offer)
    budget_max_monthly: float | None = None
    #: per year, € HT (a supply or service contract priced by the year)
    budget_max_yearly: float | None = None
    #: what the client says when a price is above the budget ({budget}: the budget, {amount}: the price)
    over_budget: Lines = Field(default_factory=list)


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
    #: the client's limits once the change is announced (a smaller budget, more posts)
    limits: Limits | None = None
    #: false at a level without a change of parameters (``levels.*.parameter_change``)
    happens: bool = True


class Signal(_Model):
    """A buying signal; ``unless``: not said once the learner has brought that (« le calcul de ROI »)."""

    text: str
    unless: List[str] = Field(default_factory=list)


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


class ModelLine(_Model):
    """One line of a scenario's model transcript (« corrigé »): who speaks and what is said."""

    speaker: Literal["vendeur", "client"]
    text: str = Field(min_length=1)


class Scenario(_Model):
    id: str
    title: str
    kind: Literal["negotiation", "complaint", "account_review", "prospecting", "purchase"] = "negotiation"
    competences: List[str] = Field(min_items=1)
    #: the catalogue's filters: the client's sector (« Santé, médico-social ») and the situation of the
    #: référentiel (« Négociation en face à face », « Relance de devis »)
    sector: str = ""
    situation: str = ""
    #: how long the meeting lasts, in minutes (the catalogue's duration)
    duration: int | None = Field(default=None, gt=0)
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
    #: the client's objections (at least one, except in a purchase, where the bot sells: ``purchase``)
    objections: List[Objection] = Field(default_factory=list)
    signals: List[Signal] = Field(default_factory=list)
    catalogue: List[Product] = Field(min_items=1)
    cgv: Cgv
    parameter_change: ParameterChange
    #: the learner is the buyer (``kind: purchase``): the specification, the quotes, the salesperson's prices
    purchase: Purchase | None = None
    limits: Limits = Field(default_factory=Limits)
    risks: List[str] = Field(default_factory=list)
    outcome: Outcome = Field(default_factory=Outcome)
    #: who answers first (a receptionist before the decision maker); default: main persona
    opening_persona: str | None = None
    na_criteria: List[str] = Field(default_factory=list)
    #: criterion id -> a reading proper to the scenario (« lecture propre »), see bot/assessment/scoring.py
    readings: Dict[str, Literal["meeting_proposal", "meeting_recap", "complaint_handling"]] = Field(
        default_factory=dict
    )
    assessment_cues: AssessmentCues = Field(default_factory=AssessmentCues)
    lines: Dict[str, Lines] = Field(default_factory=dict)
    #: a model transcript (« corrigé ») the teacher may release to the students after an attempt
    model_transcript: List[ModelLine] = Field(default_factory=list)
    #: what this scenario changes in the default levels (``_defaults.yml``), see :mod:`.play_schema`
    levels: Dict[LevelName, Level] = Field(default_factory=dict)
    #: the ranges an attempt draws from; variant 0 is the scenario as written
    variants: Variants = Field(default_factory=Variants)
    #: set by the variant: the client's temperament (``_defaults.yml``, ``temperaments:``)
    temperament: str = ""
    #: set by the level (examen): the message and question budget
    time_budget: TimeBudget | None = None
    #: the file as written, placeholders included (:func:`bot.engine.variants.version` draws from it)
    _source: dict = PrivateAttr(default_factory=dict)

    @validator("signals", pre=True, each_item=True)
    def _signal(cls, value):
        return {"text": value} if isinstance(value, str) else value

    @root_validator(skip_on_failure=True)
    def _cross_references(cls, values: dict) -> dict:
        persona_ids = {p.id for p in values["personas"]}
        purchase = values["kind"] == "purchase"
        if purchase != (values.get("purchase") is not None):
            raise ValueError("« kind: purchase » et le bloc « purchase: » vont ensemble (l'un ne va pas sans l'autre)")
        if not purchase and not values["objections"]:
            raise ValueError("objections : au moins une objection est attendue")
        if not purchase and not values["signals"]:
            raise ValueError("signals : au moins un signe d'achat est attendu")
        if not any(p.main for p in values["personas"]):
            raise ValueError("personas : aucun interlocuteur n'a « main: true »")
        for obj in values["objections"]:
            for ref in (obj.persona, obj.then_persona):
                if ref and ref not in persona_ids:
                    raise ValueError(f"objection « {obj.id} » : persona inconnue « {ref} »")
        for fact in values["facts"]:
            if fact.persona and fact.persona not in persona_ids:
                raise ValueError(f"fait « {fact.id} » : persona inconnue « {fact.persona} »")
        opening = values.get("opening_persona")
        if opening and opening not in persona_ids:
            raise ValueError(f"opening_persona : persona inconnue « {opening} »")
        change = values["parameter_change"]
        if change.persona and change.persona not in persona_ids:
            raise ValueError(f"parameter_change : persona inconnue « {change.persona} »")
        for n, other in enumerate(values["variants"].parameter_changes, 1):
            try:
                alternative = ParameterChange.parse_obj(other)
            except ValidationError as exc:
                fields = ", ".join(".".join(str(p) for p in e["loc"]) for e in exc.errors())
                raise ValueError(f"variants.parameter_changes[{n}] : champ(s) invalide(s) : {fields}") from None
            if alternative.persona and alternative.persona not in persona_ids:
                raise ValueError(f"variants.parameter_changes[{n}] : persona inconnue « {alternative.persona} »")
        fact_ids = [f.id for f in values["facts"]]
        for dup in {f for f in fact_ids if fact_ids.count(f) > 1}:
            raise ValueError(f"facts : identifiant en double « {dup} »")
        for req in values["outcome"].required_facts:
            if req not in fact_ids:
                raise ValueError(f"outcome.required_facts : fait inconnu « {req} »")
        if not any(p.core for p in values["catalogue"]):
            raise ValueError("catalogue : aucun article n'a « core: true »")
        limits = values["limits"]
        budgeted = limits.budget_max or limits.budget_max_monthly or limits.budget_max_yearly
        for obj in values["objections"]:
            if obj.condition == "over_budget" and not budgeted:
                raise ValueError(f"objection « {obj.id} » : « condition: over_budget » demande « limits.budget_max »")
        return values

    @property
    def main_persona(self) -> Persona:
        return next(p for p in self.personas if p.main)

    def persona(self, persona_id: str | None) -> Persona:
        return next((p for p in self.personas if p.id == persona_id), self.main_persona)

    def fact(self, fact_id: str) -> Fact | None:
        return next((f for f in self.facts if f.id == fact_id), None)

    def objection(self, objection_id: str | None) -> Objection | None:
        return next((o for o in self.objections if o.id == objection_id), None)
