"""Student pages: scenarios and briefings, the chat, debriefs and progress."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime, timedelta
from statistics import mean
from typing import Any, Dict, List

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.engine.desk_schema import is_desk
from bot.engine.play_schema import LEVELS, MAX_FIXED_VARIANT, start_options
from bot.storage import assignments, authored
from bot.storage.models import SimSession, Turn, User
from bot.storage.results import learner_sessions
from bot.storage.sheets import current_sheet
from bot.web.charts import lines, radar
from bot.web.deps import get_db, student_user, web_settings
from bot.web.exam import exam_ready, require_sheet_for_exam
from bot.web.grades import grades_for
from bot.web.security import csrf_ok
from bot.web.settings import Settings
from bot.web.templating import render

router = APIRouter()


def session_kind(request: Request, session: SimSession) -> str | None:
    """The kind of situation of a session's scenario (None: a scenario no longer in the library)."""
    scenario = request.app.state.library().scenarios.get(session.scenario_id)
    return scenario.kind if scenario is not None else None


def session_groups(rubric, kind: str | None) -> List[str]:
    """The blocks of the grid of this kind of situation (a purchase is not graded on a sale's blocks, nor a
    sale on the purchasing block)."""
    return [g for g in rubric.groups if any(c.group == g and rubric.applies(c.id, kind) for c in rubric.criteria)]


def session_criteria(rubric, kind: str | None) -> list:
    """The criteria of the grid of this kind of situation, in the rubric's order."""
    return [c for c in rubric.criteria if rubric.applies(c.id, kind)]


def competence_averages(session: SimSession, rubric, kind: str | None = None) -> Dict[str, float | None]:
    """Average score per rubric group of the session (the radar's axes)."""
    by_group: Dict[str, List[int]] = defaultdict(list)
    groups = {c.id: c.group for c in rubric.criteria}
    for s in session.scores:
        if s.score is not None and s.criterion_id in groups:
            by_group[groups[s.criterion_id]].append(s.score)
    return {
        rubric.groups[g]["label"]: (mean(by_group[g]) if by_group.get(g) else None)
        for g in session_groups(rubric, kind)
    }


def latest_state(db: Session, learner_id: str, since: datetime | None = None) -> Dict[str, Any]:
    """Phase, outcome and session id of the learner's latest simulation (after a reply).

    ``since``: right after a start, an older session is not the one being played.
    """
    row = db.scalar(
        select(SimSession).where(SimSession.learner_id == learner_id).order_by(SimSession.started_at.desc()).limit(1)
    )
    if row is None or (since is not None and row.started_at < since):
        return {"session_id": None, "phase": None, "ended": False, "outcome": "open"}
    phase = db.scalar(
        select(Turn.phase).where(Turn.session_id == row.id, Turn.phase.is_not(None)).order_by(Turn.n.desc()).limit(1)
    )
    return {
        "session_id": row.id,
        "scenario_id": row.scenario_id,
        "phase": phase or "contact",
        "ended": row.ended_at is not None,
        "outcome": row.outcome,
        "grade_20": row.grade_20,
    }


async def relay_and_state(
    request: Request, db: Session, learner_id: str, text: str, start: bool = False
) -> Dict[str, Any]:
    since = datetime.utcnow() - timedelta(seconds=5) if start else None
    messages = await request.app.state.relay.send(learner_id, text)
    db.expire_all()
    return {"messages": messages, **latest_state(db, learner_id, since)}


def chat_text(payload: Dict[str, Any], max_chars: int) -> str:
    """The learner's message, cut at ``max_chars`` as every channel does."""
    text = payload.get("text")
    if not isinstance(text, str):
        raise HTTPException(status_code=400, detail="Message invalide.")
    return text[:max_chars]


def start_command(
    request: Request, db: Session, scenario_id: Any, mode: Any = "training", level: Any = None, variant: Any = None
) -> str:
    """The start message: the mode, the level (the exam's by default in exam mode) and the variant
    (« auto »: drawn from the learner and his attempt; a number: the one a teacher fixed for the class)."""
    if not isinstance(scenario_id, str) or not authored.playable(db, request.app.state.library(), scenario_id):
        raise HTTPException(status_code=404, detail="Scénario inconnu.")
    mode = "exam" if mode == "exam" else "training"
    if level in (None, ""):
        level = "examen" if mode == "exam" else "standard"
    if level not in LEVELS:
        raise HTTPException(status_code=400, detail="Niveau inconnu : découverte, standard ou examen.")
    if variant in (None, "", "auto"):
        variant = "auto"
    elif isinstance(variant, bool) or not str(variant).isdigit() or int(variant) > MAX_FIXED_VARIANT:
        raise HTTPException(status_code=400, detail=f"Variante invalide : un nombre entre 0 et {MAX_FIXED_VARIANT}.")
    options = start_options(mode, level, int(variant) if variant != "auto" else "auto")
    return "/start_scenario" + json.dumps({"scenario_id": scenario_id, "mode": options})


def exam_allowed(db: Session, user: User, scenario_id: str, mode: Any) -> None:
    """Refuse, in French, an exam start an assignment has locked (every attempt submitted) or not opened yet."""
    try:
        assignments.check_start(db, user.learner, scenario_id, "exam" if mode == "exam" else "training")
    except assignments.AssignmentError as exc:
        raise HTTPException(status_code=403, detail=str(exc)) from None


async def read_json(request: Request) -> Dict[str, Any]:
    if not await csrf_ok(request):
        raise HTTPException(status_code=403, detail="Jeton de sécurité invalide : rechargez la page.")
    try:
        payload = await request.json()
    except ValueError:
        raise HTTPException(status_code=400, detail="Requête invalide.") from None
    if not isinstance(payload, dict):
        raise HTTPException(status_code=400, detail="Requête invalide.")
    return payload


@router.get("/eleve")
def home(request: Request, user: User = Depends(student_user), db: Session = Depends(get_db)) -> Response:
    library = request.app.state.library()
    rubric = request.app.state.rubric()
    sessions = learner_sessions(db, user.learner_id)
    scored = [s for s in sessions if s.scored_at]
    averages: Dict[str, float | None] = {}
    if scored:
        per = [competence_averages(s, rubric, session_kind(request, s)) for s in scored[:5]]
        for label in dict.fromkeys(label for p in per for label in p):
            values = [p[label] for p in per if p.get(label) is not None]
            averages[label] = mean(values) if values else None
    series: Dict[str, list] = defaultdict(list)
    for s in reversed(scored):
        for label, value in competence_averages(s, rubric, session_kind(request, s)).items():
            if value is not None:
                series[label].append((s.started_at, value))
    return render(
        request,
        "student/home.html",
        {
            "scenarios": [library.scenarios[sid] for sid in library.scenario_ids],
            "desk_ids": set(library.scenarios) - set(library.negotiations),
            "sessions": sessions,
            "grades": grades_for(request, db, sessions),
            "radar": radar(averages) if averages else "",
            "progress": lines(dict(series)) if len(scored) > 1 else "",
            "new_username": request.session.pop("new_username", None),
            "to_do": assignments.to_do(db, user.learner),
            "titles": {sid: scenario.title for sid, scenario in library.scenarios.items()},
            "MODE_LABELS": assignments.MODE_LABELS,
        },
    )


@router.get("/eleve/scenarios/{scenario_id}")
def scenario_page(
    scenario_id: str, request: Request, user: User = Depends(student_user), db: Session = Depends(get_db)
) -> Response:
    """The briefing in sections (catalogue and CGV as tables), then the student's own preparation sheet."""
    library = request.app.state.library()
    if not authored.playable(db, library, scenario_id):  # drafts are not offered
        raise HTTPException(status_code=404, detail="Scénario inconnu.")
    scenario = library.scenario(scenario_id)
    if is_desk(scenario):  # a desk task: the situation and the request; the meeting record comes at the start
        levels = [(name, library.desk_level(scenario, name)) for name in LEVELS]
        return render(request, "student/desk_task.html", {"scenario": scenario, "levels": levels})
    row = current_sheet(db, user.learner_id, scenario_id)
    status = "à remplir" if row is None else ("validée" if row.submitted_at else "brouillon enregistré")
    levels = [(name, library.level(scenario, name)) for name in LEVELS]
    context = {"scenario": scenario, "sheet_status": status, "levels": levels}
    return render(request, "student/scenario.html", context)


@router.get("/eleve/simulation")
def chat_page(
    request: Request,
    scenario: str = "",
    mode: str = "training",
    niveau: str = "",
    variante: str = "",
    user: User = Depends(student_user),
    db: Session = Depends(get_db),
) -> Response:
    """The chat; ``niveau`` and ``variante`` (a teacher's link for the whole class) go to the start."""
    library = request.app.state.library()
    if scenario and not authored.playable(db, library, scenario):
        raise HTTPException(status_code=404, detail="Scénario inconnu.")
    start_command(request, db, scenario or library.scenario_ids[0], mode, niveau or None, variante or None)  # 400 now
    if scenario:
        exam_allowed(db, user, scenario, mode)
    if mode == "exam" and scenario and not exam_ready(db, user.learner_id, scenario):
        return RedirectResponse(f"/eleve/scenarios/{scenario}/preparation?examen=1", status_code=303)
    context = {"scenario_id": scenario, "mode": mode, "level": niveau, "variant": variante, "api": "/eleve/api"}
    return render(request, "student/chat.html", context)


@router.post("/eleve/api/start")
async def api_start(
    request: Request, user: User = Depends(student_user), db: Session = Depends(get_db)
) -> JSONResponse:
    payload = await read_json(request)
    command = start_command(
        request, db, payload.get("scenario_id"), payload.get("mode"), payload.get("level"), payload.get("variant")
    )
    exam_allowed(db, user, payload["scenario_id"], payload.get("mode"))
    require_sheet_for_exam(db, user.learner_id, payload.get("scenario_id"), payload.get("mode"))
    return JSONResponse(await relay_and_state(request, db, user.learner_id, command, start=True))


@router.post("/eleve/api/message")
async def api_message(
    request: Request,
    user: User = Depends(student_user),
    db: Session = Depends(get_db),
    settings: Settings = Depends(web_settings),
) -> JSONResponse:
    text = chat_text(await read_json(request), settings.message_max_chars)
    return JSONResponse(await relay_and_state(request, db, user.learner_id, text))


@router.post("/eleve/api/hint")
async def api_hint(request: Request, user: User = Depends(student_user), db: Session = Depends(get_db)) -> JSONResponse:
    await read_json(request)
    return JSONResponse(await relay_and_state(request, db, user.learner_id, "/ask_hint"))


@router.post("/eleve/api/end")
async def api_end(request: Request, user: User = Depends(student_user), db: Session = Depends(get_db)) -> JSONResponse:
    await read_json(request)
    return JSONResponse(await relay_and_state(request, db, user.learner_id, "/request_debrief"))


@router.post("/eleve/telegram")
async def telegram_code(
    request: Request,
    user: User = Depends(student_user),
    db: Session = Depends(get_db),
    settings: Settings = Depends(web_settings),
) -> Response:
    if not await csrf_ok(request):
        raise HTTPException(status_code=403, detail="Jeton de sécurité invalide : rechargez la page.")
    from bot.storage.links import create_link_code

    code = create_link_code(db, user.learner_id)
    bot_name = settings.telegram_bot_username
    return render(request, "student/telegram.html", {"code": code, "bot_name": bot_name})
