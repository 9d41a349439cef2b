"""Log in, log out, join a class with its code."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from bot.storage import accounts
from bot.storage.audit import record_event
from bot.storage.models import User
from bot.web.deps import get_db
from bot.web.security import csrf_ok, off_loop
from bot.web.templating import render

router = APIRouter()


def home_for(user: User) -> str:
    return "/eleve" if user.role == "student" else "/enseignant"


def _safe_next(target: str, default: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else default


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "?"


@router.get("/")
def index(request: Request, db: Session = Depends(get_db)) -> Response:
    uid = request.session.get("uid")
    user = db.get(User, uid) if isinstance(uid, int) else None
    return RedirectResponse(home_for(user) if user else "/connexion", status_code=303)


@router.get("/connexion")
def login_page(request: Request, suite: str = "") -> Response:
    return render(request, "login.html", {"suite": suite})


@router.post("/connexion")
async def login(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    suite: str = Form(""),
    db: Session = Depends(get_db),
) -> Response:
    if not await csrf_ok(request):
        return render(request, "login.html", {"error": "Formulaire expiré : rechargez la page.", "suite": suite}, 400)
    key = f"{_client_ip(request)}|{username.strip().lower()}"
    users, ips = request.app.state.login_limiter, request.app.state.ip_limiter
    if users.blocked(key) or ips.blocked(_client_ip(request)):
        return render(
            request,
            "login.html",
            {"error": "Trop de tentatives : patientez quelques minutes avant de réessayer.", "suite": suite},
            429,
        )
    user = await off_loop(accounts.authenticate, db, username, password[:200])
    if user is None:
        users.hit(key)
        ips.hit(_client_ip(request))
        record_event(db, "login_failed", actor_name=username.strip()[:120], ip=_client_ip(request))
        return render(
            request, "login.html", {"error": "Identifiant ou mot de passe incorrect.", "username": username}, 401
        )
    users.reset(key)
    request.session.clear()
    request.session.update(uid=user.id, pw=user.password_hash[-16:])
    return RedirectResponse(_safe_next(suite, home_for(user)), status_code=303)


@router.post("/deconnexion")
async def logout(request: Request) -> Response:
    if await csrf_ok(request):
        request.session.clear()
    return RedirectResponse("/connexion", status_code=303)


@router.get("/inscription")
def join_page(request: Request, code: str = "") -> Response:
    return render(request, "join.html", {"code": code})


@router.post("/inscription")
async def join(
    request: Request,
    code: str = Form(""),
    first_name: str = Form(""),
    last_name: str = Form(""),
    password: str = Form(""),
    db: Session = Depends(get_db),
) -> Response:
    ctx = {"code": code, "first_name": first_name, "last_name": last_name}
    if not await csrf_ok(request):
        return render(request, "join.html", {**ctx, "error": "Formulaire expiré : rechargez la page."}, 400)
    ip = _client_ip(request)
    if request.app.state.ip_limiter.blocked(ip):
        return render(request, "join.html", {**ctx, "error": "Trop de tentatives : patientez quelques minutes."}, 429)
    group = accounts.join_group_by_code(db, code)
    if group is None:
        request.app.state.ip_limiter.hit(ip)
        return render(
            request,
            "join.html",
            {**ctx, "error": "Code de classe inconnu : vérifiez-le auprès de votre enseignant."},
            400,
        )
    if not first_name.strip() or not last_name.strip():
        return render(request, "join.html", {**ctx, "error": "Indiquez votre prénom et votre nom."}, 400)
    username = accounts.free_username(db, accounts.slug(f"{first_name}.{last_name}"))
    try:
        user = await off_loop(
            accounts.create_user,
            db,
            username,
            password,
            "student",
            display_name=f"{first_name} {last_name}",
            group=group,
        )
    except accounts.AccountError as exc:
        return render(request, "join.html", {**ctx, "error": str(exc)}, 400)
    request.session.clear()
    request.session.update(uid=user.id, pw=user.password_hash[-16:], new_username=username)
    return RedirectResponse("/eleve", status_code=303)
