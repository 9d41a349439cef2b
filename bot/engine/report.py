"""The checker of a desk task: what a written report restitutes of the meeting, and how exactly.

Why one checker for the manager and the grade: the manager who asked for the report (:mod:`.desk`)
asks for the missing element that this check finds, and the assessment (:mod:`bot.assessment.rules.desk`)
scores the same check, so the two never disagree.

The report is read sentence by sentence, each sentence understood once
(:func:`bot.language.understanding.understand`): an expected element (fact, commitment, next step) is
covered when the fact matcher of :mod:`bot.language.matching` ranks it first for the sentence, or when
the sentence has two of its keywords (the rule the client persona uses for a fact the learner states
himself); a figure is exact when a sentence tied to it by its keywords gives its value, wrong when
that sentence gives another value known nowhere; an amount or a percentage that neither the meeting
nor the task knows (nor a sum or difference of two known amounts) is invented; a next step is dated
when its sentence gives its day and month.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Dict, Iterable, List, Sequence, Set, Tuple

from bot.engine.desk_schema import DeskTask, Expected, Figure, Step
from bot.language.matching import FactIndex, FactView
from bot.language.numbers import numbers
from bot.language.text import has_keyword
from bot.language.topics import topic_scores
from bot.language.understanding import Understanding, understand

#: a sentence ends at a line break, or at . ! ? ; followed by a space (« M. Benali » splits: harmless)
_SENTENCE_END = re.compile(r"\n+|(?<=[.!?])\s+")
#: how sure the matcher must be, beyond its own decision (the element likelier than « no element »)
MATCH_MIN = 0.0
#: keywords of an element a sentence must contain to restitute it without the matcher
KEYWORD_HITS = 2


@dataclass(frozen=True)
class Read:
    """One sentence of the report, understood once, with the number of its message (0-based)."""

    message: int
    text: str
    u: Understanding


@dataclass(frozen=True)
class FigureCheck:
    figure: Figure
    #: exact, faux (another value written) or absent
    status: str
    written: str = ""
    message: int | None = None


@dataclass(frozen=True)
class StepCheck:
    step: Step
    #: datee (the right day), mauvaise_date, date_vague (« la semaine prochaine »), sans_date, absente
    status: str
    message: int | None = None


@dataclass
class ReportCheck:
    """What the report restitutes; every list keeps the message where it was found (for the evidence)."""

    task: DeskTask
    #: expected element id → message where it is first restituted
    covered: Dict[str, int] = field(default_factory=dict)
    figures: List[FigureCheck] = field(default_factory=list)
    steps: List[StepCheck] = field(default_factory=list)
    #: (message, value as written) of amounts and percentages known nowhere
    invented: List[Tuple[int, str]] = field(default_factory=list)
    #: section id → message where it appears
    sections: Dict[str, int] = field(default_factory=dict)
    words: int = 0
    messages: int = 0

    # ------------------------------------------------------------------ views
    def share(self, elements: Iterable[Expected]) -> float:
        items = list(elements)
        return sum(1 for e in items if e.id in self.covered) / len(items) if items else 1.0

    @property
    def essential_share(self) -> float:
        essentials = [f for f in self.task.facts if f.essential] or self.task.facts
        return self.share(essentials)

    @property
    def fact_share(self) -> float:
        return self.share(self.task.facts)

    @property
    def wrong_figures(self) -> List[FigureCheck]:
        return [f for f in self.figures if f.status == "faux"]

    @property
    def exact_figures(self) -> List[FigureCheck]:
        return [f for f in self.figures if f.status == "exact"]

    def steps_of(self, elements: Sequence[Step]) -> List[StepCheck]:
        ids = {e.id for e in elements}
        return [s for s in self.steps if s.step.id in ids]

    @property
    def next_steps(self) -> List[StepCheck]:
        return self.steps_of(self.task.next_steps)

    @property
    def commitments(self) -> List[StepCheck]:
        return self.steps_of(self.task.commitments)

    def categories_covered(self) -> Set[str]:
        """Categories of the specification with at least half of their facts restituted."""
        out = set()
        for category in {f.category for f in self.task.facts}:
            facts = [f for f in self.task.facts if f.category == category]
            if self.share(facts) >= 0.5:
                out.add(category)
        return out

    def missing_essential(self) -> Tuple[str, str] | None:
        """The one element the manager asks for: (line key, label), most important first."""
        missing = self.missing_element()
        return None if missing is None else (missing[0], missing[2])

    def missing_element(self) -> Tuple[str, str, str] | None:
        """The one element the manager asks for: (line key, element id, label), most important first."""
        for fact in self.task.facts:
            if fact.essential and fact.id not in self.covered:
                return "follow_up", fact.id, fact.label
        for check in self.next_steps:
            if check.status == "absente":
                return "follow_up", check.step.id, check.step.label
        for check in self.next_steps:
            if check.status in ("sans_date", "date_vague", "mauvaise_date"):
                return "follow_up_date", check.step.id, check.step.label
        for figure in self.figures:
            if figure.figure.essential and figure.status == "faux":
                return "follow_up_figure", figure.figure.id, figure.figure.label
        for figure in self.figures:
            if figure.figure.essential and figure.status == "absent":
                return "follow_up", figure.figure.id, figure.figure.label
        return None

    @property
    def acceptable(self) -> bool:
        """What the manager accepts: essentials restituted, no wrong figure, next steps dated."""
        dated = all(s.status == "datee" for s in self.next_steps)
        return self.essential_share >= 0.8 and not self.wrong_figures and not self.invented and dated


def sentences(text: str) -> List[str]:
    return [s.strip(" -•*\t") for s in _SENTENCE_END.split(text or "") if s.strip(" -•*\t")]


def read(messages: Sequence[str]) -> List[Read]:
    """Every sentence of the report, understood once."""
    return [Read(i, s, understand(s)) for i, text in enumerate(messages) for s in sentences(text)]


@lru_cache(maxsize=32)
def _index(task_id: str, views: Tuple[FactView, ...]) -> FactIndex:
    return FactIndex(views)


def _view(element: Expected) -> FactView:
    topics = (element.topic,) if element.topic else ()
    return FactView(element.id, topics, tuple(element.keywords), f"{element.label} {element.said}", element.label)


def fact_index(task: DeskTask) -> FactIndex:
    return _index(task.id, tuple(_view(e) for e in task.expected))


def _keyword_hits(norm: str, element: Expected) -> int:
    return sum(1 for k in element.keywords if has_keyword(norm, k))


#: the flag the manager leaves when she asks for an element: « desk_asked:<element id>:<first message> »
ASKED = "desk_asked"


def asked_in(flags: Sequence[str]) -> Tuple[str, int] | None:
    """The element the manager asked for and the first message that answers her, from the state's flags."""
    for flag in flags:
        if flag.startswith(f"{ASKED}:"):
            _, element_id, first = flag.split(":")
            return element_id, int(first)
    return None


def _restitutes(reads: Sequence[Read], task: DeskTask, asked: Tuple[str, int] | None) -> Dict[str, List[Read]]:
    """Element id → the sentences that restitute it. A message that answers the manager's request
    restitutes the element she asked for with one of its keywords (the question gives the context)."""
    index = fact_index(task)
    found: Dict[str, List[Read]] = {}
    for r in reads:
        ids: Set[str] = set()
        best = index.best(r.text, topic_scores(r.text)) if len(r.u.normalized.split()) >= 3 else None
        if best is not None and best[1] >= MATCH_MIN:
            ids.add(best[0])
        for element in task.expected:
            needed = min(KEYWORD_HITS, len(element.keywords))
            if asked is not None and element.id == asked[0] and r.message >= asked[1]:
                needed = 1
            if _keyword_hits(r.u.normalized, element) >= needed:
                ids.add(element.id)
        for element_id in ids:
            found.setdefault(element_id, []).append(r)
    return found


# -------------------------------------------------------------------- figures
def _values(r: Read, kind: str) -> List[float]:
    figures = r.u.figures
    if kind == "montant":
        return [m.value for m in figures.money]
    if kind == "pourcentage":
        return list(figures.percents)
    if kind == "nombre":
        return numbers(r.text)
    return []


def _close(a: float, b: float, tolerance: float) -> bool:
    return abs(a - b) <= max(tolerance * abs(b), 0.005)


def known_values(task: DeskTask, derived: bool = True) -> List[float]:
    """Amounts and percentages the meeting or the task knows; with ``derived``, also the sums and
    differences of two amounts (« un dépassement de 20 200 € » is computed, not invented)."""
    return _known(task.id, tuple(line.text for line in task.meeting.record), tuple(_figure_values(task)), derived)


def _figure_values(task: DeskTask) -> List[float]:
    return [float(f.value) for f in task.figures if f.kind != "date"]


@lru_cache(maxsize=32)
def _known(task_id: str, record: Tuple[str, ...], expected: Tuple[float, ...], derived: bool) -> List[float]:
    values: Set[float] = set(expected)
    amounts: Set[float] = {v for v in expected if v >= 100}
    for text in record:
        u = understand(text)
        amounts |= {m.value for m in u.figures.money}
        values |= set(u.figures.percents) | set(numbers(text))
    values |= amounts
    if not derived:
        return sorted(values)
    values |= {a + b for a in amounts for b in amounts} | {abs(a - b) for a in amounts for b in amounts}
    return sorted(values)


def _check_figure(figure: Figure, reads: Sequence[Read], known: Sequence[float]) -> FigureCheck:
    tied = [r for r in reads if any(has_keyword(r.u.normalized, k) for k in figure.keywords)]
    if figure.kind == "date":
        day, month = _day_month(str(figure.value))
        for r in tied:
            dates = r.u.figures.dates
            if day in dates.day_numbers and (month in dates.months or not dates.months):
                return FigureCheck(figure, "exact", f"{day}/{month}", r.message)
        other = next((r for r in tied if r.u.figures.dates.day_numbers), None)
        if other is not None:
            return FigureCheck(figure, "faux", r_date(other), other.message)
        return FigureCheck(figure, "absent")
    expected = float(figure.value)
    exact: Read | None = None
    for r in tied:
        values = _values(r, figure.kind)
        if any(_close(v, expected, figure.tolerance) for v in values):
            exact = exact or r
            continue
        # another value where this figure is expected, that the meeting never said and that could be
        # taken for it (same order of magnitude): the report says something false, even if right elsewhere
        unknown = [v for v in values if _mistakable(v, expected) and not any(_close(v, k, 0.001) for k in known)]
        if unknown:
            return FigureCheck(figure, "faux", _shown(unknown[0]), r.message)
    if exact is not None:
        return FigureCheck(figure, "exact", _shown(expected), exact.message)
    return FigureCheck(figure, "absent")


#: a value this close to the expected one (ratio) can be taken for it: 110 000 for 120 000, not 20 200
MISTAKABLE = 2.0


def _mistakable(value: float, expected: float) -> bool:
    if not value or not expected:
        return False
    ratio = value / expected
    return 1 / MISTAKABLE <= ratio <= MISTAKABLE


def _invented(reads: Sequence[Read], known: Sequence[float], wrong: Set[Tuple[int, str]]) -> List[Tuple[int, str]]:
    out: List[Tuple[int, str]] = []
    for r in reads:
        for value in [m.value for m in r.u.figures.money] + list(r.u.figures.percents):
            shown = _shown(value)
            known_here = any(_close(value, k, 0.001) for k in known)
            if not known_here and (r.message, shown) not in wrong and (r.message, shown) not in out:
                out.append((r.message, shown))
    return out


def _shown(value: float) -> str:
    from bot.engine.simulation import fmt

    return fmt(value)


def _day_month(iso: str) -> Tuple[int, int]:
    _, month, day = iso.split("-")
    return int(day), int(month)


def r_date(r: Read) -> str:
    dates = r.u.figures.dates
    day = dates.day_numbers[0] if dates.day_numbers else ""
    month = f"/{dates.months[0]}" if dates.months else ""
    return f"{day}{month}"


# ---------------------------------------------------------------------- steps
def _check_step(step: Step, said: Sequence[Read]) -> StepCheck:
    if not said:
        return StepCheck(step, "absente")
    first = said[0].message
    if step.date is None:
        dated = next((r for r in said if r.u.figures.dates.dated), None)
        return StepCheck(step, "datee" if dated else "sans_date", dated.message if dated else first)
    day, month = _day_month(step.date)
    for r in said:
        dates = r.u.figures.dates
        if day in dates.day_numbers and (month in dates.months or not dates.months):
            return StepCheck(step, "datee", r.message)
    if any(r.u.figures.dates.day_numbers or r.u.figures.dates.months for r in said):
        return StepCheck(step, "mauvaise_date", first)
    if any(r.u.figures.dates.dated for r in said):
        return StepCheck(step, "date_vague", first)
    return StepCheck(step, "sans_date", first)


def check(task: DeskTask, messages: Sequence[str], asked: Tuple[str, int] | None = None) -> ReportCheck:
    """Check the report written in ``messages`` (in order) against the task; ``asked``: the element the
    manager asked for and the first message written after her request (:func:`asked_in`)."""
    reads = read(messages)
    result = ReportCheck(task, messages=len(messages))
    result.words = sum(len(r.u.normalized.split()) for r in reads)
    said = _restitutes(reads, task, asked)
    for element_id, where in said.items():
        result.covered[element_id] = where[0].message
    known = known_values(task)
    literal = known_values(task, derived=False)  # a tied figure is wrong unless the meeting said it
    result.figures = [_check_figure(f, reads, literal) for f in task.figures]
    wrong = {(f.message, f.written) for f in result.figures if f.status == "faux" and f.message is not None}
    result.invented = _invented(reads, known, wrong)
    result.steps = [_check_step(s, said.get(s.id, [])) for s in [*task.commitments, *task.next_steps]]
    whole = [(r.message, r.u.normalized) for r in reads]
    for section in task.sections:
        where = next((m for m, norm in whole if any(has_keyword(norm, k) for k in section.keywords)), None)
        if where is not None:
            result.sections[section.id] = where
    return result
