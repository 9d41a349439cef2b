"""Read side of the learner record: the results API shape, the session lists and their filter,
final grades and the per-session score reads the exports and the class views build on.

The class views (heat map, progression, agreement) are in bot/storage/class_views.py; what a
teacher writes on a record (overrides, move corrections) in bot/storage/teacher_edits.py."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Any, Dict, List, Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql import Select

from bot.assessment.grading import FinalGrade, final_grade
from bot.assessment.rubric import Rubric
from bot.storage.models import CriterionScore, ScoreOverride, SimSession

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
