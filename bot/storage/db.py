"""Database access: one URL (``DATABASE_URL``) for Rasa's tracker store and our tables."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_URL = "sqlite:///var/negociation.db"


def database_url(url: str | None = None) -> str:
    """The SQLAlchemy URL; a relative SQLite path is taken from the project folder."""
    url = url or os.environ.get("DATABASE_URL") or DEFAULT_URL
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite") and parsed.database and not Path(parsed.database).is_absolute():
        path = ROOT / parsed.database
        path.parent.mkdir(parents=True, exist_ok=True)
        url = str(parsed.set(database=str(path)))
    return url


@lru_cache(maxsize=8)
def get_engine(url: str | None = None) -> Engine:
    resolved = database_url(url)
    kwargs = {"future": True, "pool_pre_ping": True}
    if resolved.startswith("sqlite"):
        # web requests open and close a session in different worker threads
        kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
    elif resolved.startswith("postgresql") and "connect_timeout" not in resolved:
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
