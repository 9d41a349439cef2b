"""Database access: one URL (``DATABASE_URL``) for Rasa's tracker store and our tables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool

from bot.config import ROOT, get_settings


def database_url(url: str | None = None) -> str:
    """The SQLAlchemy URL; a relative SQLite path is taken from the project folder."""
    url = url or get_settings().database_url
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite") and parsed.database and not Path(parsed.database).is_absolute():
        path = ROOT / parsed.database
        path.parent.mkdir(parents=True, exist_ok=True)
        url = str(parsed.set(database=str(path)))
    return url


def _sqlite_wal(dbapi_connection, _record) -> None:
    """WAL journal: the Rasa server, the action server and the web app share the file and
    no longer block each other (readers never wait for the writer); one fsync per commit."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")  # persistent: a no-op once the file is in WAL
    except Exception:  # noqa: BLE001 - locked right now: another connection sets it
        pass
    finally:
        cursor.close()


def sqlite_engine(url: Any, future: bool = True, **connect_args: Any) -> Engine:
    """A SQLite engine that keeps its connections open (SQLAlchemy 1.4 reopens the file for
    every session by default, and the last connection to close checkpoints the WAL)."""
    engine = create_engine(
        url,
        future=future,
        pool_pre_ping=True,
        poolclass=QueuePool,
        connect_args={"check_same_thread": False, **connect_args},
    )
    event.listen(engine, "connect", _sqlite_wal)
    return engine


@lru_cache(maxsize=8)
def get_engine(url: str | None = None) -> Engine:
    resolved = database_url(url)
    kwargs = {"future": True, "pool_pre_ping": True}
    if resolved.startswith("sqlite"):
        # web requests open and close a session in different worker threads
        return sqlite_engine(resolved, timeout=30)
    if resolved.startswith("postgresql") and "connect_timeout" not in resolved:
        kwargs["connect_args"] = {"connect_timeout": 5}  # an unreachable host must not freeze the actions
    return create_engine(resolved, **kwargs)


def session_factory(url: str | None = None) -> sessionmaker:
    return sessionmaker(bind=get_engine(url), class_=Session, future=True, expire_on_commit=False)


def alembic_config(url: str | None = None) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "bot" / "storage" / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url(url).replace("%", "%%"))
    return config


def upgrade(url: str | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str | None = None, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)
