"""CSRF tokens, CPU work off the event loop and the widget's signed learner tokens."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import hmac
import os
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, TypeVar

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from starlette.requests import Request

T = TypeVar("T")
#: how much nicer than the process the CPU threads are
CPU_NICE = 10
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
WIDGET_MAX_AGE_S = 8 * 3600


def csrf_token(request: Request) -> str:
    """The session's CSRF token (created on first use)."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def csrf_ok(request: Request) -> bool:
    """The submitted token (form field or header) matches the session's."""
    expected = request.session.get("csrf")
    if not expected:
        return False
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if "form" in content_type:
            sent = (await request.form()).get(CSRF_FIELD)
    return isinstance(sent, str) and hmac.compare_digest(sent, expected)


def _lower_priority() -> None:
    """Initializer of the CPU threads: a nicer priority for this thread only (Linux), so the
    event loop's thread gets the cores first while hashes are being computed."""
    try:
        nice = min(19, os.getpriority(os.PRIO_PROCESS, 0) + CPU_NICE)
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)
    except (OSError, AttributeError):
        pass


_cpu_pool: ThreadPoolExecutor | None = None
_cpu_pool_lock = threading.Lock()


def cpu_pool() -> ThreadPoolExecutor:
    global _cpu_pool
    with _cpu_pool_lock:
        if _cpu_pool is None:
            workers = max(1, (os.cpu_count() or 2) - 1)
            _cpu_pool = ThreadPoolExecutor(workers, thread_name_prefix="cpu", initializer=_lower_priority)
        return _cpu_pool


async def off_loop(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run CPU-bound work (argon2, YAML, CSV imports) off the event loop.

    On the loop, each argon2 hash froze every user (``/health`` 2.5 s during 8 failed
    logins, issue 14). The work goes to a small pool (one thread per core but one) of
    lower-priority threads: many logins at once queue there instead of starving the
    loop and the other requests.
    """
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(cpu_pool(), functools.partial(fn, *args, **kwargs))


class _IssuedAtSigner(TimestampSigner):
    """Signs with a given time instead of now: a listed widget link is signed again, identical."""

    def __init__(self, *args: Any, issued_at: int, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.issued_at = issued_at

    def get_timestamp(self) -> int:
        return self.issued_at


def _serializer(secret: str, issued_at: int | None = None) -> URLSafeTimedSerializer:
    if issued_at is None:
        return URLSafeTimedSerializer(secret, salt="negociation-widget")
    return URLSafeTimedSerializer(
        secret, salt="negociation-widget", signer=_IssuedAtSigner, signer_kwargs={"issued_at": issued_at}
    )


def password_version(password_hash: str) -> str:
    """Changes with the password: tokens bound to it die when the password is reset."""
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()[:16]


def widget_token(secret: str, username: str, version: str = "", link: str = "", issued_at: int | None = None) -> str:
    """A signed token naming a student account, for the LMS widget.

    The web app binds it to the account's ``password_version`` (a password reset revokes
    every snippet given out) and to a ``link`` row the teacher can revoke, signed at the
    row's ``issued_at`` so that the page shows the same token again. A token without
    version (minted by an LMS plugin with ``WIDGET_SECRET``) is valid until it expires.
    """
    claims = {"u": username}
    if version:
        claims["v"] = version
    if link:
        claims["l"] = link
    return _serializer(secret, issued_at).dumps(claims)


def widget_claims(secret: str, token: str, max_age_s: int = WIDGET_MAX_AGE_S) -> dict | None:
    try:
        data = _serializer(secret).loads(token, max_age=max_age_s)
    except (BadSignature, SignatureExpired):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("u"), str) else None


def widget_user(secret: str, token: str, max_age_s: int = WIDGET_MAX_AGE_S) -> str | None:
    data = widget_claims(secret, token, max_age_s)
    return data["u"] if data else None


def widget_version_ok(claims: dict, password_hash: str) -> bool:
    version = claims.get("v")
    if version is None:
        return True
    return isinstance(version, str) and hmac.compare_digest(version, password_version(password_hash))
