"""Web app settings, read from the environment (``bot/cli.py`` fills the defaults)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _secret(name: str, var_dir: Path) -> str:
    """``SECRET_KEY`` from the environment, else a random key kept in ``var/``."""
    value = os.environ.get(name, "").strip()
    if value:
        return value
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / name.lower()
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def _flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


@dataclass
class Settings:
    database_url: str = ""
    rasa_url: str = "http://127.0.0.1:5005"
    secret_key: str = ""
    widget_secret: str = ""
    #: ``Secure`` cookies: on behind HTTPS (the school's reverse proxy)
    cookie_secure: bool = False
    #: who may embed the widget in a frame (CSP frame-ancestors), e.g. ``https://moodle.lycee.fr``
    widget_ancestors: str = "*"
    login_attempts: int = 5
    login_window_s: int = 300
    rasa_timeout_s: float = 60.0
    var_dir: Path = field(default_factory=lambda: ROOT / "var")

    @classmethod
    def from_env(cls) -> Settings:
        var_dir = ROOT / "var"
        rasa_url = os.environ.get("RASA_URL") or f"http://127.0.0.1:{os.environ.get('RASA_PORT', '5005')}"
        return cls(
            database_url=os.environ.get("DATABASE_URL", ""),
            rasa_url=rasa_url.rstrip("/"),
            secret_key=_secret("SECRET_KEY", var_dir),
            widget_secret=_secret("WIDGET_SECRET", var_dir),
            cookie_secure=_flag("COOKIE_SECURE"),
            widget_ancestors=os.environ.get("WIDGET_ALLOWED_ORIGINS", "*"),
            var_dir=var_dir,
        )
