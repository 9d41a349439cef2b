"""What every rule reads: the learner's turns in their context, and what the session established.

A :class:`TurnRecord` is one learner message with its NLU move, the analysis of its text and the
engine state before and after it (as stored in the tracker), so that a rule never counts messages
and a session can be re-scored from the tracker store alone. The helpers say what changed in a turn
(« the solution became presented », « the change went from announced to adapted ») instead of
comparing ``before`` and ``after`` by hand in every rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Sequence

from bot.assessment.analysis import Analysis, products_mentioned
from bot.engine.scenario import Fact, Objection, Product, Scenario
from bot.language.lexicon import CueList, lexicon

_ANY = object()


@dataclass
class TurnRecord:
    """One learner message in its context."""

    n: int
    text: str
    intent: str
    analysis: Analysis
    before: Dict[str, Any]
    after: Dict[str, Any]
    confidence: float = 1.0

    @property
    def moves(self) -> List[str]:
        """The NLU move first, then the moves found sentence by sentence."""
        return list(dict.fromkeys([self.intent, *self.analysis.moves]))

    def has(self, *moves: str) -> bool:
        """One of these moves is in the message (``t.has(*QUESTIONS)`` for a group)."""
        return any(m in self.moves for m in moves)

    @property
    def normalized(self) -> str:
        return self.analysis.normalized

    @property
    def familiar(self) -> bool:
        """Too familiar for a professional meeting (« tu », familiar words)."""
        return self.analysis.tutoiement or bool(self.analysis.familiar)

    # ------------------------------------------------------------ what changed in this turn
    def became(self, field_name: str, value: Any = _ANY) -> bool:
        """The field took ``value`` in this turn (or became true, without ``value``)."""
        old, new = self.before.get(field_name), self.after.get(field_name)
        if value is _ANY:
            return not old and bool(new)
        return new == value and old != value

    def went(self, field_name: str, old: Any, new: Any) -> bool:
        """The field went from ``old`` to ``new`` in this turn (« the change: announced → adapted »)."""
        return self.before.get(field_name) == old and self.after.get(field_name) == new

    def changed(self, field_name: str) -> bool:
        return self.before.get(field_name) != self.after.get(field_name)

    def grew(self, field_name: str) -> bool:
        """A count or a list grew in this turn (signals given, concessions)."""
        old, new = self.before.get(field_name), self.after.get(field_name)
        if isinstance(old, list) or isinstance(new, list):
            return len(new or []) > len(old or [])
        return (new or 0) > (old or 0)

    def flagged(self, flag: str) -> bool:
        """The engine raised this flag in this turn (« illegal_accepted », « beyond_margin »)."""
        return flag in self.after.get("flags", []) and flag not in self.before.get("flags", [])

    @property
    def new_facts(self) -> List[str]:
        """Ids of the facts the client revealed in answer to this turn."""
        return list(self.after.get("revealed", {}).keys() - self.before.get("revealed", {}).keys())

    @property
    def current_objection(self) -> str | None:
        """The objection open when the learner wrote this turn."""
        return self.before.get("current_objection")

    def objection_before(self, objection_id: str | None) -> str | None:
        return self.before.get("objections", {}).get(objection_id)

    def objection_after(self, objection_id: str | None) -> str | None:
        return self.after.get("objections", {}).get(objection_id)


@dataclass
class Finding:
    turn: int
    criterion_id: str
    finding: str
    positive: bool = True


class Context:
    """Derived facts about the whole session, shared by the rules."""

    def __init__(self, scenario: Scenario, turns: Sequence[TurnRecord], final: Dict[str, Any]):
        self.scenario = scenario
        self.turns = list(turns)
        self.final = final or (turns[-1].after if turns else {})
        self.findings: List[Finding] = []
        self._facts = {f.id: f for f in scenario.facts}
        self.revealed = {fid: self._facts[fid] for fid in self.final.get("revealed", {}) if fid in self._facts}
        self.revealed_topics = {f.topic for f in self.revealed.values()}
        # anticipated objections (« preempted ») never had to be raised
        raised = [
            oid for oid, status in self.final.get("objections", {}).items() if status not in ("waiting", "preempted")
        ]
        self.raised: List[Objection] = [o for o in scenario.objections if o.id in raised]
        self.solution_turn = self.first(lambda t: t.became("solution_presented"))
        self.flags = set(self.final.get("flags", []))
        self._cues: Dict[str, CueList] = {}

    # ------------------------------------------------------------------------ turns
    def first(self, predicate: Callable[[TurnRecord], bool]) -> TurnRecord | None:
        return next((t for t in self.turns if predicate(t)), None)

    def where(self, predicate: Callable[[TurnRecord], bool]) -> List[TurnRecord]:
        return [t for t in self.turns if predicate(t)]

    def before_solution(self, turn: TurnRecord) -> bool:
        return self.solution_turn is None or turn.n < self.solution_turn.n

    def note(self, turn: TurnRecord, criterion_id: str, finding: str, positive: bool = True) -> None:
        self.findings.append(Finding(turn.n, criterion_id, finding, positive))

    # ------------------------------------------------------------------------ facts
    def fact(self, fact_id: str) -> Fact | None:
        return self._facts.get(fact_id)

    def topics_revealed_in(self, turn: TurnRecord) -> List[str]:
        """Topics of the facts the client revealed in answer to this turn."""
        return [fact.topic for fid in turn.new_facts if (fact := self.fact(fid))]

    def revealing(self, topic: str) -> List[TurnRecord]:
        """The turns that made the client reveal a fact of this topic."""
        return [t for t in self.turns if topic in self.topics_revealed_in(t)]

    def fact_keywords(self, topics: Iterable[str], per_fact: int = 6) -> List[str]:
        """The first keywords of the scenario's facts of these topics (what the learner may name)."""
        wanted = set(topics)
        return [k for f in self.scenario.facts if f.topic in wanted for k in f.keywords[:per_fact]]

    # ------------------------------------------------------------------------ words
    def cues(self, name: str) -> CueList:
        """A cue list of ``data/lexicon/``, with the words the scenario adds to it (``assessment_cues``)."""
        if name not in self._cues:
            generic = lexicon()[name]
            extra = tuple(getattr(self.scenario.assessment_cues, name, ()))
            self._cues[name] = CueList(name, generic.cues + extra, generic.match, generic.doc) if extra else generic
        return self._cues[name]

    def says(self, turn: TurnRecord, *names: str) -> bool:
        """The turn contains a cue of one of these lists."""
        return any(self.cues(name).found_in(turn.normalized) for name in names)

    def products_in(self, turn: TurnRecord, products: Sequence[Product] | None = None) -> List[str]:
        """Catalogue references the turn names (the whole catalogue by default)."""
        return products_mentioned(turn.normalized, self.scenario.catalogue if products is None else products)

    # ------------------------------------------------------------------------ outcome
    @property
    def won(self) -> bool:
        return self.final.get("outcome") == "won"


@dataclass(frozen=True)
class Score:
    """What a rule gives a criterion: a level 0–3, one French sentence, the turns that prove it."""

    score: int
    explanation: str
    evidence: List[TurnRecord] = field(default_factory=list)

    @classmethod
    def of(cls, score: int, explanation: str, turns: Iterable[TurnRecord | None] = (), limit: int = 3) -> Score:
        """A score whose evidence is the first ``limit`` distinct turns given (``None`` skipped)."""
        return cls(score, explanation, distinct(turns, limit))


def distinct(turns: Iterable[TurnRecord | None], limit: int = 3) -> List[TurnRecord]:
    """The first ``limit`` distinct turns, in order, ``None`` skipped: what a score quotes as evidence."""
    seen: List[TurnRecord] = []
    for t in turns:
        if t is not None and t not in seen:
            seen.append(t)
    return seen[:limit]


Rule = Callable[[Context], Score]


class RuleBook(Dict[str, Rule]):
    """Rules by criterion id (or readings by name), registered by decorating them."""

    def __call__(self, key: str) -> Callable[[Rule], Rule]:
        def register(fn: Rule) -> Rule:
            if key in self:
                raise ValueError(f"two rules for {key}")
            self[key] = fn
            return fn

        return register
