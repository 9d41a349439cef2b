"""What the debrief adds to the learner record: the student's self-assessment and released model transcripts.

The self-assessment is asked *before* the automatic scores are shown (the student judges their own
performance first, then compares); it is one level 0-3 per competence block of the grid. A model
transcript (« corrigé ») is shown to a student only once a teacher released it, for that session or
for the student's whole class on that scenario: after an attempt, never before.
"""

from __future__ import annotations

from datetime import datetime
from typing import Dict, Mapping

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.storage.models import ModelRelease, SelfAssessment, SimSession, User

#: the levels a student may give themself (the grid's 0-3)
SELF_LEVELS = (0, 1, 2, 3)


def self_assessment(db: Session, session_id: str) -> Dict[str, int]:
    """block → the level the student gave themself ({} when not filled in yet)."""
    rows = db.scalars(select(SelfAssessment).where(SelfAssessment.session_id == session_id))
    return {row.block: row.score for row in rows}


def save_self_assessment(db: Session, session: SimSession, levels: Mapping[str, int]) -> None:
    """Keep the student's levels; a second submission is ignored (the first one was given blind)."""
    if self_assessment(db, session.id):
        return
    for block, score in levels.items():
        if score not in SELF_LEVELS:
            raise ValueError(f"niveau {score!r} hors de l'échelle 0-3")
        db.add(SelfAssessment(session_id=session.id, block=block, score=score, created_at=datetime.utcnow()))


def release_model(db: Session, session: SimSession, teacher: User, whole_class: bool) -> ModelRelease:
    """Release the scenario's model transcript to this session's student, or to the student's class."""
    group_id = session.learner.group_id if whole_class and session.learner else None
    row = ModelRelease(
        scenario_id=session.scenario_id,
        session_id=None if group_id else session.id,
        group_id=group_id,
        teacher_id=teacher.id,
        created_at=datetime.utcnow(),
    )
    db.add(row)
    return row


def model_released(db: Session, session: SimSession) -> bool:
    """Whether the student of this session may read the scenario's model transcript."""
    group_id = session.learner.group_id if session.learner else None
    scope = [ModelRelease.session_id == session.id]
    if group_id is not None:
        scope.append(ModelRelease.group_id == group_id)
    query = select(ModelRelease.id).where(ModelRelease.scenario_id == session.scenario_id, or_(*scope))
    return db.scalar(query.limit(1)) is not None
