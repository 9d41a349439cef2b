"""Assignments: what a teacher sets for a class, what each student still has to do, and the exam lock.

A session answers an assignment when its learner is in the class, it plays the
assignment's scenario and it started after the opening; for an exam, only exam-mode
sessions count. Nothing is written on the Rasa side: the link is computed here, in one
place, for the student's « À faire », the teacher's follow-up and the exam lock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Dict, Iterable, List, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage.models import Assignment, Group, Learner, SimSession, User

MODES = ("training", "exam")
MODE_LABELS = {"training": "entraînement", "exam": "examen"}
MAX_ATTEMPTS = 20
STATUS_LABELS = {
    "upcoming": "pas encore ouvert",
    "todo": "à faire",
    "in_progress": "commencé",
    "done": "rendu",
    "late": "rendu en retard",
    "missing": "non rendu",
}


class AssignmentError(ValueError):
    """A readable French message for the teacher's form or the student's start."""


def _when(moment: datetime) -> str:
    return moment.strftime("%d/%m/%Y à %H:%M")


def create_assignments(
    db: Session,
    group: Group,
    scenario_ids: Sequence[str],
    known_scenarios: Iterable[str],
    mode: str,
    opens_at: datetime | None,
    due_at: datetime | None,
    attempts_allowed: int,
    teacher: User,
) -> List[Assignment]:
    """One assignment per chosen scenario, all with the same mode, dates and attempts."""
    known = set(known_scenarios)
    chosen = list(dict.fromkeys(s for s in scenario_ids if s))
    if not chosen:
        raise AssignmentError("Choisissez au moins un scénario.")
    unknown = [s for s in chosen if s not in known]
    if unknown:
        raise AssignmentError(f"Scénario inconnu : {', '.join(unknown)}.")
    if mode not in MODES:
        raise AssignmentError("Mode inconnu : choisissez entraînement ou examen.")
    if opens_at is None or due_at is None:
        raise AssignmentError("Indiquez la date d'ouverture et la date limite.")
    if due_at <= opens_at:
        raise AssignmentError("La date limite doit être après la date d'ouverture.")
    if not 1 <= attempts_allowed <= MAX_ATTEMPTS:
        raise AssignmentError(f"Nombre de tentatives : de 1 à {MAX_ATTEMPTS}.")
    rows = [
        Assignment(
            group_id=group.id,
            scenario_id=scenario_id,
            mode=mode,
            opens_at=opens_at,
            due_at=due_at,
            attempts_allowed=attempts_allowed,
            teacher_id=teacher.id,
        )
        for scenario_id in chosen
    ]
    db.add_all(rows)
    db.flush()
    return rows


def group_assignments(db: Session, group_id: int) -> List[Assignment]:
    return list(
        db.scalars(select(Assignment).where(Assignment.group_id == group_id).order_by(Assignment.due_at, Assignment.id))
    )


def _answers(assignment: Assignment):
    """The query condition of the sessions that answer ``assignment`` (learner aside)."""
    condition = (SimSession.scenario_id == assignment.scenario_id) & (SimSession.started_at >= assignment.opens_at)
    if assignment.mode == "exam":
        condition = condition & (SimSession.mode == "exam")
    return condition


@dataclass
class Progress:
    """Where one learner stands on one assignment."""

    assignment: Assignment
    learner_id: str
    attempts: List[SimSession] = field(default_factory=list)
    now: datetime = field(default_factory=datetime.utcnow)
    #: session id -> final grade (a teacher's override wins); filled by the page, which knows the grid
    finals: Dict[str, float | None] = field(default_factory=dict)

    @property
    def submitted(self) -> List[SimSession]:
        return [s for s in self.attempts if s.ended_at is not None]

    @property
    def submitted_at(self) -> datetime | None:
        return min((s.ended_at for s in self.submitted), default=None)

    @property
    def best_grade(self) -> float | None:
        grades = [self.finals.get(s.id, s.grade_20) for s in self.submitted]
        grades = [g for g in grades if g is not None]
        return max(grades) if grades else None

    @property
    def attempts_left(self) -> int:
        return max(0, self.assignment.attempts_allowed - len(self.submitted))

    @property
    def locked(self) -> bool:
        """An exam with every allowed attempt submitted: no more attempts."""
        return self.assignment.mode == "exam" and self.attempts_left == 0

    @property
    def status(self) -> str:
        submitted_at = self.submitted_at
        if submitted_at is not None:
            return "late" if submitted_at > self.assignment.due_at else "done"
        if self.now < self.assignment.opens_at:
            return "upcoming"
        if self.now > self.assignment.due_at:
            return "missing"
        return "in_progress" if self.attempts else "todo"

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def _progress(db: Session, assignment: Assignment, learner_ids: Sequence[str], now: datetime) -> Dict[str, Progress]:
    out = {lid: Progress(assignment, lid, now=now) for lid in learner_ids}
    if not learner_ids:
        return out
    sessions = db.scalars(
        select(SimSession)
        .where(SimSession.learner_id.in_(list(learner_ids)), _answers(assignment))
        .order_by(SimSession.started_at)
    )
    for session in sessions:
        out[session.learner_id].attempts.append(session)
    return out


@dataclass
class Follow:
    """The teacher's view of one assignment: every learner of the class and where they stand."""

    assignment: Assignment
    rows: List[tuple]  # (Learner, Progress)

    def count(self, status: str) -> int:
        return sum(1 for _, p in self.rows if p.status == status)


def follow_up(db: Session, assignment: Assignment, now: datetime | None = None) -> Follow:
    learners = list(
        db.scalars(select(Learner).where(Learner.group_id == assignment.group_id).order_by(Learner.display_name))
    )
    progress = _progress(db, assignment, [lr.id for lr in learners], now or datetime.utcnow())
    return Follow(assignment, [(lr, progress[lr.id]) for lr in learners])


def to_do(db: Session, learner: Learner, now: datetime | None = None) -> List[Progress]:
    """The student's « À faire »: the assignments of their class, soonest deadline first."""
    if learner.group_id is None:
        return []
    now = now or datetime.utcnow()
    return [_progress(db, a, [learner.id], now)[learner.id] for a in group_assignments(db, learner.group_id)]


def check_start(db: Session, learner: Learner | None, scenario_id: str, mode: str, now: datetime | None = None) -> None:
    """Refuse an exam start that an assignment forbids: not open yet, or every attempt submitted.

    Only exam assignments lock; a training start is always allowed.
    """
    if mode != "exam" or learner is None or learner.group_id is None:
        return
    now = now or datetime.utcnow()
    exams = [a for a in group_assignments(db, learner.group_id) if a.mode == "exam" and a.scenario_id == scenario_id]
    if not exams:
        return
    progress = [_progress(db, a, [learner.id], now)[learner.id] for a in exams]
    if any(now >= p.assignment.opens_at and not p.locked for p in progress):
        return
    opening = [p.assignment.opens_at for p in progress if now < p.assignment.opens_at]
    if opening and all(not p.locked for p in progress if now >= p.assignment.opens_at):
        raise AssignmentError(f"Cet examen ouvre le {_when(min(opening))} : revenez à ce moment-là.")
    allowed = max(p.assignment.attempts_allowed for p in progress)
    raise AssignmentError(
        f"Examen déjà rendu ({allowed} tentative(s) autorisée(s)) : vous ne pouvez plus le recommencer. "
        "Vous pouvez toujours vous entraîner sur ce scénario en mode entraînement."
    )
