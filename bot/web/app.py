"""The web app (port 8000): student chat, teacher dashboard, widget and results API.

``create_app()`` builds a FastAPI application; ``python -m bot.cli web`` serves it.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Dict, Iterator

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session
from starlette.middleware.sessions import SessionMiddleware

from bot.assessment.rubric import default_rubric
from bot.engine.library import default_library
from bot.storage import db as storage
from bot.storage.models import User
from bot.web.proxy import TrustedProxyMiddleware
from bot.web.ratelimit import make_limiter
from bot.web.relay import RasaRelay
from bot.web.security import csrf_token
from bot.web.settings import Settings

HERE = Path(__file__).resolve().parent
#: no page takes more (the roster and scenario limits are lower still, bot/web/uploads.py)
MAX_REQUEST_BYTES = 1_000_000
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.globals.update(csrf_token=csrf_token)
LEVEL_LABELS = {
    "TI": "très insuffisant",
    "I": "insuffisant",
    "S": "satisfaisant",
    "TS": "très satisfaisant",
    "na": "non évalué",
}
OUTCOMES = {"won": "gagnée", "lost": "perdue", "open": "en cours"}
PHASE_LABELS = {
    "contact": "Prise de contact",
    "discovery": "Découverte",
    "proposal": "Proposition",
    "objections": "Objections",
    "closing": "Conclusion",
    "leave_taking": "Prise de congé",
}
COMMANDS = {
    "start_scenario": "(début de la simulation)",
    "ask_hint": "(a demandé un indice)",
    "request_debrief": "(a terminé et demandé le bilan)",
}
templates.env.globals.update(LEVEL_LABELS=LEVEL_LABELS, OUTCOMES=OUTCOMES, PHASE_LABELS=PHASE_LABELS, COMMANDS=COMMANDS)
templates.env.filters["dt"] = lambda d: d.strftime("%d/%m/%Y %H:%M") if d else "—"
templates.env.filters["grade"] = lambda g: "—" if g is None else f"{g:.1f}".replace(".", ",")


class NotLoggedIn(Exception):
    pass


def get_db(request: Request) -> Iterator[Session]:
    db = request.app.state.sessions()
    try:
        yield db
        db.commit()
    except Exception:
        db.rollback()
        raise
    finally:
        db.close()


def current_user(request: Request, db: Session = Depends(get_db)) -> User:
    uid = request.session.get("uid")
    user = db.get(User, uid) if isinstance(uid, int) else None
    if user is None or not user.active or request.session.get("pw") != user.password_hash[-16:]:
        request.session.clear()
        raise NotLoggedIn()
    # what templates show; survives the end of the database session (error pages)
    request.state.user = SimpleNamespace(
        id=user.id, username=user.username, display_name=user.display_name, role=user.role
    )
    return user


def teacher_user(user: User = Depends(current_user)) -> User:
    if user.role not in {"teacher", "admin"}:
        raise HTTPException(status_code=403, detail="Page réservée aux enseignants.")
    return user


def student_user(user: User = Depends(current_user)) -> User:
    if user.role != "student" or not user.learner_id:
        raise HTTPException(status_code=403, detail="Page réservée aux élèves.")
    return user


def admin_user(user: User = Depends(current_user)) -> User:
    if user.role != "admin":
        raise HTTPException(status_code=403, detail="Page réservée à l'administrateur.")
    return user


def render(request: Request, name: str, context: Dict[str, Any] | None = None, status_code: int = 200) -> HTMLResponse:
    ctx = {"request": request, "user": getattr(request.state, "user", None)}
    ctx.update(context or {})
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)


def move_intents() -> list:
    """The learner moves a teacher may pick when correcting a label (from ``domain.yml``)."""
    import yaml

    domain = yaml.safe_load((HERE.parents[1] / "domain.yml").read_text(encoding="utf-8"))
    return sorted(i if isinstance(i, str) else next(iter(i)) for i in domain["intents"] if i != "start_scenario")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    settings.check()  # production: no empty, example or short secret (docs/security.md)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        storage.upgrade(settings.database_url or None)
        yield
        await app.state.relay.close()

    # the OpenAPI page and schema: for developers only (they list every route to an attacker)
    docs = not settings.production
    app = FastAPI(
        title="Coach de négociation",
        lifespan=lifespan,
        docs_url="/api/docs" if docs else None,
        openapi_url="/api/openapi.json" if docs else None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.sessions = storage.session_factory(settings.database_url or None)
    app.state.relay = RasaRelay(settings.rasa_url, settings.rasa_timeout_s, settings.rasa_secret)
    app.state.login_limiter = make_limiter(
        settings.redis_url, settings.login_attempts, settings.login_window_s, "login"
    )
    app.state.ip_limiter = make_limiter(settings.redis_url, settings.login_attempts * 6, settings.login_window_s, "ip")
    app.state.library = default_library
    app.state.rubric = default_rubric
    app.state.intents = move_intents()

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        length = request.headers.get("content-length", "")
        if length.isdigit() and int(length) > MAX_REQUEST_BYTES:
            # uploads are read whole into temporary files before any route can refuse them
            return JSONResponse({"detail": "Requête trop volumineuse (1 Mo au plus)."}, status_code=413)
        response: Response = await call_next(request)
        widget = request.url.path.startswith("/widget")
        ancestors = settings.widget_ancestors if widget else "'self'"
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            f"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors {ancestors}",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not widget:
            response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        if request.url.path.startswith(("/enseignant", "/eleve", "/api", "/admin")):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="negociation_session",
        max_age=8 * 3600,
        same_site="lax",
        https_only=settings.cookie_secure,
    )

    # outermost: the rate limits and the pages see the real client (bot/web/proxy.py)
    app.add_middleware(TrustedProxyMiddleware, proxies=settings.trusted_proxies)

    @app.exception_handler(NotLoggedIn)
    async def _login_redirect(request: Request, exc: NotLoggedIn):
        if request.url.path.startswith(("/api/", "/eleve/api/")):
            return JSONResponse({"detail": "Connexion requise."}, status_code=401)
        return RedirectResponse(f"/connexion?suite={request.url.path}", status_code=303)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException):
        if request.url.path.startswith(("/api/", "/eleve/api/", "/widget/api/")):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return render(request, "error.html", {"status": exc.status_code, "detail": exc.detail}, exc.status_code)

    from bot.web.routes import api, auth, student, teacher, widget

    for module in (auth, student, teacher, api, widget):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.get("/health", include_in_schema=False)
    async def health() -> Dict[str, str]:
        """On the event loop: it answers as long as the loop is free (the argon2 work is not on it)."""
        return {"status": "ok"}

    return app
