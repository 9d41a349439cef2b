"""The web app's view of the project settings (``bot/config.py``), secrets resolved.

The web app needs two secrets (session cookies, widget tokens); when the environment does
not give them (a teacher's laptop), a random one is generated once and kept in ``var/``
so that sessions survive a restart.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from bot.config import DEFAULT_DATABASE_URL, get_settings


def stored_secret(name: str, var_dir: Path) -> str:
    """A random key kept in ``var_dir/name`` (created once, readable by its owner only)."""
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


@dataclass
class Settings:
    """What ``create_app`` reads; tests build one by hand, production uses :meth:`from_env`."""

    database_url: str = DEFAULT_DATABASE_URL
    rasa_url: str = "http://127.0.0.1:5005"
    secret_key: str = ""
    widget_secret: str = ""
    cookie_secure: bool = False
    widget_ancestors: str = "*"
    login_attempts: int = 5
    login_window_s: int = 300
    rasa_timeout_s: float = 60.0
    message_max_chars: int = 5000
    telegram_bot_username: str = ""
    var_dir: Path = field(default_factory=lambda: get_settings().var_dir)

    @classmethod
    def from_env(cls) -> Settings:
        config = get_settings()
        return cls(
            database_url=config.database_url,
            rasa_url=config.rasa_url,
            secret_key=config.secret_key.strip() or stored_secret("secret_key", config.var_dir),
            widget_secret=config.widget_secret.strip() or stored_secret("widget_secret", config.var_dir),
            cookie_secure=config.cookie_secure,
            widget_ancestors=config.widget_allowed_origins,
            login_attempts=config.login_attempts,
            login_window_s=config.login_window_s,
            rasa_timeout_s=config.rasa_timeout_s,
            message_max_chars=config.message_max_chars,
            telegram_bot_username=config.telegram_bot_username.lstrip("@"),
            var_dir=config.var_dir,
        )
