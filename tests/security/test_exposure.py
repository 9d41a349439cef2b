"""Issue 14, row 7: no public OpenAPI page in production; Telegram updates always need the secret."""

from __future__ import annotations

import secrets
from types import SimpleNamespace

import pytest

from bot.channels import telegram as tg
from bot.config import get_settings
from bot.web.app import create_app
from bot.web.settings import Settings

pytestmark = pytest.mark.security


def routes(environment: str, tmp_path) -> set:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'x.db'}", secret_key=secrets.token_urlsafe(32),
        widget_secret=secrets.token_urlsafe(32), environment=environment,
    )  # fmt: skip
    return {getattr(r, "path", "") for r in create_app(settings).routes}


def test_the_openapi_page_and_schema_exist_in_development_only(tmp_path):
    assert {"/api/docs", "/api/openapi.json"} <= routes("development", tmp_path)
    production = routes("production", tmp_path)
    assert not {"/api/docs", "/api/openapi.json", "/openapi.json", "/docs", "/redoc"} & production
    assert "/api/v1/learners/{learner_id}/sessions" in production


async def _post(channel: tg.TelegramChannel, headers: dict) -> int:
    async def on_new_message(_):
        return None

    handler = next(r.handler for r in channel.blueprint(on_new_message)._future_routes if r.uri == "/webhook")
    return (await handler(SimpleNamespace(headers=headers, json=None))).status


async def test_telegram_updates_need_the_secret_even_without_a_webhook_url(monkeypatch):
    for env in tg.ENV.values():
        monkeypatch.delenv(env, raising=False)
    monkeypatch.setenv("TELEGRAM_TOKEN", "123456:ABC-def")
    channel = tg.TelegramChannel.from_credentials(None)
    assert channel.webhook_url is None and channel.secret_token
    assert await _post(channel, {}) == 403
    assert await _post(channel, {tg.SECRET_HEADER: "devine"}) == 403
    assert await _post(channel, {tg.SECRET_HEADER: channel.secret_token}) == 200
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "un-secret-choisi-par-l-admin")
    get_settings.cache_clear()  # the settings are read once per process
    channel = tg.TelegramChannel.from_credentials(None)
    assert await _post(channel, {tg.SECRET_HEADER: "un-secret-choisi-par-l-admin"}) == 200
