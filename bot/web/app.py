"""The web app (port 8000): student chat, teacher dashboard, widget and results API.

``create_app()`` builds a FastAPI application; ``python -m bot.cli web`` serves it.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path
from typing import Dict

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from bot.assessment.rubric import default_rubric
from bot.storage import authored
from bot.storage import db as storage
from bot.storage.web_sessions import SessionStore
from bot.web.deps import PASSWORD_PAGE, NotLoggedIn, PasswordChangeRequired
from bot.web.proxy import TrustedProxyMiddleware
from bot.web.ratelimit import make_limiter
from bot.web.relay import RasaRelay
from bot.web.routes import (
    account,
    api,
    assignments,
    auth,
    catalogue,
    debrief,
    editor,
    exports,
    lti,
    lti_admin,
    preparation,
    privacy,
    student,
    teacher,
    widget,
)
from bot.web.sessions import ServerSessionMiddleware
from bot.web.settings import Settings
from bot.web.templating import render

HERE = Path(__file__).resolve().parent
#: no page takes more (the roster and scenario limits are lower still, bot/web/uploads.py)
MAX_REQUEST_BYTES = 1_000_000


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
        storage.upgrade(settings.database_url)
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
    app.state.sessions = storage.session_factory(settings.database_url)
    app.state.relay = RasaRelay(settings.rasa_url, settings.rasa_timeout_s, settings.rasa_secret)
    app.state.login_limiter = make_limiter(
        settings.redis_url, settings.login_attempts, settings.login_window_s, "login"
    )
    app.state.ip_limiter = make_limiter(settings.redis_url, settings.login_ip_attempts, settings.login_window_s, "ip")
    app.state.library = lambda: authored.current_library(settings.database_url)
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
        if request.url.path.startswith(("/enseignant", "/eleve", "/api", "/admin", "/lti")):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    # the cookie is a random id; the session lives in the database (revocable, idle + absolute limits)
    store = SessionStore(app.state.sessions, settings.secret_key, settings.session_idle_s, settings.session_max_age_s)
    app.add_middleware(
        ServerSessionMiddleware, store=store, secure=settings.cookie_secure, max_age_s=settings.session_max_age_s
    )

    privacy.install_audit(app)  # who viewed or changed a learner's record (RGPD); sees the real client

    # outermost: the rate limits and the pages see the real client (bot/web/proxy.py)
    app.add_middleware(TrustedProxyMiddleware, proxies=settings.trusted_proxies)

    @app.exception_handler(NotLoggedIn)
    async def _login_redirect(request: Request, exc: NotLoggedIn):
        if request.url.path.startswith(("/api/", "/eleve/api/")):
            return JSONResponse({"detail": "Connexion requise."}, status_code=401)
        return RedirectResponse(f"/connexion?suite={request.url.path}", status_code=303)

    @app.exception_handler(PasswordChangeRequired)
    async def _password_change(request: Request, exc: PasswordChangeRequired):
        if request.url.path.startswith(("/api/", "/eleve/api/")):
            return JSONResponse({"detail": "Changez d'abord votre mot de passe provisoire."}, status_code=403)
        return RedirectResponse(PASSWORD_PAGE, status_code=303)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException):
        if request.url.path.startswith(("/api/", "/eleve/api/", "/widget/api/")):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return render(request, "error.html", {"status": exc.status_code, "detail": exc.detail}, exc.status_code)

    pages = (auth, account, student, preparation, debrief, teacher, exports, assignments, editor, privacy, lti)
    for module in (*pages, lti_admin, catalogue, api, widget):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    @app.get("/health", include_in_schema=False)
    async def health() -> Dict[str, str]:
        """On the event loop: it answers as long as the loop is free (the argon2 work is not on it)."""
        return {"status": "ok"}

    return app
