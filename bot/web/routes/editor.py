"""The scenario editor: write, check, try, share and publish a scenario in the browser.

The form (``static/editor.js``) edits the scenario as its YAML file would hold it; every check is
the server's (``bot.content.drafts.review``), answered per field. Saved versions live in the
database (``bot.storage.authored``) and are playable at once by the action server, which reads the
same table: no file to copy, no restart, no retraining.
"""

from __future__ import annotations

import json
from typing import Any, Dict

import yaml
from fastapi import APIRouter, Depends, File, HTTPException, Request, UploadFile
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from bot.config import get_settings
from bot.content import drafts
from bot.engine.library import default_library
from bot.language.topics import vocabulary
from bot.storage import authored
from bot.storage.models import SimSession, User
from bot.web import uploads
from bot.web.deps import get_db, teacher_user, web_settings
from bot.web.routes.debrief import debrief_context
from bot.web.routes.student import chat_text, read_json, relay_and_state
from bot.web.routes.teacher import require_csrf
from bot.web.security import off_loop
from bot.web.settings import Settings
from bot.web.templating import render

router = APIRouter()
BASE = "/enseignant/scenarios/editeur"
TRIAL = "/enseignant/scenarios/essai"


def builtin_ids() -> frozenset:
    return frozenset(default_library().scenarios)


def builtin_body(scenario_id: str) -> Dict[str, Any]:
    """The file of a built-in scenario as its author wrote it (the id is checked against the library)."""
    if scenario_id not in default_library().negotiations:  # a desk task is not written in this editor
        raise HTTPException(status_code=404, detail="Scénario inconnu.")
    path = get_settings().data_dir / "scenarios" / f"{scenario_id}.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def readable_row(db: Session, user: User, slug: str):
    row = authored.latest(db, slug)
    if row is None or not authored.can_see(user, row):
        raise HTTPException(status_code=404, detail="Scénario introuvable.")
    return row


def editor_page(request: Request, body: Dict[str, Any], **context: Any) -> Response:
    topics = {name: topic.label for name, topic in vocabulary().items()}
    return render(
        request,
        "teacher/editor.html",
        {"body": json.dumps(body, ensure_ascii=False), "topics": json.dumps(topics, ensure_ascii=False), **context},
    )


@router.get(BASE)
def scenario_list(request: Request, user: User = Depends(teacher_user), db: Session = Depends(get_db)) -> Response:
    library = default_library()
    rows = authored.visible(db, user)
    return render(
        request,
        "teacher/editor_list.html",
        {
            "rows": rows,
            "editable": {r.id for r in rows if authored.can_edit(user, r)},
            "builtins": [library.scenarios[s] for s in library.scenario_ids if s in library.negotiations],
            "visibilities": authored.VISIBILITIES,
        },
    )


@router.get(BASE + "/nouveau")
def new_scenario(
    request: Request, depuis: str = "", user: User = Depends(teacher_user), db: Session = Depends(get_db)
) -> Response:
    """A blank scenario, or a copy of a built-in or stored one (« dupliquer »)."""
    body: Dict[str, Any] = {}
    if depuis:
        parts = authored.split_key(depuis)
        body = dict(readable_row(db, user, parts[0]).body) if parts else builtin_body(depuis)
        body["id"] = f"{str(body.get('id', 'scenario')).split('@')[0][:33]}-copie"
        body["title"] = f"{body.get('title', '')} (copie)"
    return editor_page(request, body, slug=None)


@router.get(BASE + "/{slug}")
def edit_scenario(
    slug: str, request: Request, user: User = Depends(teacher_user), db: Session = Depends(get_db)
) -> Response:
    row = readable_row(db, user, slug)
    return editor_page(
        request,
        row.body,
        row=row,
        slug=row.slug,
        editable=authored.can_edit(user, row),
        frozen=authored.frozen(db, row),
        visibilities=authored.VISIBILITIES,
    )


@router.post(BASE + "/importer")
async def import_yaml(
    request: Request, scenario_file: UploadFile = File(...), user: User = Depends(teacher_user)
) -> Response:
    """A YAML file opened in the editor (checked as any upload, saved only when the teacher saves)."""
    await require_csrf(request)
    raw = await scenario_file.read(uploads.MAX_SCENARIO_BYTES + 1)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text, problems = "", ["Le fichier doit être enregistré en UTF-8."]
    else:
        problems = await off_loop(uploads.yaml_problems, text)
    body = yaml.safe_load(text) if not problems else None  # nothing can expand: checked above
    if not problems and not isinstance(body, dict):
        problems = ["Le fichier doit contenir un scénario (id:, title:, ...)."]
    if problems:
        return render(request, "error.html", {"status": 400, "detail": " ".join(problems)}, 400)
    return editor_page(request, body, slug=None, imported=scenario_file.filename or "scenario.yml")


@router.get(BASE + "/{slug}/export.yml")
def export_yaml(
    slug: str, request: Request, version: int = 0, user: User = Depends(teacher_user), db: Session = Depends(get_db)
) -> Response:
    row = readable_row(db, user, slug)
    if version and version != row.version:
        row = authored.version_row(db, authored.key(slug, version))
        if row is None:
            raise HTTPException(status_code=404, detail="Version introuvable.")
    return Response(
        drafts.to_yaml(row.body),
        media_type="application/x-yaml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{row.slug}-v{row.version}.yml"'},
    )


@router.post(BASE + "/api/valider")
async def validate(request: Request, user: User = Depends(teacher_user)) -> JSONResponse:
    payload = await read_json(request)
    result = await off_loop(drafts.review, payload.get("scenario"))
    return JSONResponse(result.as_json())


@router.post(BASE + "/api/enregistrer")
async def save(
    request: Request,
    user: User = Depends(teacher_user),
    db: Session = Depends(get_db),
    settings: Settings = Depends(web_settings),
) -> JSONResponse:
    payload = await read_json(request)
    result = await off_loop(drafts.review, payload.get("scenario"))
    if not result.ok:
        return JSONResponse(result.as_json(), status_code=422)
    body = drafts.pruned(payload["scenario"])
    try:
        row = authored.save(db, user, body, str(payload.get("visibility") or "private"), builtin_ids())
    except authored.AuthoringError as exc:
        return JSONResponse({**result.as_json(), "ok": False, "detail": str(exc)}, status_code=422)
    db.commit()
    authored.forget(settings.database_url)
    return JSONResponse(
        {**result.as_json(), "slug": row.slug, "version": row.version, "key": authored.key(row.slug, row.version)}
    )


@router.post(BASE + "/api/publier")
async def publish(
    request: Request,
    user: User = Depends(teacher_user),
    db: Session = Depends(get_db),
    settings: Settings = Depends(web_settings),
) -> JSONResponse:
    payload = await read_json(request)
    row = authored.latest(db, str(payload.get("slug") or ""))
    if row is None or not authored.can_edit(user, row):
        raise HTTPException(status_code=404, detail="Scénario introuvable.")
    result = await off_loop(drafts.review, row.body)
    if not result.ok:
        return JSONResponse({**result.as_json(), "detail": "Corrigez les erreurs avant de publier."}, status_code=422)
    authored.publish(db, user, row.slug)
    db.commit()
    authored.forget(settings.database_url)
    return JSONResponse({"ok": True, "key": authored.key(row.slug, row.version), "version": row.version})


# « Jouer en test »: the teacher plays a saved version as a learner of their own (never in a class)


def trial_learner(user: User) -> str:
    return f"essai-enseignant-{user.id}"


def trial_key(request: Request, db: Session, user: User, scenario_id: Any) -> str:
    row = authored.version_row(db, scenario_id) if isinstance(scenario_id, str) else None
    if row is None or not authored.can_see(user, row) or scenario_id not in request.app.state.library().scenarios:
        raise HTTPException(status_code=404, detail="Scénario inconnu : enregistrez le brouillon d'abord.")
    return scenario_id


@router.get(TRIAL + "/{scenario_id}")
def trial_page(
    scenario_id: str, request: Request, user: User = Depends(teacher_user), db: Session = Depends(get_db)
) -> Response:
    key = trial_key(request, db, user, scenario_id)
    return render(
        request,
        "teacher/trial.html",
        {"scenario_id": key, "mode": "training", "api": TRIAL + "/api", "debrief": TRIAL + "/bilan/"},
    )


@router.post(TRIAL + "/api/start")
async def trial_start(
    request: Request, user: User = Depends(teacher_user), db: Session = Depends(get_db)
) -> JSONResponse:
    payload = await read_json(request)
    key = trial_key(request, db, user, payload.get("scenario_id"))
    command = "/start_scenario" + json.dumps({"scenario_id": key, "mode": "training"})
    return JSONResponse(await relay_and_state(request, db, trial_learner(user), command, start=True))


@router.post(TRIAL + "/api/message")
async def trial_message(
    request: Request,
    user: User = Depends(teacher_user),
    db: Session = Depends(get_db),
    settings: Settings = Depends(web_settings),
) -> JSONResponse:
    text = chat_text(await read_json(request), settings.message_max_chars)
    return JSONResponse(await relay_and_state(request, db, trial_learner(user), text))


@router.post(TRIAL + "/api/hint")
async def trial_hint(
    request: Request, user: User = Depends(teacher_user), db: Session = Depends(get_db)
) -> JSONResponse:
    await read_json(request)
    return JSONResponse(await relay_and_state(request, db, trial_learner(user), "/ask_hint"))


@router.post(TRIAL + "/api/end")
async def trial_end(
    request: Request, user: User = Depends(teacher_user), db: Session = Depends(get_db)
) -> JSONResponse:
    await read_json(request)
    return JSONResponse(await relay_and_state(request, db, trial_learner(user), "/request_debrief"))


@router.get(TRIAL + "/bilan/{session_id}")
def trial_debrief(
    session_id: str, request: Request, user: User = Depends(teacher_user), db: Session = Depends(get_db)
) -> Response:
    session = db.get(SimSession, session_id)
    if session is None or session.learner_id != trial_learner(user):
        raise HTTPException(status_code=404, detail="Séance introuvable.")
    # the teacher trying a draft reads the results at once: the self-assessment is the students' step
    return render(request, "student/session.html", {**debrief_context(request, db, session), "trial": True})
