"""The debrief page of a session: self-assessment first, then the scores, the debrief, the model transcript.

The student rates themself on each competence block *before* the automatic levels are shown (the
exam's « auto-analyse »); the page then puts both side by side. The teacher sees the same comparison
and may release the scenario's model transcript (« Publier le corrigé ») to this student or to the
student's whole class, once the attempt exists. The grade shown is the final one (the teacher's
scores win), labelled as the grid names it, with the automatic grade beside it when they differ.
"""

from __future__ import annotations

from typing import Any, Dict

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from bot.storage.debrief_records import (
    SELF_LEVELS,
    model_released,
    release_model,
    save_self_assessment,
    self_assessment,
)
from bot.storage.models import SimSession, User
from bot.web.charts import radar
from bot.web.debrief_view import LEVEL_NAMES, blocks, debrief_sections
from bot.web.deps import get_db, student_user, teacher_user
from bot.web.grades import grades_for
from bot.web.routes.student import competence_averages, session_criteria, session_groups, session_kind
from bot.web.routes.teacher import visible_session
from bot.web.security import csrf_ok
from bot.web.templating import render

router = APIRouter()


def own_session(db: Session, user: User, session_id: str) -> SimSession:
    session = db.get(SimSession, session_id)
    if session is None or session.learner_id != user.learner_id:
        raise HTTPException(status_code=404, detail="Séance introuvable.")
    return session


def debrief_context(request: Request, db: Session, session: SimSession) -> Dict[str, Any]:
    rubric = request.app.state.rubric()
    scenario = request.app.state.library().scenarios.get(session.scenario_id)
    scores = {s.criterion_id: s for s in session.scores}
    assessed = bool(self_assessment(db, session.id))
    return {
        "session": session,
        "scenario_title": scenario.title if scenario else session.scenario_id,
        "rubric": rubric,
        "grade": grades_for(request, db, [session])[session.id],
        # the criteria of the session's grid only (a purchase is not graded on a sale's criteria)
        "rows": [(c, scores.get(c.id)) for c in session_criteria(rubric, session_kind(request, session))],
        "radar": radar(competence_averages(session, rubric, session_kind(request, session))) if session.scores else "",
        "blocks": blocks(request, db, session),
        "self_assessed": assessed,
        "levels": [(v, LEVEL_NAMES[v]) for v in SELF_LEVELS],
        "sections": debrief_sections(session),
        "model": scenario.model_transcript if scenario and model_released(db, session) else [],
        "turns": session.turns,
    }


@router.get("/eleve/seances/{session_id}")
def session_page(
    session_id: str, request: Request, user: User = Depends(student_user), db: Session = Depends(get_db)
) -> Response:
    session = own_session(db, user, session_id)
    return render(request, "student/session.html", debrief_context(request, db, session))


@router.post("/eleve/seances/{session_id}/auto-evaluation")
async def save_self(
    session_id: str, request: Request, user: User = Depends(student_user), db: Session = Depends(get_db)
) -> Response:
    if not await csrf_ok(request):
        raise HTTPException(status_code=403, detail="Jeton de sécurité invalide : rechargez la page.")
    session = own_session(db, user, session_id)
    if not session.scores:
        raise HTTPException(status_code=400, detail="Terminez d'abord la simulation pour vous auto-évaluer.")
    form = await request.form()
    levels: Dict[str, int] = {}
    rubric = request.app.state.rubric()
    for block in session_groups(rubric, session_kind(request, session)):
        spec = rubric.groups[block]
        value = str(form.get(f"bloc-{block}", "")).strip()
        if value not in {str(v) for v in SELF_LEVELS}:
            raise HTTPException(
                status_code=400, detail=f"Choisissez votre niveau (TI, I, S ou TS) pour « {spec['label']} »."
            )
        levels[block] = int(value)
    save_self_assessment(db, session, levels)
    return RedirectResponse(f"/eleve/seances/{session.id}", status_code=303)


@router.post("/enseignant/seances/{session_id}/corrige")
async def publish_model(
    session_id: str, request: Request, user: User = Depends(teacher_user), db: Session = Depends(get_db)
) -> Response:
    if not await csrf_ok(request):
        raise HTTPException(status_code=403, detail="Jeton de sécurité invalide : rechargez la page.")
    session = visible_session(db, user, session_id)
    scenario = request.app.state.library().scenarios.get(session.scenario_id)
    if scenario is None or not scenario.model_transcript:
        raise HTTPException(status_code=400, detail="Cette situation n'a pas encore de corrigé.")
    whole_class = (await request.form()).get("portee") == "classe"
    release_model(db, session, user, whole_class)
    return RedirectResponse(f"/enseignant/seances/{session.id}#corrige", status_code=303)
