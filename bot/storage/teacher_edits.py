"""What a teacher writes on a learner's record: a score override (the teacher's word is final in
every grade) and a move correction (the intent a learner's message should have had, exported as
NLU training data)."""

from __future__ import annotations

from datetime import datetime
from typing import List

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import get_settings
from bot.storage.models import MoveCorrection, ScoreOverride, SimSession, Turn, User
from bot.storage.results import LEVELS


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
