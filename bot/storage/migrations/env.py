"""Alembic environment: migrates the project's tables on ``DATABASE_URL``."""

from alembic import context
from sqlalchemy import engine_from_config, pool

from bot.storage import lti_models  # noqa: F401  (its tables join Base.metadata)
from bot.storage.db import database_url
from bot.storage.models import Base

config = context.config
target_metadata = Base.metadata
# Rasa's tracker store tables live in the same database: leave them alone.
PROJECT_TABLES = set(Base.metadata.tables)


def include_object(obj, name, type_, reflected, compare_to):
    return not (type_ == "table" and reflected and name not in PROJECT_TABLES)


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url") or database_url(), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is None:
        section = config.get_section(config.config_ini_section) or {}
        section["sqlalchemy.url"] = config.get_main_option("sqlalchemy.url") or database_url()
        connectable = engine_from_config(section, prefix="sqlalchemy.", poolclass=pool.NullPool)
        with connectable.connect() as connection:
            _run(connection)
    else:
        _run(connectable)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
