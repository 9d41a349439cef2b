"""The session middleware: ``request.session`` as before, kept server-side (``bot/storage/web_sessions.py``).

Replaces Starlette's ``SessionMiddleware``, whose signed cookie held the data itself
(and, once, a new API token in clear) and could not be revoked. The cookie now carries
a random id only. A change of user (login, sign-up) gets a new id: a cookie planted
before the login (session fixation) is worth nothing after it.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.storage.web_sessions import Loaded, SessionStore

COOKIE_NAME = "negociation_session"
#: the hash of the request's session id, for routes that revoke the user's *other* sessions
SCOPE_KEY = "session_id_hash"


def _dump(data: Any) -> str:
    return json.dumps(data, sort_keys=True, default=str)


class ServerSessionMiddleware:
    def __init__(self, app: ASGIApp, store: SessionStore, secure: bool, max_age_s: int):
        self.app = app
        self.store = store
        self.max_age_s = max_age_s
        flags = "path=/; httponly; samesite=lax" + ("; secure" if secure else "")
        self._set = f"{COOKIE_NAME}={{}}; Max-Age={max_age_s}; {flags}"
        self._clear = f"{COOKIE_NAME}=null; Max-Age=0; expires=Thu, 01 Jan 1970 00:00:00 GMT; {flags}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        sent_id = HTTPConnection(scope).cookies.get(COOKIE_NAME, "")
        loaded: Loaded | None = await run_in_threadpool(self.store.load, sent_id) if sent_id else None
        scope["session"] = dict(loaded.data) if loaded else {}
        scope[SCOPE_KEY] = loaded.id_hash if loaded else None
        before = _dump(scope["session"])

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookie = await run_in_threadpool(self._persist, loaded, scope["session"], before, bool(sent_id))
                if cookie:
                    MutableHeaders(scope=message).append("Set-Cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_wrapper)

    def _persist(self, loaded: Loaded | None, data: dict, before: str, had_cookie: bool) -> str | None:
        """Save the session; the ``Set-Cookie`` value to send, if any."""
        if not data:
            if loaded:
                self.store.delete(loaded.id_hash)  # logout: the id is dead, wherever it was copied
            return self._clear if had_cookie else None
        if loaded is None or loaded.user_id != (data.get("uid") if isinstance(data.get("uid"), int) else None):
            if loaded:
                self.store.delete(loaded.id_hash)
            return self._set.format(self.store.create(data))
        self.store.save(loaded, data, _dump(data) != before)
        return None
