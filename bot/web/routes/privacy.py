"""RGPD pages: the privacy notice, a learner's data export, erasure, the audit trail, pseudonymised CSV.

The learners are often minors: every access to their record by a teacher is written to the
audit trail (:func:`install_audit` for the teacher pages, :func:`record_event` here for
exports and erasures), and the admin alone may erase a learner, after typing its id.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from typing import Callable

from fastapi import APIRouter, Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from bot.config import get_settings
from bot.storage import accounts
from bot.storage.audit import ACTION_LABELS, recent_events, record_event
from bot.storage.erasure import erase_learner
from bot.storage.learner_data import REGISTRY, export_learner
from bot.storage.models import Learner, SimSession, Turn, User
from bot.web.deps import admin_user, get_db, student_user, teacher_user
from bot.web.grades import grades_for
from bot.web.privacy_pdf import learner_data_pdf
from bot.web.routes.exports import csv_download
from bot.web.routes.teacher import require_csrf
from bot.web.templating import render

router = APIRouter()


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


@router.get("/confidentialite")
def privacy_page(request: Request) -> Response:
    """Public: what is stored, why, how long, who sees it, the rights and how to use them."""
    return render(
        request, "privacy.html", {"retention_days": request.app.state.settings.retention_days, "registry": REGISTRY}
    )


def _export_response(db: Session, learner_id: str, fmt: str, user: User, request: Request) -> Response:
    data = export_learner(db, learner_id, journal=get_settings().unsaved_messages_path)
    action = "export_json" if fmt == "json" else "export_data_pdf"
    record_event(
        db, action, actor=user, learner_id=learner_id, target=f"données de {learner_id}", ip=client_ip(request)
    )
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", learner_id)
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
        media = "application/json; charset=utf-8"
    else:
        sessions = list(db.scalars(select(SimSession).where(SimSession.learner_id == learner_id)))
        body, media = learner_data_pdf(data, grades_for(request, db, sessions)), "application/pdf"
    headers = {"Content-Disposition": f'attachment; filename="donnees-{safe}.{fmt}"'}
    return Response(body, media_type=media, headers=headers)


@router.get("/eleve/mes-donnees.{fmt}")
def own_data(fmt: str, request: Request, user: User = Depends(student_user), db: Session = Depends(get_db)) -> Response:
    """The student's own data (right of access and portability)."""
    if fmt not in {"json", "pdf"}:
        raise HTTPException(status_code=404, detail="Format inconnu (json ou pdf).")
    return _export_response(db, user.learner_id, fmt, user, request)


def _visible_learner(db: Session, user: User, learner_id: str) -> Learner:
    learner = db.get(Learner, learner_id)
    if learner is None or not accounts.can_see_learner(db, user, learner_id):
        raise HTTPException(status_code=404, detail="Élève introuvable.")
    return learner


@router.get("/enseignant/eleves/{learner_id}/donnees.{fmt}")
def learner_data(
    learner_id: str, fmt: str, request: Request, user: User = Depends(teacher_user), db: Session = Depends(get_db)
) -> Response:
    """A teacher (own classes) or the admin exports everything about one learner."""
    if fmt not in {"json", "pdf"}:
        raise HTTPException(status_code=404, detail="Format inconnu (json ou pdf).")
    _visible_learner(db, user, learner_id)
    return _export_response(db, learner_id, fmt, user, request)


@router.get("/admin/eleves/{learner_id}/effacer")
def erase_page(
    learner_id: str, request: Request, user: User = Depends(admin_user), db: Session = Depends(get_db)
) -> Response:
    learner = _visible_learner(db, user, learner_id)
    return render(request, "privacy/erase.html", {"learner": learner, "sessions": _session_count(db, learner_id)})


def _session_count(db: Session, learner_id: str) -> int:
    return db.scalar(select(func.count()).select_from(SimSession).where(SimSession.learner_id == learner_id)) or 0


@router.post("/admin/eleves/{learner_id}/effacer")
async def erase(
    learner_id: str,
    request: Request,
    confirmation: str = Form(""),
    user: User = Depends(admin_user),
    db: Session = Depends(get_db),
) -> Response:
    """Erase after the admin typed the learner's id (nothing is undone afterwards)."""
    await require_csrf(request)
    learner = _visible_learner(db, user, learner_id)
    if confirmation.strip() != learner_id:
        context = {
            "learner": learner,
            "sessions": _session_count(db, learner_id),
            "error": "Confirmation incorrecte : recopiez exactement l'identifiant de l'élève.",
        }
        return render(request, "privacy/erase.html", context, 400)
    counts = await run_in_threadpool(erase_learner, db, learner_id, get_settings().unsaved_messages_path)
    detail = ", ".join(f"{name} {n}" for name, n in sorted(counts.items()) if n)
    record_event(db, "erase", actor=user, learner_id=None, target="élève effacé", detail=detail, ip=client_ip(request))
    request.session["flash"] = "Élève effacé : toutes ses données ont été supprimées."
    return RedirectResponse("/admin/journal", status_code=303)


@router.get("/admin/journal")
def audit_page(request: Request, user: User = Depends(admin_user), db: Session = Depends(get_db)) -> Response:
    action = request.query_params.get("action", "")
    events = recent_events(db, actions=[action] if action in ACTION_LABELS else ())
    context = {"events": events, "labels": ACTION_LABELS, "action": action, "flash": request.session.pop("flash", None)}
    return render(request, "privacy/audit.html", context)


def pseudonymiser() -> Callable[[str, str], str]:
    """Stable pseudonyms within one export, unlinkable across exports (a fresh random key each)."""
    key = secrets.token_bytes(32)

    def alias(prefix: str, value: str) -> str:
        return prefix + hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:10]

    return alias


@router.get("/enseignant/export-pseudonymise.csv")
def export_pseudonymised(
    request: Request, user: User = Depends(teacher_user), db: Session = Depends(get_db)
) -> StreamingResponse:
    """The scores CSV without names or ids: a learner is ``E-…``, a session ``S-…`` (same filters)."""
    # the pseudonyms are hex digests after a letter: never a formula
    response = csv_download(request, db, user, "scores-pseudonymises.csv", alias=pseudonymiser())
    record_event(db, "export_csv_pseudo", actor=user, target=str(request.url.query)[:255], ip=client_ip(request))
    return response


#: teacher pages that show or change a learner's record: (method, path, action, what the id is)
AUDITED = (
    ("GET", re.compile(r"^/enseignant/eleves/([^/]+)$"), "view_learner", "learner"),
    ("GET", re.compile(r"^/enseignant/seances/([^/]+)$"), "view_session", "session"),
    ("GET", re.compile(r"^/enseignant/seances/([^/]+)/fiche\.pdf$"), "export_pdf", "session"),
    ("POST", re.compile(r"^/enseignant/seances/([^/]+)/correction-note$"), "override", "session"),
    ("POST", re.compile(r"^/enseignant/tours/(\d+)/mouvement$"), "correct_move", "turn"),
    ("GET", re.compile(r"^/enseignant/export\.csv$"), "export_csv", ""),
)


def _learner_of(db: Session, kind: str, key: str) -> str | None:
    if kind == "learner":
        return key
    if kind == "turn":
        turn = db.get(Turn, int(key))
        key = turn.session_id if turn else ""
    session = db.get(SimSession, key) if key else None
    return session.learner_id if session else None


def _write_audit(request: Request, action: str, kind: str, key: str) -> None:
    """One row per access, in its own transaction (the page's own work is already committed)."""
    with request.app.state.sessions() as db:
        learner_id = _learner_of(db, kind, key) if kind else None
        target = f"{kind} {key}" if kind else str(request.url.query)[:255]
        # request.state.user: the id and login of the account (bot/web/deps.current_user)
        record_event(db, action, actor=request.state.user, learner_id=learner_id, target=target, ip=client_ip(request))
        db.commit()


def install_audit(app: FastAPI) -> None:
    """Record the teacher pages above once they answered (2xx/3xx: the access happened)."""

    @app.middleware("http")
    async def audit_trail(request: Request, call_next):
        response = await call_next(request)
        if response.status_code >= 400:
            return response
        for method, pattern, action, kind in AUDITED:
            match = pattern.match(request.url.path)
            who = getattr(request.state, "user", None)
            if match and request.method == method and who is not None and who.role in accounts.STAFF_ROLES:
                key = match.group(1) if kind else ""
                await run_in_threadpool(_write_audit, request, action, kind, key)
                break
        return response
