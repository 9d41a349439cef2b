"""The schema of how a scenario is played: its three levels and the variants an attempt draws.

A level (découverte, standard, examen) and a variant change only data: which objections come, how much
the client volunteers, how hard the buyer holds his budget, whether the change of parameters happens,
a message budget at the exam, the budget drawn from a range, the client's temperament. Defaults live in
``data/scenarios/_defaults.yml`` (``levels:``, ``temperaments:``); a scenario overrides them in its own
``levels:`` and declares its ranges in ``variants:``. :mod:`bot.engine.variants` applies them.
"""

from __future__ import annotations

from typing import Dict, List, Literal, Union

from pydantic import BaseModel, Field, root_validator

#: the three levels, easiest first; « standard » is the scenario as written
LEVELS = ("decouverte", "standard", "examen")
LevelName = Literal["decouverte", "standard", "examen"]
#: the client's temperaments a variant may draw (their lines are in ``_defaults.yml``)
TEMPERAMENTS = ("cordial", "presse", "mefiant")
TemperamentName = Literal["cordial", "presse", "mefiant"]
#: the largest variant a teacher may fix for a class, a number the class can copy (the web's link,
#: Telegram's « variante N »)
MAX_FIXED_VARIANT = 999


def start_options(mode: str, level: str, variant: int | str = "auto") -> List[str]:
    """The options of a start message, as :func:`bot.engine.simulation.start_attempt` reads them: values of
    the ``mode`` entity (level and variant travel in it: no new entity, no retraining). ``variant``: « auto »
    (drawn from the learner and the attempt) or a number (fixed by a teacher for the class)."""
    return [mode, f"level:{level}", f"variant:{variant}"]


class _Model(BaseModel):
    class Config:
        extra = "forbid"
        anystr_strip_whitespace = True


def as_lines(value: Union[str, List[str], None]) -> List[str]:
    """A field that takes one text or a list of variants (the persona draws one)."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


class TimeBudget(_Model):
    """The exam's budget of messages and questions; the client warns, then ends the meeting in character
    (lines ``time_short`` and ``time_up``)."""

    #: learner messages before the client has to leave
    max_messages: int = Field(gt=0)
    #: questions to the client before he has to leave (None: no limit)
    max_questions: int | None = Field(default=None, gt=0)
    #: the client says time is short when this many messages (or questions) are left
    warn_before: int = Field(default=5, ge=1)


class Level(_Model):
    """What one level changes in a scenario. Every default is « the scenario as written »."""

    label: str = ""
    description: str = ""
    #: asked: answers as written; detailed: a closed question gets the detailed answer (the client volunteers)
    volunteer: Literal["asked", "detailed"] = "asked"
    #: at most this many objections (those raised at the start, a gatekeeper's, always stay); None: all
    objections_max: int | None = Field(default=None, ge=1)
    #: only objections whose type names one of these (« prix », « produit »…); empty: every type
    objection_types: List[str] = Field(default_factory=list)
    #: the client's budget limits are multiplied by this (1.1: 10 % more room; 0.95: the buyer holds tighter)
    budget_factor: float = Field(default=1.0, gt=0.5, lt=2.0)
    #: objections whose type names one of ``price_types`` end the meeting after this many unconvincing
    #: answers (None: as written)
    price_attempts: int | None = Field(default=None, ge=1)
    price_types: List[str] = Field(default_factory=list)
    #: whether the change of parameters happens
    parameter_change: bool = True
    #: in a purchase (the learner buys): at most this many of the salesperson's concession steps
    #: (``purchase.steps``); None: all of them
    concession_steps: int | None = Field(default=None, ge=1)
    #: the exam's message and question budget (None: no limit)
    time_budget: TimeBudget | None = None


class VariantValue(_Model):
    """A number the variant draws: ``{name}`` in a line reads « 120 000 », ``{name.raw}`` reads « 120000 »
    (for a field that takes a number, such as ``limits.budget_max``). Variant 0 takes ``base``."""

    base: float
    min: float | None = None
    max: float | None = None
    step: float = Field(default=1, gt=0)
    #: moves with another value (``base + drawn(follows) - base(follows)``) instead of being drawn
    follows: str | None = None

    @root_validator(skip_on_failure=True)
    def _range(cls, values: dict) -> dict:
        low, high, base = values.get("min"), values.get("max"), values["base"]
        if values.get("follows") is None:
            if low is None or high is None:
                raise ValueError("« min » et « max » sont obligatoires (ou « follows »)")
            if not low <= base <= high:
                raise ValueError(f"la valeur de base {base:g} doit être entre min ({low:g}) et max ({high:g})")
        return values


class ObjectionDraw(_Model):
    """How many of the scenario's objections an attempt keeps, in a drawn order."""

    #: at least this many (those raised at the start always stay)
    min: int = Field(ge=1)
    #: objections never dropped (an illegal term the grid checks, a gatekeeper)
    keep: List[str] = Field(default_factory=list)


class Variants(_Model):
    """The ranges an attempt draws from (variant 0 is the scenario as written)."""

    values: Dict[str, VariantValue] = Field(default_factory=dict)
    objections: ObjectionDraw | None = None
    temperaments: List[TemperamentName] = Field(default_factory=list)
    #: other changes of parameters the variant may draw instead of ``parameter_change`` (same fields)
    parameter_changes: List[dict] = Field(default_factory=list)

    @root_validator(skip_on_failure=True)
    def _follows_known(cls, values: dict) -> dict:
        names = values.get("values") or {}
        for name, value in names.items():
            if value.follows and (value.follows not in names or names[value.follows].follows):
                raise ValueError(f"values.{name}.follows : « {value.follows} » doit être une valeur tirée")
        return values


class Temperament(_Model):
    """A client's temperament: a start mood and lines that replace the scenario's for a few situations."""

    label: str
    warmth: int = Field(default=0, ge=-3, le=3)
    lines: Dict[str, List[str]] = Field(default_factory=dict)
