"""Server-side web sessions: the cookie is a random id, the data and the lifetime are here.

Issue 14: the signed cookie of before could not be revoked (a copied cookie outlived the
logout) and slid forward for ever. A row per session lets logout, a password change
and a deactivation end it, and gives it an idle timeout and an absolute lifetime.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Dict

from sqlalchemy import delete, or_, update
from sqlalchemy.orm import sessionmaker

from bot.storage.models import WebSession

#: a session seen again within this many seconds is not rewritten just to note it
TOUCH_EVERY_S = 60
#: expired rows are deleted at most this often per process
PURGE_EVERY_S = 300


def id_hash(session_id: str, key: str) -> str:
    """What the table keeps, an HMAC of the id with ``SECRET_KEY``: a stolen copy of the table
    gives no usable cookie, and a row written into it without the key opens no session."""
    return hmac.new(key.encode("utf-8"), session_id.encode("utf-8"), hashlib.sha256).hexdigest()


def revoke_user_sessions(db: Any, user_id: int, keep_hash: str | None = None) -> int:
    """End every session of ``user_id`` (but ``keep_hash``, the one making the change)."""
    query = delete(WebSession).where(WebSession.user_id == user_id)
    if keep_hash:
        query = query.where(WebSession.id_hash != keep_hash)
    return db.execute(query).rowcount or 0


@dataclass
class Loaded:
    """A live session as read at the start of a request."""

    id_hash: str
    user_id: int | None
    data: Dict[str, Any]
    last_seen_at: datetime


class SessionStore:
    """Load and save sessions for the middleware (``bot/web/sessions.py``); synchronous, run in threads."""

    def __init__(self, sessions: sessionmaker, key: str, idle_s: int, max_age_s: int):
        self.sessions = sessions
        self.key = key
        self.idle = timedelta(seconds=idle_s)
        self.max_age = timedelta(seconds=max_age_s)
        self._last_purge = 0.0
        self._purge_lock = threading.Lock()

    def load(self, session_id: str) -> Loaded | None:
        if not session_id or len(session_id) > 128:
            return None
        key, now = id_hash(session_id, self.key), datetime.utcnow()
        with self.sessions() as db:
            row = db.get(WebSession, key)
            if row is None:
                return None
            if now - row.created_at > self.max_age or now - row.last_seen_at > self.idle:
                db.delete(row)
                db.commit()
                return None
            return Loaded(key, row.user_id, dict(row.data or {}), row.last_seen_at)

    def create(self, data: Dict[str, Any]) -> str:
        """A new session (first visit, or a login: a new id, so a planted cookie is worthless)."""
        self._purge_now_and_then()
        session_id, now = secrets.token_urlsafe(32), datetime.utcnow()
        with self.sessions() as db:
            db.add(
                WebSession(
                    id_hash=id_hash(session_id, self.key),
                    user_id=_uid(data),
                    data=data,
                    created_at=now,
                    last_seen_at=now,
                )
            )
            db.commit()
        return session_id

    def save(self, loaded: Loaded, data: Dict[str, Any], changed: bool) -> None:
        """Write the data back (or only note the visit); a row revoked meanwhile stays revoked."""
        now = datetime.utcnow()
        if not changed and now - loaded.last_seen_at < timedelta(seconds=TOUCH_EVERY_S):
            return
        values: Dict[str, Any] = {"last_seen_at": now}
        if changed:
            values["data"] = data
        with self.sessions() as db:
            db.execute(update(WebSession).where(WebSession.id_hash == loaded.id_hash).values(**values))
            db.commit()

    def delete(self, key: str) -> None:
        with self.sessions() as db:
            db.execute(delete(WebSession).where(WebSession.id_hash == key))
            db.commit()

    def _purge_now_and_then(self) -> None:
        """Anonymous sessions (the login page's CSRF token) would otherwise pile up."""
        with self._purge_lock:
            if time.monotonic() - self._last_purge < PURGE_EVERY_S:
                return
            self._last_purge = time.monotonic()
        now = datetime.utcnow()
        with self.sessions() as db:
            db.execute(
                delete(WebSession).where(
                    or_(WebSession.created_at < now - self.max_age, WebSession.last_seen_at < now - self.idle)
                )
            )
            db.commit()


def _uid(data: Dict[str, Any]) -> int | None:
    uid = data.get("uid")
    return uid if isinstance(uid, int) else None
