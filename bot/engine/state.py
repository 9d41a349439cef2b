"""The state of one simulation: plain data, JSON-serialisable, kept in a Rasa slot.

Keeping the whole state in the tracker makes the action server stateless (any
action server can answer any learner) and lets a session be replayed from the
tracker store alone.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List

PHASES = ("contact", "discovery", "proposal", "objections", "closing", "leave_taking")

#: Objection status: waiting (not raised yet), pending (raised, open),
#: resolved, conceded (the learner gave in, e.g. accepted an illegal term),
#: preempted (the learner anticipated it before it came up).
OBJECTION_STATUSES = ("waiting", "pending", "resolved", "conceded", "preempted")


@dataclass
class Move:
    """What the learner did in one message, as understood by the NLU."""

    intent: str
    text: str = ""
    confidence: float = 1.0
    entities: List[Dict[str, Any]] = field(default_factory=list)

    def entity_values(self, entity: str) -> List[str]:
        return [str(e.get("value")) for e in self.entities if e.get("entity") == entity and e.get("value")]


@dataclass
class Utterance:
    """One message of the bot: the client persona (``client``) or the coach (``coach``)."""

    speaker: str
    text: str
    name: str = ""
    kind: str = ""

    def to_dict(self) -> Dict[str, str]:
        return asdict(self)


@dataclass
class SimulationState:
    scenario_id: str
    seed: int = 0
    mode: str = "training"
    #: the level played (decouverte, standard, examen) and the variant drawn (0: the scenario as written)
    level: str = "standard"
    variant: int = 0
    #: attempts started so far, per scenario (a new attempt draws another variant)
    attempts: Dict[str, int] = field(default_factory=dict)
    turn: int = 0
    phase: str = "contact"
    warmth: int = 0
    outcome: str = "open"
    outcome_reason: str = ""
    ended: bool = False
    greeted: bool = False
    introduced: bool = False
    agenda: bool = False
    questions: int = 0
    open_questions: int = 0
    revealed: Dict[str, str] = field(default_factory=dict)
    reformulations: int = 0
    reformulation_confirmed: bool = False
    solution_presented: bool = False
    products: List[str] = field(default_factory=list)
    price_stated: bool = False
    objections: Dict[str, str] = field(default_factory=dict)
    objection_attempts: Dict[str, int] = field(default_factory=dict)
    acknowledged: List[str] = field(default_factory=list)
    current_objection: str | None = None
    change: str = "none"
    active_persona: str = ""
    speaker: str = ""
    present_personas: List[str] = field(default_factory=list)
    signals_given: int = 0
    signal_pending: bool = False
    failed_closes: int = 0
    concessions: List[Dict[str, Any]] = field(default_factory=list)
    additional_sale: bool = False
    follow_up: bool = False
    summary: bool = False
    flags: List[str] = field(default_factory=list)
    last_lines: Dict[str, int] = field(default_factory=dict)
    last_text: str = ""
    # --- memory of the conversation (what the client remembers of the learner) ---
    #: the fact under discussion (the last one the client answered with), for « et sinon ? »
    last_fact: str | None = None
    #: facts a vague follow-up already deepened (once each)
    deepened: List[str] = field(default_factory=list)
    #: vague questions in a row (the second one gets « soyez plus précis »)
    vague_streak: int = 0
    #: off-topic messages so far
    off_topic: int = 0
    #: facts the learner brought up himself (they count as known at the close)
    established: List[str] = field(default_factory=list)
    #: the price on the table: the last total (€ HT) and monthly price the learner gave
    offer_total: float | None = None
    offer_monthly: float | None = None
    offer_yearly: float | None = None
    #: the generic budget objection (when no scenario objection handles the budget): "", pending, resolved
    budget_objection: str = ""
    #: payment terms the learner offered: {"days": int | None, "label": str, "legal": bool}
    terms: List[Dict[str, Any]] = field(default_factory=list)
    #: indexes of the scenario's signals already given or made pointless by the learner
    signals_done: List[int] = field(default_factory=list)
    #: the persona the learner last addressed by name
    addressee: str = ""
    #: a desk task (C3): the report as written, message by message (:mod:`bot.engine.desk`)
    written: List[str] = field(default_factory=list)
    #: a purchase (the learner buys, ``kind: purchase``): the price on the table, the concession steps
    #: granted, the counterparts given, the quotes cited, the payment asked, the agreement
    #: (:mod:`bot.engine.purchase`)
    purchase: Dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> SimulationState:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def flag(self, name: str) -> None:
        if name not in self.flags:
            self.flags.append(name)

    def advance(self, phase: str) -> None:
        """Phases only move forward."""
        if PHASES.index(phase) > PHASES.index(self.phase):
            self.phase = phase

    def remember(self, items: List[str], value: str) -> bool:
        """Add ``value`` to a memory list once; True when it is new."""
        if value in items:
            return False
        items.append(value)
        return True

    @property
    def mood(self) -> str:
        if self.warmth <= -2:
            return "froid"
        if self.warmth >= 2:
            return "chaleureux"
        return "neutre"
