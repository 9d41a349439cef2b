"""Read side of the learner record: the results API shape, dashboards and exports."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from typing import Any, Dict, List, Mapping, Sequence

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql import Select

from bot.assessment.grading import FinalGrade, final_grade
from bot.assessment.rubric import Rubric
from bot.config import get_settings
from bot.storage.models import CriterionScore, Learner, MoveCorrection, ScoreOverride, SimSession, Turn, User

LEVELS = {0: "TI", 1: "I", 2: "S", 3: "TS"}


def iso(moment: datetime | None) -> str | None:
    return moment.replace(tzinfo=timezone.utc).isoformat().replace("+00:00", "Z") if moment else None


def session_json(session: SimSession, grade: FinalGrade | None = None) -> Dict[str, Any]:
    """One session exactly as ``contract.md`` §6, plus the teacher's overrides: ``grade_20`` is the final
    grade (the teacher's scores win), ``grade_20_automatic`` the one the assessment proposed."""
    criteria: Dict[str, Any] = {}
    for score in sorted(session.scores, key=lambda s: s.criterion_id):
        criteria[score.criterion_id] = {
            "score": score.score,
            "level": score.level,
            "evidence": [{"turn": e.get("turn"), "text": e.get("text")} for e in score.evidence_turns or []],
        }
    overrides = {
        o.criterion_id: {"score": o.score, "level": o.level, "comment": o.comment} for o in _overrides(session)
    }
    turns = []
    for turn in session.turns:
        item: Dict[str, Any] = {"n": turn.n, "speaker": turn.speaker, "text": turn.text}
        if turn.speaker == "learner":
            item["intent"] = turn.intent
            item["confidence"] = round(turn.confidence, 4) if turn.confidence is not None else None
        turns.append(item)
    return {
        "session_id": session.id,
        "learner_id": session.learner_id,
        "scenario_id": session.scenario_id,
        "started_at": iso(session.started_at),
        "ended_at": iso(session.ended_at),
        "outcome": session.outcome or "open",
        "grade_20": (grade.final if grade else session.grade_20) if session.ended_at else None,
        "grade_20_automatic": session.grade_20 if session.ended_at else None,
        "criteria": criteria,
        "teacher_overrides": overrides,
        "turns": turns,
    }


def _overrides(session: SimSession) -> List[ScoreOverride]:
    db = Session.object_session(session)
    if db is None:
        return []
    return list(db.scalars(select(ScoreOverride).where(ScoreOverride.session_id == session.id)))


def learner_sessions(db: Session, learner_id: str) -> List[SimSession]:
    """A learner's sessions, newest first, with turns and scores loaded."""
    return list(
        db.scalars(
            select(SimSession)
            .where(SimSession.learner_id == learner_id)
            .options(selectinload(SimSession.turns), selectinload(SimSession.scores))
            .order_by(SimSession.started_at.desc())
        )
    )


def session_grades(
    db: Session, sessions: Sequence[SimSession], rubric: Rubric, kinds: Mapping[str, str | None]
) -> Dict[str, FinalGrade]:
    """session id → its final grade (:func:`bot.assessment.grading.final_grade`); ``kinds`` gives each
    scenario's kind of situation (its weights)."""
    ids = [s.id for s in sessions]
    autos = by_session(db, ids, CriterionScore.score)
    overrides = by_session(db, ids, ScoreOverride.score)
    return {
        s.id: final_grade(
            rubric,
            s.scenario_id,
            kinds.get(s.scenario_id),
            s.grade_20,
            first_values(autos.get(s.id, {})),
            first_values(overrides.get(s.id, {})),
        )
        for s in sessions
    }


def first_values(session_values: Mapping[str, tuple]) -> Dict[str, Any]:
    """criterion -> score, from one session of :func:`by_session` read with the score column first."""
    return {criterion: values[0] for criterion, values in session_values.items()}


@dataclass
class SessionFilter:
    learner_ids: Sequence[str] | None = None
    scenario_id: str = ""
    learner_id: str = ""
    outcome: str = ""
    date_from: date | None = None
    date_to: date | None = None


def list_sessions(db: Session, flt: SessionFilter, limit: int = 500, offset: int = 0) -> List[SimSession]:
    query = filtered_sessions(select(SimSession).options(selectinload(SimSession.learner)), flt)
    return list(db.scalars(query.limit(limit).offset(offset)))


def filtered_sessions(query: Select, flt: SessionFilter) -> Select:
    """``query`` (of the sessions, as objects or columns) narrowed to ``flt``, newest first."""
    query = query.order_by(SimSession.started_at.desc())
    if flt.learner_ids is not None:
        query = query.where(SimSession.learner_id.in_(list(flt.learner_ids)))
    if flt.scenario_id:
        query = query.where(SimSession.scenario_id == flt.scenario_id)
    if flt.learner_id:
        query = query.where(SimSession.learner_id == flt.learner_id)
    if flt.outcome:
        query = query.where(SimSession.outcome == flt.outcome)
    if flt.date_from:
        query = query.where(SimSession.started_at >= datetime.combine(flt.date_from, time.min))
    if flt.date_to:
        query = query.where(SimSession.started_at <= datetime.combine(flt.date_to, time.max))
    return query


def effective_scores(db: Session, session_ids: Sequence[str]) -> Dict[str, Dict[str, int | None]]:
    """session -> criterion -> score, the teacher's override winning over the automatic one.

    Plain columns, not ORM objects: a class holds some 15,000 scores and building that many
    objects (with their JSON evidence) took seconds (scripts/bench_teacher.py).
    """
    out: Dict[str, Dict[str, int | None]] = defaultdict(dict)
    if not session_ids:
        return out
    ids = list(session_ids)
    for table in (CriterionScore, ScoreOverride):  # the override second: it wins
        rows = db.execute(select(table.session_id, table.criterion_id, table.score).where(table.session_id.in_(ids)))
        for session_id, criterion_id, score in rows:
            out[session_id][criterion_id] = score
    return out


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


def set_override(
    db: Session, session: SimSession, criterion_id: str, score: int | None, comment: str, teacher: User
) -> ScoreOverride:
    row = db.scalar(
        select(ScoreOverride).where(ScoreOverride.session_id == session.id, ScoreOverride.criterion_id == criterion_id)
    )
    if row is None:
        row = ScoreOverride(session_id=session.id, criterion_id=criterion_id)
        db.add(row)
    row.score = score
    row.level = LEVELS.get(score, "na") if score is not None else "na"
    row.comment = comment.strip()[: get_settings().comment_max_chars]
    row.teacher_id = teacher.id
    row.created_at = datetime.utcnow()
    return row


def set_correction(db: Session, turn: Turn, intent: str, teacher: User) -> MoveCorrection:
    row = db.scalar(select(MoveCorrection).where(MoveCorrection.turn_id == turn.id))
    if row is None:
        row = MoveCorrection(turn_id=turn.id)
        db.add(row)
    row.intent = intent
    row.teacher_id = teacher.id
    row.created_at = datetime.utcnow()
    return row


def corrections(db: Session) -> List[tuple]:
    """(intent, learner text) of every teacher correction, oldest first."""
    rows = db.execute(
        select(MoveCorrection.intent, Turn.text)
        .join(Turn, Turn.id == MoveCorrection.turn_id)
        .order_by(MoveCorrection.id)
    )
    return [(intent, text) for intent, text in rows]


def by_session(db: Session, session_ids: List[str], *columns) -> Dict[str, Dict[str, tuple]]:
    """session -> criterion -> the values of ``columns`` (of the scores or the overrides table).

    Plain columns, not ORM objects: a class's export holds some 15,000 scores
    (scripts/bench_teacher.py).
    """
    table = columns[0].class_
    out: Dict[str, Dict[str, tuple]] = defaultdict(dict)
    if not session_ids:
        return out
    query = select(table.session_id, table.criterion_id, *columns).where(table.session_id.in_(session_ids))
    for session_id, criterion_id, *values in db.connection().execute(query).all():  # fetchall: one call
        out[session_id][criterion_id] = tuple(values)
    return out
