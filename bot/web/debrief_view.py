"""What the debrief pages of the student and of the teacher both show: the coach's debrief in
sections, and the student's self-assessment beside the automatic level of each competence block."""

from __future__ import annotations

from typing import Any, Dict, List

from fastapi import Request
from sqlalchemy.orm import Session

from bot.storage.debrief_records import self_assessment
from bot.storage.models import SimSession
from bot.web.routes.student import competence_averages, session_groups, session_kind

LEVEL_NAMES = {0: "TI", 1: "I", 2: "S", 3: "TS"}


def debrief_sections(session: SimSession) -> List[Dict[str, str]]:
    """The coach's debrief of the session (its last « debrief » line), one section per paragraph."""
    texts = [t.text for t in session.turns if t.speaker == "coach" and t.kind == "debrief"]
    if not texts:
        return []
    sections = []
    for block in texts[-1].split("\n\n"):
        head, _, body = block.strip().partition("\n")
        if head:
            sections.append({"title": head.rstrip(" :"), "body": body})
    return sections


def blocks(request: Request, db: Session, session: SimSession) -> List[Dict[str, Any]]:
    """Per competence block: its label, the student's own level and the automatic mean level."""
    rubric = request.app.state.rubric()
    own = self_assessment(db, session.id)
    kind = session_kind(request, session)
    automatic = competence_averages(session, rubric, kind)
    rows = []
    for block in session_groups(rubric, kind):
        spec = rubric.groups[block]
        mean = automatic.get(spec["label"])
        auto = None if mean is None else round(mean)
        mine = own.get(block)
        rows.append(
            {
                "id": block,
                "label": spec["label"],
                "self": None if mine is None else LEVEL_NAMES[mine],
                "auto": "na" if auto is None else LEVEL_NAMES[auto],
                "gap": None if mine is None or auto is None else mine - auto,
            }
        )
    return rows
