"""The final grade of the sessions a page shows (the teacher's scores win), from the app's grid and
scenarios: the pages, the fiche, the CSV and the API all call :func:`grades_for`."""

from __future__ import annotations

from typing import Dict, Sequence

from fastapi import Request
from sqlalchemy.orm import Session

from bot.assessment.grading import FinalGrade
from bot.storage.models import SimSession
from bot.storage.results import session_grades


def grades_for(request: Request, db: Session, sessions: Sequence[SimSession]) -> Dict[str, FinalGrade]:
    """session id → :class:`FinalGrade` (automatic, final, difference)."""
    return session_grades(db, sessions, request.app.state.rubric(), request.app.state.library().kinds)
