"""pylti1p3 adapted to FastAPI, as its Flask and Django adapters do for those frameworks.

pylti1p3 is synchronous (it fetches the platform's keys with ``requests``), so a route reads
the form first, builds a :class:`FastApiRequest` from plain values, and runs the library in a
worker thread. Cookies the library sets are collected and copied onto the response.

Launch data (nonces, launch ids) live in the database (:class:`DatabaseLaunchStorage`), not
in the session cookie: the launch is a cross-site POST from the LMS, and every web worker must
see the nonce the login initiation stored. A nonce is *consumed* when checked, which is what
makes a replayed id token fail (pylti1p3 itself only checks the nonce exists).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Dict, Mapping

from pylti1p3.cookie import CookieService
from pylti1p3.launch_data_storage.cache import CacheDataStorage
from pylti1p3.message_launch import MessageLaunch
from pylti1p3.oidc_login import OIDCLogin
from pylti1p3.redirect import Redirect
from pylti1p3.request import Request
from pylti1p3.session import SessionService
from sqlalchemy import delete
from sqlalchemy.orm import sessionmaker
from starlette.responses import RedirectResponse, Response

from bot.storage.lti_models import LtiCache

NONCE_MARK = "-nonce-"


class FastApiRequest(Request):
    """A request's form or query values, cookies and session, read before the worker thread."""

    def __init__(self, params: Mapping[str, str], cookies: Mapping[str, str], session: Dict, secure: bool):
        self._params = dict(params)
        self._cookies = dict(cookies)
        self._session = session
        self._secure = secure

    @property
    def session(self) -> Dict:
        return self._session

    def get_param(self, key: str) -> str:
        return self._params.get(key)  # type: ignore[return-value]

    def get_cookie(self, key: str) -> str | None:
        return self._cookies.get(key)

    def is_secure(self) -> bool:
        return self._secure


class FastApiCookieService(CookieService):
    """Cookies pylti1p3 sets (the state); ``SameSite=None; Secure`` over HTTPS so the LMS's POST carries them."""

    def __init__(self, request: FastApiRequest):
        self._request = request
        self._to_set: Dict[str, Dict[str, Any]] = {}

    def _key(self, name: str) -> str:
        return f"{self._cookie_prefix}-{name}"

    def get_cookie(self, name: str) -> str | None:
        return self._request.get_cookie(self._key(name))

    def set_cookie(self, name: str, value, exp=3600) -> None:
        self._to_set[self._key(name)] = {"value": str(value), "exp": exp}

    def update_response(self, response: Response) -> Response:
        secure = self._request.is_secure()
        for key, data in self._to_set.items():
            response.set_cookie(
                key,
                data["value"],
                max_age=data["exp"],
                path="/",
                httponly=True,
                secure=secure,
                samesite="none" if secure else "lax",
            )
        return response


class FastApiRedirect(Redirect):
    def __init__(self, location: str, cookies: FastApiCookieService):
        self._location = location
        self._cookies = cookies

    def do_redirect(self) -> Response:
        return self._cookies.update_response(RedirectResponse(self._location, status_code=302))

    def do_js_redirect(self) -> Response:  # never asked for: the login always redirects with a 302
        return self.do_redirect()

    def set_redirect_url(self, location: str) -> None:
        self._location = location

    def get_redirect_url(self) -> str:
        return self._location


class DatabaseCache:
    """The get/set cache :class:`CacheDataStorage` expects, in table ``lti_cache``."""

    DEFAULT_TTL = timedelta(hours=2)

    def __init__(self, sessions: sessionmaker):
        self.sessions = sessions

    def get(self, key: str) -> Any:
        with self.sessions() as db:
            row = db.get(LtiCache, key)
            return row.value if row is not None and row.expires_at > datetime.utcnow() else None

    def set(self, key: str, value: Any, exp: int | None = None) -> None:
        now = datetime.utcnow()
        with self.sessions() as db:
            db.execute(delete(LtiCache).where(LtiCache.expires_at < now))
            row = db.get(LtiCache, key) or LtiCache(key=key)
            row.value = value
            row.expires_at = now + (timedelta(seconds=exp) if exp else self.DEFAULT_TTL)
            db.merge(row)
            db.commit()

    def consume(self, key: str) -> bool:
        """Delete ``key``; True for the one caller that found it unexpired (two replays cannot both win)."""
        with self.sessions() as db:
            gone = db.execute(
                delete(LtiCache)
                .where(LtiCache.key == key, LtiCache.expires_at > datetime.utcnow())
                .execution_options(synchronize_session=False)
            )
            db.commit()
            return gone.rowcount == 1


class DatabaseLaunchStorage(CacheDataStorage):
    _cache: DatabaseCache

    def __init__(self, sessions: sessionmaker):
        super().__init__()
        self._cache = DatabaseCache(sessions)

    def check_value(self, key: str) -> bool:
        if NONCE_MARK in key:  # the only check pylti1p3 makes: a nonce is good once
            return self._cache.consume(self._prepare_key(key))
        return super().check_value(key)


def _services(request: FastApiRequest, sessions: sessionmaker):
    cookies = FastApiCookieService(request)
    session = SessionService(request)
    return cookies, session, DatabaseLaunchStorage(sessions)


class FastApiOIDCLogin(OIDCLogin):
    def get_redirect(self, url: str) -> FastApiRedirect:
        return FastApiRedirect(url, self._cookie_service)

    def get_response(self, html: str) -> Response:
        return self._cookie_service.update_response(Response(html, media_type="text/html"))


class FastApiMessageLaunch(MessageLaunch):
    def _get_request_param(self, key: str) -> str:
        return self._request.get_param(key)


def oidc_login(request: FastApiRequest, tool_config, sessions: sessionmaker) -> FastApiOIDCLogin:
    cookies, session, storage = _services(request, sessions)
    return FastApiOIDCLogin(request, tool_config, session, cookies, storage)


def message_launch(request: FastApiRequest, tool_config, sessions: sessionmaker) -> FastApiMessageLaunch:
    cookies, session, storage = _services(request, sessions)
    return FastApiMessageLaunch(request, tool_config, session, cookies, storage)


def restored_launch(launch_id: str, request: FastApiRequest, tool_config, sessions: sessionmaker):
    """A launch validated earlier (deep linking: the teacher's choice comes in a second request)."""
    cookies, session, storage = _services(request, sessions)
    return FastApiMessageLaunch.from_cache(launch_id, request, tool_config, session, cookies, storage)
