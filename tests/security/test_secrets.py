"""Issue 14: startup refuses weak secrets outside development; secrets compared in constant time.

With ``WIDGET_SECRET=change-me`` (the value of ``.env.example``) anyone could mint widget
tokens for ``prenom.nom`` and write into that student's record; with a known
``SECRET_KEY``, forge a teacher's session cookie.
"""

from __future__ import annotations

import secrets
import subprocess
from types import SimpleNamespace

import pytest
import yaml

from bot import cli
from bot.channels import telegram as tg
from bot.devstack import free_port
from bot.storage import accounts, db
from bot.web import security
from bot.web.settings import InsecureSettings, Settings
from tests.unit.test_compose import env_file, environment_of, interpolate

pytestmark = pytest.mark.security
STRONG = secrets.token_urlsafe(32)


def settings(**kw) -> Settings:
    values = {"secret_key": STRONG, "widget_secret": secrets.token_urlsafe(32), "environment": "production"}
    values.update(kw)
    return Settings(**values)


@pytest.mark.parametrize(
    "field, value, why",
    [
        ("secret_key", "", "vide"),
        ("widget_secret", "change-me", "exemple"),
        ("secret_key", "Change-Me", "exemple"),
        ("widget_secret", "x" * 31, "trop court"),
        ("secret_key", "test-secret-key", "trop court"),
    ],
)
def test_production_refuses_empty_example_or_short_secrets(field, value, why):
    with pytest.raises(InsecureSettings) as exc:
        settings(**{field: value}).check()
    assert why in str(exc.value) and field.upper() in str(exc.value)
    settings(**{field: value}, environment="development").check()  # development: keys of var/, no refusal
    settings().check()  # strong secrets start


def test_production_refuses_the_example_database_password_and_unknown_environments():
    with pytest.raises(InsecureSettings, match="DATABASE_URL"):
        settings(database_url="postgresql://nego:change-me@postgres:5432/nego").check()
    settings(database_url=f"postgresql://nego:{STRONG}@postgres:5432/nego").check()
    with pytest.raises(InsecureSettings, match="NEGO_ENV"):
        settings(environment="prod").check()  # a typo must not mean development


def test_production_does_not_fall_back_to_the_random_keys_of_var(monkeypatch):
    monkeypatch.setenv("NEGO_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("WIDGET_SECRET", STRONG)
    with pytest.raises(InsecureSettings, match="SECRET_KEY est vide"):
        Settings.from_env().check()
    monkeypatch.setenv("NEGO_ENV", "development")
    assert len(Settings.from_env().secret_key) >= 32


def test_compose_runs_the_web_app_in_production_and_the_example_env_is_refused():
    raw = yaml.safe_load((cli.ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    web = environment_of(interpolate(raw, env_file(cli.ROOT / ".env.example"))["services"]["web"])
    assert web["NEGO_ENV"] == "production"
    as_deployed = Settings(
        database_url=web["DATABASE_URL"], secret_key=web["SECRET_KEY"], widget_secret=web["WIDGET_SECRET"],
        environment=web["NEGO_ENV"],
    )  # fmt: skip
    with pytest.raises(InsecureSettings) as exc:
        as_deployed.check()
    for name in ("SECRET_KEY", "WIDGET_SECRET", "DATABASE_URL"):
        assert name in str(exc.value)


def test_the_web_process_refuses_to_start_with_the_example_secret(tmp_path):
    env = cli.environment()
    env.update(
        NEGO_ENV="production", SECRET_KEY="change-me", WIDGET_SECRET=STRONG, WEB_PORT=str(free_port()),
        DATABASE_URL=f"sqlite:///{tmp_path / 'w.db'}",
    )  # fmt: skip
    done = subprocess.run(cli.web_command(env), cwd=cli.ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "SECRET_KEY a la valeur d'exemple" in done.stderr


def test_the_web_process_starts_in_production_with_strong_secrets(tmp_path):
    env = cli.environment()
    env.update(
        NEGO_ENV="production", SECRET_KEY=STRONG, WIDGET_SECRET=secrets.token_urlsafe(32), WEB_PORT=str(free_port()),
        DATABASE_URL=f"sqlite:///{tmp_path / 'w.db'}",
    )  # fmt: skip
    proc = cli.start_web(env, log_dir=tmp_path)
    proc.terminate()
    proc.wait(timeout=15)


# --------------------------------------------------------------------------- constant time


class Spy:
    def __init__(self, real):
        self.real, self.calls = real, 0

    def __call__(self, a, b):
        self.calls += 1
        return self.real(a, b)


def _webhook(channel: tg.TelegramChannel):
    async def on_new_message(_):
        return None

    bp = channel.blueprint(on_new_message)
    return next(r.handler for r in bp._future_routes if r.uri == "/webhook")


async def test_the_telegram_secret_is_compared_in_constant_time(monkeypatch):
    import hmac

    spy = Spy(hmac.compare_digest)
    monkeypatch.setattr(tg.hmac, "compare_digest", spy)
    channel = tg.TelegramChannel("123456:ABC-def", webhook_url="https://x.example/w", secret_token="s" * 48)
    handler = _webhook(channel)
    for sent in (None, "wrong", "s" * 47):
        resp = await handler(SimpleNamespace(headers={tg.SECRET_HEADER: sent} if sent else {}, json=None))
        assert resp.status == 403
    resp = await handler(SimpleNamespace(headers={tg.SECRET_HEADER: "s" * 48}, json=None))
    assert resp.status == 200 and spy.calls >= 3


def test_api_tokens_are_compared_in_constant_time(tmp_path, monkeypatch):
    import hmac

    url = f"sqlite:///{tmp_path / 't.db'}"
    db.upgrade(url)
    with db.session_factory(url)() as s:
        admin = accounts.create_user(s, "admin", "motdepasse-solide", "admin")
        token = accounts.create_api_token(s, admin)
        spy = Spy(hmac.compare_digest)
        monkeypatch.setattr(accounts.hmac, "compare_digest", spy)
        assert accounts.user_for_token(s, token) is admin
        assert spy.calls == 1
        # same public prefix, wrong secret part
        assert accounts.user_for_token(s, token[:10] + "A" * (len(token) - 10)) is None
        assert accounts.user_for_token(s, "") is None


def test_forged_widget_tokens_are_refused_by_a_constant_time_signature_check(monkeypatch):
    """itsdangerous compares signatures with ``hmac.compare_digest`` (kept as a guard)."""
    import itsdangerous.signer

    spy = Spy(itsdangerous.signer.hmac.compare_digest)
    monkeypatch.setattr(itsdangerous.signer.hmac, "compare_digest", spy)
    good = security.widget_token(STRONG, "alice.dupont")
    assert security.widget_user(STRONG, good) == "alice.dupont"
    assert security.widget_user(STRONG, security.widget_token("change-me", "alice.dupont")) is None
    assert security.widget_user(STRONG, good[:-2] + ("AA" if good[-2:] != "AA" else "BB")) is None
    assert spy.calls >= 3


def test_production_needs_the_rasa_secret_when_rasa_is_not_on_the_loopback():
    with pytest.raises(InsecureSettings, match="RASA_REST_SECRET"):
        settings(rasa_url="http://rasa:5005").check()
    settings(rasa_url="http://rasa:5005", rasa_secret=secrets.token_urlsafe(32)).check()
    settings(rasa_url="http://127.0.0.1:5005").check()  # loopback: the channel trusts it
