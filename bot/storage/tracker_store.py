"""Rasa's SQL tracker store configured from one SQLAlchemy URL (``DATABASE_URL``).

Rasa's own ``type: SQL`` wants dialect, host, port... as separate keys; schools give
one URL. SQLite paths are relative to the project and their folder is created.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from sqlalchemy.engine import make_url

DEFAULT_URL = "sqlite:///var/negociation.db"


class UrlSQLTrackerStore(SQLTrackerStore):
    """``tracker_store: {type: bot.storage.tracker_store.UrlSQLTrackerStore, url: ...}``."""

    def __init__(
        self,
        host: str | None = None,
        domain: Domain | None = None,
        event_broker: EventBroker | None = None,
        **kwargs: Any,
    ) -> None:
        url = make_url(host or DEFAULT_URL)
        dialect = url.drivername.split("+")[0]
        if dialect == "sqlite":
            db = url.database or "var/negociation.db"
            Path(db).parent.mkdir(parents=True, exist_ok=True)
            super().__init__(domain=domain, dialect="sqlite", db=db, event_broker=event_broker)
            return
        super().__init__(
            domain=domain,
            dialect=url.drivername,
            host=url.host,
            port=url.port,
            db=url.database or "rasa",
            username=url.username,
            password=url.password,
            event_broker=event_broker,
            query=dict(url.query) or None,
        )
