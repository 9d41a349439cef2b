"""The LMS widget: an iframe chat authenticated by a signed learner token (no cookie)."""

from __future__ import annotations

from typing import Any, Dict

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage.models import User
from bot.web.deps import get_db, web_settings
from bot.web.routes.student import chat_text, relay_and_state, start_command
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
        request, payload.get("scenario_id"), payload.get("mode"), payload.get("level"), payload.get("variant")
    )
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
