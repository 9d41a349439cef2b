"""The project's settings: one object, read from the environment, for every process.

Every process of the project (Rasa server, action server, web app, command line, tests)
reads its configuration here and nowhere else, so that a default (the SQLite database
under ``var/``, the ports, the longest learner message…) is written once. The
environment variable names are those of ``docker-compose.yml``, ``.env.example`` and
``docs/deployment.md``: a field's ``env=`` is a public name, never rename it.

``get_settings()`` is cached: read once per process. A test that changes the environment
calls ``get_settings.cache_clear()`` (``monkeypatch.setenv`` then clear).

Rasa 3.6 pins pydantic below 1.10.10, hence pydantic v1's ``BaseSettings``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Dict, Set

from pydantic import BaseSettings, Field, validator

ROOT = Path(__file__).resolve().parents[1]

#: The ONE default database: a SQLite file under var/ (a relative path is taken from ROOT)
DEFAULT_DATABASE_URL = "sqlite:///var/negociation.db"


class Settings(BaseSettings):
    """Paths, URLs, ports, limits, secrets and switches of the project."""

    # --- paths -------------------------------------------------------------------------
    #: scenarios, rubric, lexicon (a teacher's own copy of data/ may replace it)
    data_dir: Path = Field(ROOT / "data", env="NEGO_DATA_DIR")
    #: the only folder the processes write to (database file, journals, generated secrets)
    var_dir: Path = Field(ROOT / "var", env="NEGO_VAR_DIR")
    #: the trained Rasa model served by ``make run``
    model_path: Path = Field(ROOT / "models" / "negotiation.tar.gz", env="NEGO_MODEL")
    #: journal of learner messages the tracker store could not take (default var/unsaved-messages.jsonl)
    unsaved_messages_file: Path | None = Field(None, env="UNSAVED_MESSAGES_FILE")

    # --- URLs and ports ----------------------------------------------------------------
    #: the tracker store's and the project's tables (SQLite or PostgreSQL)
    database_url: str = Field(DEFAULT_DATABASE_URL, env="DATABASE_URL")
    #: shared conversation locks (redis://…); empty: in-memory locks, one Rasa server
    lock_store_url: str = Field("", env="LOCK_STORE_URL")
    bind_host: str = Field("127.0.0.1", env="BIND_HOST")
    rasa_port: int = Field(5005, env="RASA_PORT")
    action_port: int = Field(5055, env="ACTION_PORT")
    web_port: int = Field(8000, env="WEB_PORT")
    #: the Rasa server as the web app sees it (default: this host, ``rasa_port``)
    rasa_url_override: str = Field("", env="RASA_URL")
    #: the action server as the Rasa server sees it (default: this host, ``action_port``)
    action_endpoint_url_override: str = Field("", env="ACTION_ENDPOINT_URL")
    #: reverse proxies whose ``X-Real-IP`` names the client (addresses or networks; ``*`` refused)
    trusted_proxies: str = Field("", env="TRUSTED_PROXIES")
    #: the action server's interface: the loopback, so that no one posts a made-up tracker to it
    action_host: str = Field("127.0.0.1", env="ACTION_HOST")
    #: rate limits shared by every web process (redis://…); empty: in the process's memory
    redis_url: str = Field("", env="REDIS_URL")
    #: Sanic workers of the Rasa server (more than one needs LOCK_STORE_URL)
    sanic_workers: int = Field(1, env="SANIC_WORKERS")

    # --- limits (characters) -----------------------------------------------------------
    #: longest learner message a channel keeps (REST, Telegram, web chat): the rest is cut off
    message_max_chars: int = Field(5000, env="NEGO_MESSAGE_MAX_CHARS")
    #: longest part of a message the coach reads and analyses; beyond, it says « trop long »
    analysed_max_chars: int = Field(2000, env="NEGO_ANALYSED_MAX_CHARS")
    #: longest teacher comment kept on a score override
    comment_max_chars: int = Field(2000, env="NEGO_COMMENT_MAX_CHARS")
    #: failed logins per account within ``login_window_s`` before refusing
    login_attempts: int = Field(5, env="NEGO_LOGIN_ATTEMPTS")
    login_window_s: int = Field(300, env="NEGO_LOGIN_WINDOW_S")
    #: how long the web app waits for the Rasa server's answer
    rasa_timeout_s: float = Field(60.0, env="NEGO_RASA_TIMEOUT_S")

    # --- personal data (RGPD) -----------------------------------------------------------
    #: days a learner's data is kept after their last activity; ``make purge`` deletes the rest
    retention_days: int = Field(365, env="RETENTION_DAYS")

    # --- secrets (empty: the web app keeps a random one in var/) -------------------------
    #: ``development`` (laptops, tests) or ``production`` (compose): production refuses weak secrets
    nego_env: str = Field("development", env="NEGO_ENV")
    #: shared by the web app and Rasa's REST channel (X-Coach-Secret); empty: the loopback only
    rasa_rest_secret: str = Field("", env="RASA_REST_SECRET")
    secret_key: str = Field("", env="SECRET_KEY")
    widget_secret: str = Field("", env="WIDGET_SECRET")
    #: the password of ``create-user`` when there is no terminal to type it
    new_user_password: str = Field("", env="NEW_USER_PASSWORD")

    # --- web app switches --------------------------------------------------------------
    #: ``Secure`` cookies: on behind HTTPS (the school's reverse proxy)
    cookie_secure: bool = Field(False, env="COOKIE_SECURE")
    #: who may embed the widget in a frame (CSP frame-ancestors), e.g. ``https://moodle.lycee.fr``
    widget_allowed_origins: str = Field("*", env="WIDGET_ALLOWED_ORIGINS")

    # --- Telegram (off while the token is empty) ---------------------------------------
    telegram_token: str = Field("", env="TELEGRAM_TOKEN")
    telegram_webhook_url: str = Field("", env="TELEGRAM_WEBHOOK_URL")
    telegram_webhook_secret: str = Field("", env="TELEGRAM_WEBHOOK_SECRET")
    telegram_bot_username: str = Field("", env="TELEGRAM_BOT_USERNAME")
    telegram_api_url: str = Field("", env="TELEGRAM_API_URL")

    # --- Rasa ----------------------------------------------------------------------------
    #: patch Rasa even if its version is not the one the patches were written for
    rasa_patches_any_version: bool = Field(False, env="NEGO_RASA_PATCHES_ANY_VERSION")

    class Config:
        case_sensitive = True

    @validator("*", pre=True)
    def _empty_is_default(cls, value, field):  # noqa: N805 - pydantic validator
        """``RASA_PORT=`` (a blank line of .env) means the default, as it always did."""
        if isinstance(value, str) and not value.strip() and field.outer_type_ is not str:
            return field.default
        return value.strip() if isinstance(value, str) and field.outer_type_ is not str else value

    @property
    def rasa_url(self) -> str:
        return (self.rasa_url_override or f"http://127.0.0.1:{self.rasa_port}").rstrip("/")

    @property
    def action_endpoint_url(self) -> str:
        return self.action_endpoint_url_override or f"http://127.0.0.1:{self.action_port}/webhook"

    @property
    def unsaved_messages_path(self) -> Path:
        return self.unsaved_messages_file or self.var_dir / "unsaved-messages.jsonl"

    @property
    def scenarios_dir(self) -> Path:
        return self.data_dir / "scenarios"

    def process_environment(self) -> Dict[str, str]:
        """The variables the child processes need, whatever the caller's environment held:
        ``endpoints.yml`` interpolates ``DATABASE_URL``, ``ACTION_ENDPOINT_URL`` and
        ``LOCK_STORE_URL``; Rasa and the web app read the ports and the bind address."""
        return {
            "DATABASE_URL": self.database_url,
            "LOCK_STORE_URL": self.lock_store_url,
            "ACTION_ENDPOINT_URL": self.action_endpoint_url,
            "BIND_HOST": self.bind_host,
            "RASA_PORT": str(self.rasa_port),
            "ACTION_PORT": str(self.action_port),
            "ACTION_HOST": self.action_host,
            "NEGO_ENV": self.nego_env,
            "WEB_PORT": str(self.web_port),
        }


def env_names() -> Set[str]:
    """Every environment variable the settings read (the deployment files may set no other)."""
    return {name for field in Settings.__fields__.values() for name in field.field_info.extra.get("env_names", ())}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once from the environment."""
    return Settings()
