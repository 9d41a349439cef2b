"""Rasa's SQL tracker store configured from one SQLAlchemy URL (``DATABASE_URL``).

Rasa's own ``type: SQL`` wants dialect, host, port... as separate keys; schools give
one URL. SQLite paths are relative to the project and their folder is created.

Robustness: pooled connections are checked before use (``pool_pre_ping``), so the
server recovers by itself once a restarted database is back, and PostgreSQL connections
give up after ``connect_timeout`` seconds (5 unless the URL says otherwise) instead of
freezing the server on an unreachable host.

Rasa wraps every tracker store in its ``FailSafeTrackerStore``: when the database is
down, it swallows the error, plays the message on a blank conversation and keeps the
result in memory only. The learner would read a wrong answer (« aucune simulation en
cours ») and the message would be lost without a word. So every failure is also noted
for the message being handled (:func:`watch_failures`); the REST channel then tells the
learner that the message could not be saved and must be sent again.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, List

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.domain import Domain
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from bot import rasa_patches
from bot.storage import db as project_db

CONNECT_TIMEOUT = 5

_failures: ContextVar[List[BaseException] | None] = ContextVar("tracker_store_failures", default=None)


def watch_failures() -> List[BaseException]:
    """The tracker store errors that will happen while handling the current message."""
    failures: List[BaseException] = []
    _failures.set(failures)
    return failures


def _noted(exc: BaseException) -> None:
    failures = _failures.get()
    if failures is not None:
        failures.append(exc)


def _fail_fast() -> None:
    """Once the database failed for this message, do not wait for it again (up to
    ``connect_timeout`` per call on an unreachable host, the whole server waiting)."""
    failures = _failures.get()
    if failures:
        raise RuntimeError("tracker store unavailable for this message") from failures[0]


class UrlSQLTrackerStore(SQLTrackerStore):
    """``tracker_store: {type: bot.storage.tracker_store.UrlSQLTrackerStore, url: ...}``."""

    def __init__(
        self,
        host: str | None = None,
        domain: Domain | None = None,
        event_broker: EventBroker | None = None,
        **kwargs: Any,
    ) -> None:
        # THE place the Rasa patches are installed: every Rasa server of the project creates
        # this store (endpoints.yml) before it loads the model (see bot/rasa_patches.py)
        rasa_patches.install()
        url = make_url(project_db.database_url(host or None))  # DATABASE_URL's default, SQLite under var/
        dialect = url.drivername.split("+")[0]
        if dialect == "sqlite":
            db = url.database
            super().__init__(domain=domain, dialect="sqlite", db=db, event_broker=event_broker)
            engine_url = self.engine.url
            self.engine.dispose()
            self.engine = project_db.sqlite_engine(engine_url, future=False)  # WAL, pooled connections
            self.sessionmaker = sessionmaker(bind=self.engine)
            return
        query = dict(url.query)
        if dialect == "postgresql":
            query.setdefault("connect_timeout", str(CONNECT_TIMEOUT))
        super().__init__(
            domain=domain,
            dialect=url.drivername,
            host=url.host,
            port=url.port,
            db=url.database or "rasa",
            username=url.username,
            password=url.password,
            event_broker=event_broker,
            query=query or None,
        )
        engine_url = self.engine.url
        self.engine.dispose()
        self.engine = create_engine(engine_url, pool_pre_ping=True, **create_engine_kwargs(engine_url))
        self.sessionmaker = sessionmaker(bind=self.engine)

    async def retrieve(self, sender_id: str) -> Any:
        _fail_fast()
        try:
            return await super().retrieve(sender_id)
        except Exception as exc:
            _noted(exc)
            raise

    async def retrieve_full_tracker(self, conversation_id: str) -> Any:
        _fail_fast()
        try:
            return await super().retrieve_full_tracker(conversation_id)
        except Exception as exc:
            _noted(exc)
            raise

    async def save(self, tracker: Any) -> None:
        _fail_fast()
        try:
            await super().save(tracker)
        except Exception as exc:
            _noted(exc)
            raise
