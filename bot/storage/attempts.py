"""Attempts compared: one learner's two sessions of a scenario side by side, and a class's progression.

Levels are the effective ones (a teacher's override wins over the automatic score, as
everywhere on the teacher pages); the passages that explain a level are the evidence
turns the assessment stored with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import mean
from typing import Dict, List, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.assessment.rubric import Criterion, Rubric
from bot.storage.class_views import criterion_summaries
from bot.storage.models import CriterionScore, Learner, ScoreOverride, SimSession
from bot.storage.results import LEVELS

CHANGE_LABELS = {"up": "progrès", "down": "recul", "same": "stable", "new": "évalué une seule fois", "na": "non évalué"}


def change(before: int | None, after: int | None) -> str:
    if before is None and after is None:
        return "na"
    if before is None or after is None:
        return "new"
    return "up" if after > before else "down" if after < before else "same"


def scored_attempts(db: Session, learner_id: str, scenario_id: str) -> List[SimSession]:
    """The learner's scored sessions of the scenario, oldest first (attempt 1, 2…)."""
    return list(
        db.scalars(
            select(SimSession)
            .where(
                SimSession.learner_id == learner_id,
                SimSession.scenario_id == scenario_id,
                SimSession.scored_at.is_not(None),
            )
            .order_by(SimSession.started_at)
        )
    )


@dataclass
class Side:
    """One criterion in one attempt: level, explanation and the passages that justify it."""

    score: int | None = None
    level: str = "na"
    explanation: str = ""
    passages: List[dict] = field(default_factory=list)
    comment: str = ""


@dataclass
class CriterionChange:
    criterion: Criterion
    before: Side
    after: Side

    @property
    def change(self) -> str:
        return change(self.before.score, self.after.score)

    @property
    def change_label(self) -> str:
        return CHANGE_LABELS[self.change]


def _sides(db: Session, session: SimSession) -> Dict[str, Side]:
    sides: Dict[str, Side] = {}
    for s in db.scalars(select(CriterionScore).where(CriterionScore.session_id == session.id)):
        passages = [{"turn": e.get("turn"), "text": e.get("text")} for e in s.evidence_turns or []]
        sides[s.criterion_id] = Side(s.score, s.level, s.explanation, passages)
    for o in db.scalars(select(ScoreOverride).where(ScoreOverride.session_id == session.id)):
        side = sides.setdefault(o.criterion_id, Side())
        side.score, side.comment = o.score, o.comment
        side.level = LEVELS.get(o.score, "na") if o.score is not None else "na"
    return sides


def compare(db: Session, before: SimSession, after: SimSession, rubric: Rubric) -> List[CriterionChange]:
    """Every rubric criterion, the earlier attempt beside the later one."""
    a, b = _sides(db, before), _sides(db, after)
    graded = set(a) | set(b)
    buying = any(c.kinds for c in rubric.criteria if c.id in graded)
    # the criteria of the attempts' grid: a sale has no purchasing criteria, a purchase no seller's
    return [
        CriterionChange(c, a.get(c.id, Side()), b.get(c.id, Side()))
        for c in rubric.criteria
        if c.id in graded or not (c.kinds or buying)
    ]


@dataclass
class Trend:
    """One criterion over a class: first and last attempt of every learner with two attempts or more."""

    criterion: Criterion
    pairs: List[tuple] = field(default_factory=list)  # (learner_id, first, last)

    @property
    def first_mean(self) -> float | None:
        return mean(p[1] for p in self.pairs) if self.pairs else None

    @property
    def last_mean(self) -> float | None:
        return mean(p[2] for p in self.pairs) if self.pairs else None

    def count(self, kind: str) -> int:
        return sum(1 for _, first, last in self.pairs if change(first, last) == kind)


def class_progression(db: Session, learners: Sequence[Learner], rubric: Rubric, scenario_id: str = "") -> List[Trend]:
    """Per criterion, each learner's first and last scored attempt (optionally on one scenario)."""
    summaries = criterion_summaries(db, [lr.id for lr in learners], scenario_id)
    trends = [Trend(c) for c in rubric.criteria]
    for trend in trends:
        for lid in sorted(lr.id for lr in learners):
            summary = summaries.get((lid, trend.criterion.id))
            if summary is not None and summary.sessions >= 2:
                trend.pairs.append((lid, summary.first, summary.latest))
    return trends
