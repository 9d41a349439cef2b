"""Teacher dashboard: classes, heatmap, sessions, transcripts, overrides, exports, tokens."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Dict, List

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.engine.scenario import ScenarioError, parse_scenario
from bot.lti.grades import scenario_kind, send_in_background
from bot.storage import accounts, widget_links
from bot.storage.class_views import agreement, heatmap, progress
from bot.storage.debrief_records import model_released
from bot.storage.models import Group, Learner, MoveCorrection, ScoreOverride, SimSession, Turn, User
from bot.storage.results import SessionFilter, list_sessions
from bot.storage.teacher_edits import set_correction, set_override
from bot.web import uploads
from bot.web.charts import lines
from bot.web.debrief_view import blocks
from bot.web.deps import admin_user, get_db, teacher_user
from bot.web.grades import grades_for
from bot.web.paging import session_page
from bot.web.routes.student import session_criteria, session_kind
from bot.web.security import csrf_ok, off_loop, password_version, widget_token
from bot.web.sheet_view import session_sheet_view
from bot.web.templating import render

router = APIRouter()


async def require_csrf(request: Request) -> None:
    if not await csrf_ok(request):
        raise HTTPException(status_code=403, detail="Jeton de sécurité invalide : rechargez la page et recommencez.")


def own_group(db: Session, user: User, group_id: int) -> Group:
    group = db.get(Group, group_id)
    if group is None or not accounts.can_manage_group(user, group):
        raise HTTPException(status_code=404, detail="Classe introuvable.")
    return group


def visible_session(db: Session, user: User, session_id: str) -> SimSession:
    session = db.get(SimSession, session_id)
    if session is None or not accounts.can_see_learner(db, user, session.learner_id):
        raise HTTPException(status_code=404, detail="Séance introuvable.")
    return session


def parse_filter(db: Session, user: User, request: Request) -> SessionFilter:
    q = request.query_params

    def day(name: str) -> date | None:
        try:
            return date.fromisoformat(q.get(name, ""))
        except ValueError:
            return None

    return SessionFilter(
        learner_ids=accounts.visible_learner_ids(db, user),
        scenario_id=q.get("scenario", ""),
        learner_id=q.get("eleve", ""),
        outcome=q.get("issue", "") if q.get("issue", "") in {"won", "lost", "open"} else "",
        date_from=day("du"),
        date_to=day("au"),
    )


@router.get("/enseignant")
def dashboard(request: Request, user: User = Depends(teacher_user), db: Session = Depends(get_db)) -> Response:
    groups = accounts.groups_of(db, user)
    rubric = request.app.state.rubric()
    stats = agreement(db, accounts.visible_learner_ids(db, user), rubric)
    guests: List[Learner] = []
    if user.role == "admin":
        guests = list(db.scalars(select(Learner).where(Learner.group_id.is_(None)).order_by(Learner.id)))
    return render(request, "teacher/home.html", {"groups": groups, "agreement": stats, "guests": guests})


@router.post("/enseignant/classes")
async def create_group(
    request: Request, name: str = Form(""), user: User = Depends(teacher_user), db: Session = Depends(get_db)
) -> Response:
    await require_csrf(request)
    try:
        group = accounts.create_group(db, name, user)
    except accounts.AccountError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None
    return RedirectResponse(f"/enseignant/classes/{group.id}", status_code=303)


@router.get("/enseignant/classes/{group_id}")
def group_page(
    group_id: int, request: Request, user: User = Depends(teacher_user), db: Session = Depends(get_db)
) -> Response:
    group = own_group(db, user, group_id)
    rubric = request.app.state.rubric()
    learners = sorted(group.learners, key=lambda lr: lr.display_name.lower())
    flt = parse_filter(db, user, request)
    flt.learner_ids = [lr.id for lr in learners]
    library = request.app.state.library()
    page = session_page(db, request, flt)
    return render(
        request,
        "teacher/group.html",
        {
            "group": group,
            "heat": heatmap(db, learners, rubric),
            **page,
            "grades": grades_for(request, db, page["sessions"]),
            "filter": flt,
            "scenarios": library.scenario_ids,
            "agreement": agreement(db, flt.learner_ids, rubric),
        },
    )


@router.post("/enseignant/classes/{group_id}/import")
async def import_roster(
    group_id: int,
    request: Request,
    roster: UploadFile = File(...),
    user: User = Depends(teacher_user),
    db: Session = Depends(get_db),
) -> Response:
    await require_csrf(request)
    group = own_group(db, user, group_id)
    raw = await roster.read(uploads.MAX_ROSTER_BYTES + 1)
    if len(raw) > uploads.MAX_ROSTER_BYTES:
        raise HTTPException(
            status_code=400, detail=f"Fichier trop volumineux ({uploads.MAX_ROSTER_BYTES // 1000} Ko au plus)."
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    try:
        rows = await off_loop(accounts.import_roster, db, group, text)
    except accounts.AccountError as exc:  # too many rows: nothing imported
        raise HTTPException(status_code=400, detail=str(exc)) from None
    return render(request, "teacher/roster.html", {"group": group, "rows": rows})


@router.get("/enseignant/seances")
def sessions_page(request: Request, user: User = Depends(teacher_user), db: Session = Depends(get_db)) -> Response:
    flt = parse_filter(db, user, request)
    library = request.app.state.library()
    page = session_page(db, request, flt)
    return render(
        request,
        "teacher/sessions.html",
        {**page, "grades": grades_for(request, db, page["sessions"]), "filter": flt, "scenarios": library.scenario_ids},
    )


@router.get("/enseignant/seances/{session_id}")
def transcript(
    session_id: str, request: Request, user: User = Depends(teacher_user), db: Session = Depends(get_db)
) -> Response:
    session = visible_session(db, user, session_id)
    rubric = request.app.state.rubric()
    library = request.app.state.library()
    scores = {s.criterion_id: s for s in session.scores}
    overrides: Dict[str, ScoreOverride] = {
        o.criterion_id: o for o in db.scalars(select(ScoreOverride).where(ScoreOverride.session_id == session.id))
    }
    turn_ids = [t.id for t in session.turns]
    corrections = {
        c.turn_id: c.intent for c in db.scalars(select(MoveCorrection).where(MoveCorrection.turn_id.in_(turn_ids)))
    }
    evidence: Dict[int, list] = {}
    for e in session.evidence:
        evidence.setdefault(e.turn_n, []).append(e)
    counts_for: Dict[int, set] = {}
    for s in session.scores:
        for item in s.evidence_turns or []:
            counts_for.setdefault(item.get("turn"), set()).add(s.criterion_id)
    scenario = library.scenarios.get(session.scenario_id)
    sheet_row, sheet = session_sheet_view(db, session.id)
    return render(
        request,
        "teacher/session.html",
        {
            "sheet_row": sheet_row,
            "sheet_sections": sheet,
            "session": session,
            "scenario_title": scenario.title if scenario else session.scenario_id,
            "criteria": session_criteria(rubric, session_kind(request, session)),  # the session's grid
            "rubric": rubric,
            "scores": scores,
            "overrides": overrides,
            "grade": grades_for(request, db, [session])[session.id],
            "blocks": blocks(request, db, session),
            "has_model": bool(scenario and scenario.model_transcript),
            "model_released": model_released(db, session),
            "corrections": corrections,
            "evidence": evidence,
            "counts_for": counts_for,
            "intents": request.app.state.intents,
        },
    )


@router.post("/enseignant/seances/{session_id}/correction-note")
async def override_score(
    session_id: str,
    request: Request,
    criterion_id: str = Form(...),
    score: str = Form(""),
    comment: str = Form(""),
    user: User = Depends(teacher_user),
    db: Session = Depends(get_db),
) -> Response:
    await require_csrf(request)
    session = visible_session(db, user, session_id)
    rubric = request.app.state.rubric()
    if criterion_id not in {c.id for c in rubric.criteria}:
        raise HTTPException(status_code=400, detail="Critère inconnu.")
    if score not in {"", "na", "0", "1", "2", "3"}:
        raise HTTPException(status_code=400, detail="Score invalide (0 à 3 ou na).")
    set_override(db, session, criterion_id, int(score) if score.isdigit() else None, comment, user)
    db.commit()  # the gradebook is told of the new grade (when the session came from an LMS activity)
    send_in_background(request.app.state.sessions, session.learner_id, scenario_kind(request.app.state.library()))
    return RedirectResponse(f"/enseignant/seances/{session.id}#crit-{criterion_id}", status_code=303)


@router.post("/enseignant/tours/{turn_id}/mouvement")
async def correct_move(
    turn_id: int,
    request: Request,
    intent: str = Form(...),
    user: User = Depends(teacher_user),
    db: Session = Depends(get_db),
) -> Response:
    await require_csrf(request)
    turn = db.get(Turn, turn_id)
    if turn is None or turn.speaker != "learner":
        raise HTTPException(status_code=404, detail="Tour introuvable.")
    session = visible_session(db, user, turn.session_id)
    if intent not in request.app.state.intents:
        raise HTTPException(status_code=400, detail="Mouvement inconnu.")
    set_correction(db, turn, intent, user)
    return RedirectResponse(f"/enseignant/seances/{session.id}#tour-{turn.n}", status_code=303)


@router.get("/enseignant/eleves/{learner_id}")
def learner_page(
    learner_id: str, request: Request, user: User = Depends(teacher_user), db: Session = Depends(get_db)
) -> Response:
    learner = db.get(Learner, learner_id)
    if learner is None or not accounts.can_see_learner(db, user, learner_id):
        raise HTTPException(status_code=404, detail="Élève introuvable.")
    series = progress(db, learner_id)
    chosen = request.query_params.getlist("critere") or sorted(series)[:6]
    chart = lines({cid: series[cid] for cid in chosen if cid in series})
    flt = SessionFilter(learner_ids=[learner_id])
    sessions = list_sessions(db, flt)
    student = db.scalar(select(User).where(User.learner_id == learner_id, User.role == "student"))
    secret = request.app.state.settings.widget_secret
    links: list = []
    if student:  # bound to the password and to a link the teacher can revoke
        link = widget_links.current_link(db, student, user)
        links = widget_links.active_links(db, student)
        version = password_version(student.password_hash)
        token = widget_token(secret, student.username, version, link.id, widget_links.issued_at(link))
    else:
        token = widget_token(secret, learner_id)
    return render(
        request,
        "teacher/learner.html",
        {
            "learner": learner,
            "chart": chart,
            "criteria": [c.id for c in request.app.state.rubric().criteria],
            "chosen": chosen,
            "sessions": sessions,
            "grades": grades_for(request, db, sessions),
            "widget_token": token,
            "widget_links": links,
        },
    )


@router.get("/enseignant/jetons")
def tokens_page(request: Request, user: User = Depends(teacher_user), db: Session = Depends(get_db)) -> Response:
    new = request.session.pop("new_token", None)
    return render(request, "teacher/tokens.html", {"tokens": list(accounts.tokens_of(db, user)), "new_token": new})


@router.post("/enseignant/jetons")
async def create_token(
    request: Request, name: str = Form(""), user: User = Depends(teacher_user), db: Session = Depends(get_db)
) -> Response:
    await require_csrf(request)
    request.session["new_token"] = accounts.create_api_token(db, user, name)
    return RedirectResponse("/enseignant/jetons", status_code=303)


@router.post("/enseignant/jetons/{token_id}/revoquer")
async def revoke_token(
    token_id: int, request: Request, user: User = Depends(teacher_user), db: Session = Depends(get_db)
) -> Response:
    await require_csrf(request)
    if not accounts.revoke_token(db, user, token_id):
        raise HTTPException(status_code=404, detail="Jeton introuvable.")
    return RedirectResponse("/enseignant/jetons", status_code=303)


@router.get("/enseignant/scenarios")
def scenarios_page(request: Request, user: User = Depends(teacher_user)) -> Response:
    library = request.app.state.library()
    return render(
        request, "teacher/scenarios.html", {"scenarios": [library.scenarios[s] for s in library.scenario_ids]}
    )


@router.post("/enseignant/scenarios/verifier")
async def check_scenario(
    request: Request, scenario_file: UploadFile = File(...), user: User = Depends(teacher_user)
) -> Response:
    await require_csrf(request)
    library = request.app.state.library()
    raw = await scenario_file.read(uploads.MAX_SCENARIO_BYTES + 1)
    name = (scenario_file.filename or "scenario.yml").replace("/", "_")[:80]
    result: Dict = {"filename": name, "problems": [], "scenario": None}
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text, result["problems"] = "", ["Le fichier doit être enregistré en UTF-8."]
    result["problems"] = result["problems"] or await off_loop(uploads.yaml_problems, text)
    if not result["problems"]:
        try:
            result["scenario"] = await off_loop(parse_scenario, Path(name), text)
        except ScenarioError as exc:
            result["problems"] = uploads.capped(list(exc.problems))
    return render(
        request,
        "teacher/scenarios.html",
        {"scenarios": [library.scenarios[s] for s in library.scenario_ids], "check": result},
    )


@router.get("/admin/enseignants")
def teachers_page(request: Request, user: User = Depends(admin_user), db: Session = Depends(get_db)) -> Response:
    reset = request.session.pop("reset_password", None)  # a temporary password, shown once
    return render(request, "teacher/teachers.html", {"teachers": accounts.staff_accounts(db), "reset": reset})


@router.post("/admin/enseignants")
async def create_teacher(
    request: Request,
    username: str = Form(""),
    display_name: str = Form(""),
    password: str = Form(""),
    user: User = Depends(admin_user),
    db: Session = Depends(get_db),
) -> Response:
    await require_csrf(request)
    try:
        await off_loop(
            accounts.create_user, db, username, password, "teacher", display_name=display_name, temporary=True
        )
    except accounts.AccountError as exc:
        context = {"teachers": accounts.staff_accounts(db), "error": str(exc)}
        return render(request, "teacher/teachers.html", context, 400)
    return RedirectResponse("/admin/enseignants", status_code=303)
