"""One settings object (bot/config.py): its defaults, the environment names, one default database."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot import cli, config
from bot.config import DEFAULT_DATABASE_URL, ROOT, Settings, env_names, get_settings
from bot.storage import db

#: every variable the deployment files and docs name; the settings must keep reading them
DEPLOYMENT_NAMES = {
    "DATABASE_URL", "LOCK_STORE_URL", "RASA_URL", "RASA_PORT", "ACTION_PORT", "WEB_PORT", "BIND_HOST",
    "ACTION_ENDPOINT_URL", "TRUSTED_PROXIES", "SANIC_WORKERS", "SECRET_KEY", "WIDGET_SECRET",
    "COOKIE_SECURE", "WIDGET_ALLOWED_ORIGINS", "TELEGRAM_TOKEN", "TELEGRAM_WEBHOOK_URL",
    "TELEGRAM_WEBHOOK_SECRET", "TELEGRAM_BOT_USERNAME", "TELEGRAM_API_URL", "UNSAVED_MESSAGES_FILE",
    "NEGO_DATA_DIR", "NEW_USER_PASSWORD", "NEGO_ENV", "RASA_REST_SECRET", "REDIS_URL", "ACTION_HOST",
}  # fmt: skip


@pytest.fixture
def clean_env(monkeypatch):
    for name in env_names():
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    return monkeypatch


def test_defaults(clean_env):
    s = get_settings()
    assert s.database_url == DEFAULT_DATABASE_URL == "sqlite:///var/negociation.db"
    assert (s.rasa_port, s.action_port, s.web_port, s.bind_host) == (5005, 5055, 8000, "127.0.0.1")
    assert s.rasa_url == "http://127.0.0.1:5005"
    assert s.action_endpoint_url == "http://127.0.0.1:5055/webhook"
    assert s.data_dir == ROOT / "data" and s.var_dir == ROOT / "var"
    assert s.unsaved_messages_path == ROOT / "var" / "unsaved-messages.jsonl"
    assert (s.message_max_chars, s.analysed_max_chars) == (5000, 2000)
    assert s.lock_store_url == "" and not s.cookie_secure and s.widget_allowed_origins == ""


def test_environment_overrides(clean_env, tmp_path):
    clean_env.setenv("RASA_PORT", "6105")
    clean_env.setenv("ACTION_PORT", "6155")
    clean_env.setenv("COOKIE_SECURE", "true")
    clean_env.setenv("NEGO_DATA_DIR", str(tmp_path))
    clean_env.setenv("DATABASE_URL", "postgresql://u:p@h:5432/d")
    clean_env.setenv("TELEGRAM_BOT_USERNAME", "@coach_bot")
    s = get_settings()
    assert s.rasa_url == "http://127.0.0.1:6105"
    assert s.action_endpoint_url == "http://127.0.0.1:6155/webhook"
    assert s.cookie_secure and s.data_dir == tmp_path and s.database_url.startswith("postgresql://")
    clean_env.setenv("RASA_URL", "http://rasa:5005/")
    assert get_settings().rasa_url == "http://127.0.0.1:6105"  # cached until cleared
    get_settings.cache_clear()
    assert get_settings().rasa_url == "http://rasa:5005"


def test_a_blank_variable_means_the_default(clean_env):
    clean_env.setenv("RASA_PORT", "")
    clean_env.setenv("COOKIE_SECURE", " ")
    s = get_settings()
    assert s.rasa_port == 5005 and s.cookie_secure is False


def test_the_deployment_variable_names_are_kept():
    assert env_names() >= DEPLOYMENT_NAMES


def test_one_default_database_url(clean_env):
    """The default database URL is written once, in bot/config.py, and every reader agrees."""
    written = [
        path.relative_to(ROOT)
        for path in (ROOT / "bot").rglob("*.py")
        if "negociation.db" in path.read_text(encoding="utf-8")
    ]
    assert written == [Path("bot/config.py")]
    assert db.database_url() == str(ROOT / "var" / "negociation.db").join(["sqlite:///", ""])
    assert cli.environment()["DATABASE_URL"] == DEFAULT_DATABASE_URL


def test_nothing_in_bot_reads_the_environment_directly():
    reads = re.compile(r"os\.environ|os\.getenv|getenv\(")
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "bot").rglob("*.py")
        if reads.search(path.read_text(encoding="utf-8"))
        and path.name not in {"config.py", "cli.py"}
        # the developers' stack builds child environments and reads TEST_DATABASE_URL / TEST_REDIS_URL
        and path.parent.name != "devstack"
    ]
    assert offenders == []


def test_web_settings_derive_from_the_project_settings(clean_env, tmp_path):
    from bot.web.settings import Settings as WebSettings

    clean_env.setenv("NEGO_VAR_DIR", str(tmp_path))
    clean_env.setenv("WIDGET_ALLOWED_ORIGINS", "https://moodle.lycee.fr")
    clean_env.setenv("SECRET_KEY", "from-the-environment")
    web = WebSettings.from_env()
    assert web.widget_ancestors == "'self' https://moodle.lycee.fr" and web.secret_key == "from-the-environment"
    assert web.widget_secret == (tmp_path / "widget_secret").read_text(encoding="utf-8").strip()
    assert web.database_url == DEFAULT_DATABASE_URL and web.message_max_chars == 5000


def test_scenarios_command_honours_nego_data_dir(tmp_path):
    """``python -m bot.cli scenarios`` validates the scenarios of NEGO_DATA_DIR, not the shipped ones."""
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "broken.yml").write_text("id: broken\n", encoding="utf-8")
    env = {**cli.environment(), "NEGO_DATA_DIR": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-m", "bot.cli", "scenarios"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 1, out.stderr
    assert "broken.yml" in out.stdout and "air-plasturgie" not in out.stdout


def test_settings_is_a_pydantic_base_settings():
    from pydantic import BaseSettings

    assert issubclass(Settings, BaseSettings) and config.get_settings() is config.get_settings()


def test_no_database_file_at_the_repository_root():
    """Databases live under var/ or a test's tmp dir; a root ``*.db`` (the old e2e.db) is a leak."""
    assert sorted(p.name for p in ROOT.glob("*.db")) == []
