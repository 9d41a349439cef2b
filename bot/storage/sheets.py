"""Where the student's preparation sheets live, and which session each one prepared.

A learner has at most one *current* sheet per scenario (no session yet): drafts overwrite it, a
submission stamps it. When a session of that scenario is scored, the sheet submitted before the
session started is tied to it (one sheet per session) and scores its C1.1 criteria; the next attempt
starts from a copy of it as a new draft.
"""

from __future__ import annotations

from datetime import datetime
from typing import Tuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.assessment.preparation_sheet import PreparationSheet, parse_sheet
from bot.storage.models import Learner, PreparationSheetRow


def current_sheet(db: Session, learner_id: str, scenario_id: str) -> PreparationSheetRow | None:
    """The learner's sheet for the scenario not yet tied to a session (draft or submitted)."""
    return db.scalar(
        select(PreparationSheetRow)
        .where(
            PreparationSheetRow.learner_id == learner_id,
            PreparationSheetRow.scenario_id == scenario_id,
            PreparationSheetRow.session_id.is_(None),
        )
        .order_by(PreparationSheetRow.updated_at.desc())
        .limit(1)
    )


def last_used_sheet(db: Session, learner_id: str, scenario_id: str) -> PreparationSheetRow | None:
    """The sheet of the learner's latest session of this scenario (to start the next draft from)."""
    return db.scalar(
        select(PreparationSheetRow)
        .where(
            PreparationSheetRow.learner_id == learner_id,
            PreparationSheetRow.scenario_id == scenario_id,
            PreparationSheetRow.session_id.is_not(None),
        )
        .order_by(PreparationSheetRow.updated_at.desc())
        .limit(1)
    )


def sheet_to_edit(
    db: Session, learner_id: str, scenario_id: str
) -> Tuple[PreparationSheet, PreparationSheetRow | None]:
    """What the form shows: the current sheet, else a copy of the last one used, else an empty sheet."""
    row = current_sheet(db, learner_id, scenario_id)
    source = row or last_used_sheet(db, learner_id, scenario_id)
    return (parse_sheet(source.content) if source else PreparationSheet()), row


def save_sheet(
    db: Session, learner_id: str, scenario_id: str, sheet: PreparationSheet, submit: bool = False
) -> PreparationSheetRow:
    """Save the learner's current sheet as a draft, or submit it (a later edit makes it a draft again)."""
    if db.get(Learner, learner_id) is None:
        db.add(Learner(id=learner_id, display_name=learner_id[:120]))
    row = current_sheet(db, learner_id, scenario_id)
    now = datetime.utcnow()
    if row is None:
        row = PreparationSheetRow(learner_id=learner_id, scenario_id=scenario_id, created_at=now)
        db.add(row)
    row.content = sheet.to_json()
    row.updated_at = now
    row.submitted_at = now if submit else None
    db.commit()
    return row


def submitted_sheet(db: Session, learner_id: str, scenario_id: str) -> PreparationSheetRow | None:
    """The current sheet if it was submitted: what an exam needs before it starts."""
    row = current_sheet(db, learner_id, scenario_id)
    return row if row is not None and row.submitted_at is not None else None


def session_sheet(db: Session, session_id: str) -> PreparationSheetRow | None:
    return db.scalar(select(PreparationSheetRow).where(PreparationSheetRow.session_id == session_id))


def preparing_sheet(
    db: Session, session_id: str, learner_id: str, scenario_id: str, started_at: datetime
) -> PreparationSheetRow | None:
    """The sheet that prepared this session: the one already tied to it, else the current sheet
    submitted before the session started (tie it with :func:`tie_sheet` once the session is stored)."""
    row = session_sheet(db, session_id)
    if row is None:
        row = submitted_sheet(db, learner_id, scenario_id)
        if row is None or row.submitted_at > started_at:
            return None
    return row


def tie_sheet(db: Session, row: PreparationSheetRow, session_id: str) -> None:
    """One sheet per session: the sheet is no longer the learner's current one."""
    if row.session_id is None:
        db.flush()  # the session row first (foreign key)
        row.session_id = session_id
