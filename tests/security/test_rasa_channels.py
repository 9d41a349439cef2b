"""Issue 14, row 8: Rasa's channels are reachable only by the web app (and Telegram).

The REST channel takes the learner id from the request: open to the network, it gave
write access to every learner's record. It now answers the loopback only, or, when
``RASA_REST_SECRET`` is set (compose), only callers sending it, as the web relay does.
The unused socket.io channel is gone.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from aiohttp import web as aioweb

from bot.channels import rest
from bot.devstack import free_port
from bot.web.relay import RasaRelay
from tests.unit.test_compose import env_file, interpolate

pytestmark = pytest.mark.security
ROOT = Path(__file__).resolve().parents[2]


async def status(monkeypatch, secret: str, peer: str, headers: dict) -> int:
    if secret:
        monkeypatch.setenv(rest.SECRET_ENV, secret)
    else:
        monkeypatch.delenv(rest.SECRET_ENV, raising=False)

    async def on_new_message(_):
        return None

    routes = {r.uri: r.handler for r in rest.SpeakerRestInput().blueprint(on_new_message)._future_routes}
    resp = await routes["/webhook"](SimpleNamespace(json={}, headers=headers, args={}, ip=peer))
    return resp.status  # 400 (no sender): the caller was let through


async def test_without_a_secret_only_the_loopback_may_post(monkeypatch):
    assert await status(monkeypatch, "", "127.0.0.1", {}) == 400
    assert await status(monkeypatch, "", "::1", {}) == 400
    for peer in ("10.0.0.12", "172.31.240.1", "192.168.1.20", ""):
        assert await status(monkeypatch, "", peer, {}) == 403, peer


async def test_with_a_secret_every_caller_must_send_it(monkeypatch):
    secret = "s3cr3t-" * 6
    assert await status(monkeypatch, secret, "127.0.0.1", {}) == 403
    assert await status(monkeypatch, secret, "172.31.240.3", {rest.SECRET_HEADER: "devine"}) == 403
    assert await status(monkeypatch, secret, "172.31.240.3", {rest.SECRET_HEADER: secret}) == 400


async def test_the_web_relay_sends_the_secret():
    seen = []

    async def webhook(request):
        seen.append(request.headers.get(rest.SECRET_HEADER))
        return aioweb.json_response([{"text": "Bonjour", "custom": {"speaker": "client", "text": "Bonjour"}}])

    app = aioweb.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    runner = aioweb.AppRunner(app)
    await runner.setup()
    port = free_port()
    await aioweb.TCPSite(runner, "127.0.0.1", port).start()
    try:
        relay = RasaRelay(f"http://127.0.0.1:{port}", 10, secret="le-secret-partage")
        reply = await relay.send("alice.dupont", "Bonjour")
        await relay.close()
    finally:
        await runner.cleanup()
    assert seen == ["le-secret-partage"] and reply[0]["text"] == "Bonjour"


def test_socketio_is_off_and_unused():
    credentials = yaml.safe_load((ROOT / "credentials.yml").read_text(encoding="utf-8"))
    assert "socketio" not in credentials and "rasa.core.channels.socketio.SocketIOInput" not in credentials
    web = ROOT / "bot" / "web"
    for path in list((web / "static").rglob("*")) + list((web / "templates").rglob("*")):
        if path.is_file():
            assert "socket.io" not in path.read_text(encoding="utf-8", errors="ignore").lower(), path


def test_compose_shares_the_secret_and_publishes_rasa_separately():
    raw = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    example = env_file(ROOT / ".env.example")
    services = interpolate(raw, example)["services"]
    assert services["rasa"]["environment"]["RASA_REST_SECRET"] == services["web"]["environment"]["RASA_REST_SECRET"]
    opened = interpolate(raw, {**example, "PUBLISH_HOST": "0.0.0.0"})["services"]
    assert opened["web"]["ports"][0].startswith("0.0.0.0:")
    assert opened["rasa"]["ports"][0].startswith("127.0.0.1:")
    assert json.dumps(raw["services"]["rasa"]["ports"]).count("RASA_PUBLISH_HOST") == 1
