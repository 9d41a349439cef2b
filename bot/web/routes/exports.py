"""The teacher's exports: the scores as CSV (one row per session × criterion) and the PDF fiche of a
session; both carry the final grade (the teacher's scores win) beside the automatic one."""

from __future__ import annotations

from typing import Callable

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage.models import ScoreOverride, User
from bot.storage.score_export import chunked, scores_csv
from bot.web.debrief_view import blocks
from bot.web.deps import get_db, teacher_user
from bot.web.grades import grades_for
from bot.web.pdf import fiche_pdf
from bot.web.routes.teacher import own_group, parse_filter, visible_session
from bot.web.sheet_view import session_sheet_view

router = APIRouter()


def csv_download(
    request: Request, db: Session, user: User, filename: str, alias: Callable[[str, str], str] | None = None
) -> StreamingResponse:
    """The scores CSV of the sessions the list's filters select, narrowed to one of the teacher's
    classes with ``?classe=<id>``; ``alias`` pseudonymises it (bot.storage.score_export.scores_csv).
    Streamed: the database is read before this returns, the 3.4 MB of a class leave as written."""
    flt = parse_filter(db, user, request)
    group_id = request.query_params.get("classe", "")
    if group_id.isdigit():
        flt.learner_ids = [lr.id for lr in own_group(db, user, int(group_id)).learners]
    lines = scores_csv(db, flt, request.app.state.rubric(), request.app.state.library().kinds, alias=alias)
    return StreamingResponse(
        chunked(lines),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/enseignant/export.csv")
def export_csv(
    request: Request, user: User = Depends(teacher_user), db: Session = Depends(get_db)
) -> StreamingResponse:
    return csv_download(request, db, user, "scores.csv")


@router.get("/enseignant/seances/{session_id}/fiche.pdf")
def export_pdf(
    session_id: str, request: Request, user: User = Depends(teacher_user), db: Session = Depends(get_db)
) -> Response:
    session = visible_session(db, user, session_id)
    library = request.app.state.library()
    scenario = library.scenarios.get(session.scenario_id)
    overrides = {
        o.criterion_id: o for o in db.scalars(select(ScoreOverride).where(ScoreOverride.session_id == session.id))
    }
    learner = session.learner
    pdf = fiche_pdf(
        session,
        request.app.state.rubric(),
        scenario.title if scenario else session.scenario_id,
        learner.display_name if learner else session.learner_id,
        learner.group.name if learner and learner.group else "",
        overrides,
        session_sheet_view(db, session.id)[1],
        grade=grades_for(request, db, [session])[session.id],
        self_assessment=blocks(request, db, session),
        kind=scenario.kind if scenario else None,
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="fiche-{session.id[:8]}.pdf"'},
    )
