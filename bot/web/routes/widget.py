"""The LMS widget: an iframe chat authenticated by a signed learner token (no cookie), and the
teacher's revocation of the links given out."""

from __future__ import annotations

from typing import Any, Dict

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage import accounts, widget_links
from bot.storage.models import User
from bot.web.deps import get_db, teacher_user, web_settings
from bot.web.exam import require_sheet_for_exam
from bot.web.routes.student import chat_text, exam_allowed, relay_and_state, start_command
from bot.web.routes.teacher import require_csrf
from bot.web.security import widget_claims, widget_version_ok
from bot.web.settings import Settings
from bot.web.templating import render

router = APIRouter()


def widget_learner(request: Request, db: Session = Depends(get_db)) -> User:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    claims = (
        widget_claims(request.app.state.settings.widget_secret, token.strip()) if scheme.lower() == "bearer" else None
    )
    user = db.scalar(select(User).where(User.username == claims["u"])) if claims else None
    if (
        user is None
        or not user.active
        or user.role != "student"
        or not widget_version_ok(claims, user.password_hash)  # password reset since: revoked
        or ("l" in claims and not widget_links.link_is_live(db, str(claims["l"]), user))  # revoked by a teacher
    ):
        raise HTTPException(status_code=401, detail="Lien du widget invalide ou expiré : demandez-en un nouveau.")
    return user


async def _payload(request: Request) -> Dict[str, Any]:
    try:
        payload = await request.json()
    except ValueError:
        raise HTTPException(status_code=400, detail="Requête invalide.") from None
    if not isinstance(payload, dict):
        raise HTTPException(status_code=400, detail="Requête invalide.")
    return payload


@router.get("/widget")
def widget_page(request: Request, scenario: str = "") -> Response:
    """The chat inside the iframe; the token travels in the URL fragment, read by the script."""
    library = request.app.state.library()
    return render(
        request,
        "widget.html",
        {"scenario_id": scenario if scenario in library.scenarios else "", "scenarios": library.scenario_ids},
    )


@router.post("/widget/api/start")
async def start(request: Request, user: User = Depends(widget_learner), db: Session = Depends(get_db)) -> JSONResponse:
    payload = await _payload(request)
    command = start_command(
        request, db, payload.get("scenario_id"), payload.get("mode"), payload.get("level"), payload.get("variant")
    )
    exam_allowed(db, user, payload["scenario_id"], payload.get("mode"))
    require_sheet_for_exam(db, user.learner_id, payload.get("scenario_id"), payload.get("mode"))
    return JSONResponse(await relay_and_state(request, db, user.learner_id, command, start=True))


@router.post("/widget/api/message")
async def message(
    request: Request,
    user: User = Depends(widget_learner),
    db: Session = Depends(get_db),
    settings: Settings = Depends(web_settings),
) -> JSONResponse:
    text = chat_text(await _payload(request), settings.message_max_chars)
    return JSONResponse(await relay_and_state(request, db, user.learner_id, text))


@router.post("/widget/api/hint")
async def hint(request: Request, user: User = Depends(widget_learner), db: Session = Depends(get_db)) -> JSONResponse:
    return JSONResponse(await relay_and_state(request, db, user.learner_id, "/ask_hint"))


@router.post("/widget/api/end")
async def end(request: Request, user: User = Depends(widget_learner), db: Session = Depends(get_db)) -> JSONResponse:
    return JSONResponse(await relay_and_state(request, db, user.learner_id, "/request_debrief"))


@router.post("/enseignant/eleves/{learner_id}/widget/revoquer")
async def revoke_links(
    learner_id: str,
    request: Request,
    link: str = Form(""),
    user: User = Depends(teacher_user),
    db: Session = Depends(get_db),
) -> Response:
    """Revoke one widget link (``link``) or, without it, every link of the student."""
    await require_csrf(request)
    student = db.scalar(select(User).where(User.learner_id == learner_id, User.role == "student"))
    if student is None or not accounts.can_see_learner(db, user, learner_id):
        raise HTTPException(status_code=404, detail="Élève introuvable.")
    widget_links.revoke(db, student, link or None)
    request.session["notice"] = "Lien(s) du widget révoqué(s) : ils ne fonctionnent plus."
    return RedirectResponse(f"/enseignant/eleves/{learner_id}", status_code=303)
