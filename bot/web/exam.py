"""Exam mode needs the written preparation: the rule shared by every way a simulation starts on the web."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException
from sqlalchemy.orm import Session

from bot.storage.sheets import submitted_sheet

EXAM_NEEDS_SHEET = "Mode examen : remplissez et validez votre fiche de préparation avant de commencer l'entretien."


def needs_sheet(scenario_id: str) -> bool:
    """A negotiation is prepared on a sheet; a desk task (C3) is not: its input is the meeting record."""
    from bot.engine.desk_schema import is_desk
    from bot.engine.library import default_library

    return not is_desk(default_library().scenarios.get(scenario_id))


def exam_ready(db: Session, learner_id: str, scenario_id: str) -> bool:
    return not needs_sheet(scenario_id) or submitted_sheet(db, learner_id, scenario_id) is not None


def require_sheet_for_exam(db: Session, learner_id: str, scenario_id: Any, mode: Any) -> None:
    """An exam starts only once the sheet of that scenario is submitted (409, the reason in French);
    in training the sheet is optional."""
    if mode == "exam" and isinstance(scenario_id, str) and not exam_ready(db, learner_id, scenario_id):
        raise HTTPException(status_code=409, detail=EXAM_NEEDS_SHEET)
