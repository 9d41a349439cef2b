"""The teacher's class views read from the learner record: the heat map of levels (learners ×
criteria), a learner's progression per criterion, and how often the teacher's overrides agree
with the automatic scores. Aggregated by the database where a class holds thousands of scores."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Dict, List, Sequence

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bot.assessment.rubric import Rubric
from bot.storage.models import CriterionScore, Learner, ScoreOverride, SimSession
from bot.storage.results import effective_scores


@dataclass
class HeatCell:
    latest: int | None = None
    best: int | None = None
    sessions: int = 0


@dataclass
class Heatmap:
    learners: List[Learner]
    criteria: List[str]
    cells: Dict[str, Dict[str, HeatCell]] = field(default_factory=dict)


@dataclass
class CriterionSummary:
    """One learner × one criterion over their scored sessions (levels that are not « na »)."""

    first: int
    latest: int
    best: int
    sessions: int


def criterion_summaries(
    db: Session, learner_ids: Sequence[str], scenario_id: str = ""
) -> Dict[tuple, CriterionSummary]:
    """(learner, criterion) -> first, latest and best level and the number of sessions, the teacher's
    override winning over the automatic score.

    Aggregated by the database, one row per cell: a class of 25 learners has some 15,000
    scores, which took seconds to load as ORM objects and still a few hundred milliseconds
    as plain rows (scripts/bench_teacher.py). The first and latest levels are found by
    joining back on the first and latest dates (a window function sorting by the text keys
    was slower); same SQL on SQLite and PostgreSQL.
    """
    if not learner_ids:
        return {}
    score = case((ScoreOverride.id.is_not(None), ScoreOverride.score), else_=CriterionScore.score)
    cells = (
        select(
            SimSession.learner_id.label("learner_id"),
            CriterionScore.criterion_id.label("criterion_id"),
            SimSession.started_at.label("started_at"),
            score.label("score"),
        )
        .join(CriterionScore, CriterionScore.session_id == SimSession.id)
        .outerjoin(
            ScoreOverride,
            (ScoreOverride.session_id == CriterionScore.session_id)
            & (ScoreOverride.criterion_id == CriterionScore.criterion_id),
        )
        .where(SimSession.learner_id.in_(list(learner_ids)), SimSession.scored_at.is_not(None), score.is_not(None))
    )
    if scenario_id:
        cells = cells.where(SimSession.scenario_id == scenario_id)
    cells = cells.cte("cells")
    totals = (
        select(
            cells.c.learner_id,
            cells.c.criterion_id,
            func.min(cells.c.started_at).label("first_at"),
            func.max(cells.c.started_at).label("latest_at"),
            func.max(cells.c.score).label("best"),
            func.count().label("sessions"),
        )
        .group_by(cells.c.learner_id, cells.c.criterion_id)
        .subquery()
    )
    first, latest = cells.alias("first_cell"), cells.alias("latest_cell")

    def same_cell(other, moment):
        return (
            (other.c.learner_id == totals.c.learner_id)
            & (other.c.criterion_id == totals.c.criterion_id)
            & (other.c.started_at == moment)
        )

    query = (
        select(
            totals.c.learner_id,
            totals.c.criterion_id,
            func.max(first.c.score),
            func.max(latest.c.score),
            totals.c.best,
            totals.c.sessions,
        )
        .join(first, same_cell(first, totals.c.first_at))
        .join(latest, same_cell(latest, totals.c.latest_at))
        .group_by(totals.c.learner_id, totals.c.criterion_id, totals.c.best, totals.c.sessions)
    )
    return {
        (learner_id, criterion_id): CriterionSummary(first_score, latest_score, best, count)
        for learner_id, criterion_id, first_score, latest_score, best, count in db.connection().execute(query)
    }


def heatmap(db: Session, learners: List[Learner], rubric: Rubric) -> Heatmap:
    """Learners × criteria: latest and best level over the scored sessions."""
    ids = [learner.id for learner in learners]
    criteria = [c.id for c in rubric.criteria]
    result = Heatmap(learners, criteria, {lid: {cid: HeatCell() for cid in criteria} for lid in ids})
    for (learner_id, criterion_id), summary in criterion_summaries(db, ids).items():
        cell = result.cells[learner_id].get(criterion_id)
        if cell is not None:
            cell.latest, cell.best, cell.sessions = summary.latest, summary.best, summary.sessions
    return result


def progress(db: Session, learner_id: str) -> Dict[str, List[tuple]]:
    """criterion -> [(started_at, score)] over the learner's scored sessions, oldest first."""
    sessions = list(
        db.execute(
            select(SimSession.id, SimSession.started_at)
            .where(SimSession.learner_id == learner_id, SimSession.scored_at.is_not(None))
            .order_by(SimSession.started_at)
        )
    )
    scores = effective_scores(db, [session_id for session_id, _ in sessions])
    series: Dict[str, List[tuple]] = defaultdict(list)
    for session_id, started_at in sessions:
        for cid, score in sorted(scores.get(session_id, {}).items()):
            if score is not None:
                series[cid].append((started_at, score))
    return dict(series)


@dataclass
class Agreement:
    criterion_id: str
    compared: int = 0
    within_one: int = 0
    exact: int = 0

    @property
    def within_one_rate(self) -> float | None:
        return self.within_one / self.compared if self.compared else None

    @property
    def exact_rate(self) -> float | None:
        return self.exact / self.compared if self.compared else None


def agreement(db: Session, learner_ids: Sequence[str] | None, rubric: Rubric) -> List[Agreement]:
    """Per criterion, how often the teacher's override agrees with the automatic score."""
    stats = {c.id: Agreement(c.id) for c in rubric.criteria}
    query = (
        select(ScoreOverride, CriterionScore)
        .join(
            CriterionScore,
            (CriterionScore.session_id == ScoreOverride.session_id)
            & (CriterionScore.criterion_id == ScoreOverride.criterion_id),
        )
        .join(SimSession, SimSession.id == ScoreOverride.session_id)
    )
    if learner_ids is not None:
        query = query.where(SimSession.learner_id.in_(list(learner_ids)))
    for override, auto in db.execute(query):
        item = stats.get(override.criterion_id)
        if item is None or override.score is None or auto.score is None:
            continue
        item.compared += 1
        item.within_one += abs(override.score - auto.score) <= 1
        item.exact += override.score == auto.score
    return list(stats.values())
