"""Issue 14: the rate-limit key cannot be changed by a spoofed header.

Before: compose set ``FORWARDED_ALLOW_IPS=*`` and uvicorn took the client address from
``X-Forwarded-For``: a new value on each try meant unlimited password guessing. Now only
``X-Real-IP`` from a ``TRUSTED_PROXIES`` peer names the client (bot/web/proxy.py).
"""

from __future__ import annotations

import ipaddress
import secrets

import pytest
import requests

from bot import cli
from bot.web.proxy import client_address
from bot.web.settings import InsecureSettings, Settings
from tests.web.conftest import CSRF_RE, start_web

pytestmark = pytest.mark.security


def start(tmp_path, **extra) -> tuple:
    app = start_web(
        tmp_path, SECRET_KEY=secrets.token_urlsafe(32), WIDGET_SECRET=secrets.token_urlsafe(32),
        # compose's old value: uvicorn then believed any X-Forwarded-For
        FORWARDED_ALLOW_IPS="*", **extra,
    )  # fmt: skip
    return app.process, app.url


def failed_logins(url: str, headers_per_try) -> list:
    http = requests.Session()
    token = CSRF_RE.search(http.get(url + "/connexion").text).group(1)
    codes = []
    for headers in headers_per_try:
        data = {"username": "eve.garcia", "password": "faux", "csrf_token": token}
        codes.append(http.post(url + "/connexion", data=data, headers=headers).status_code)
    return codes


def spoofed(n: int) -> list:
    return [
        {"X-Forwarded-For": f"203.0.113.{i}", "X-Real-IP": f"198.51.100.{i}", "Forwarded": f"for=192.0.2.{i}"}
        for i in range(1, n + 1)
    ]


def test_spoofed_forwarding_headers_do_not_change_the_rate_limit_key(tmp_path):
    proc, url = start(tmp_path)
    try:
        assert failed_logins(url, spoofed(7)) == [401] * 5 + [429, 429]
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_x_real_ip_from_the_trusted_proxy_names_the_client(tmp_path):
    """The proxy (here the loopback) sets X-Real-IP: each real client has its own key."""
    proc, url = start(tmp_path, TRUSTED_PROXIES="127.0.0.1")
    try:
        one_client = [{"X-Real-IP": "198.51.100.7", "X-Forwarded-For": f"203.0.113.{i}"} for i in range(6)]
        assert failed_logins(url, one_client) == [401] * 5 + [429]
        # another school behind the same proxy is not locked out by that one
        assert failed_logins(url, [{"X-Real-IP": "198.51.100.8"}]) == [401]
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_client_address_rules():
    proxies = (ipaddress.ip_network("172.31.240.1/32"),)
    assert client_address("172.31.240.1", {"x-real-ip": "198.51.100.7"}, proxies) == "198.51.100.7"
    assert client_address("10.0.0.5", {"x-real-ip": "198.51.100.7"}, proxies) == "10.0.0.5"
    assert client_address("172.31.240.1", {"x-real-ip": "not an ip"}, proxies) == "172.31.240.1"
    assert client_address("172.31.240.1", {"x-forwarded-for": "198.51.100.7"}, proxies) == "172.31.240.1"
    assert client_address("172.31.240.1", {"x-real-ip": "198.51.100.7"}, ()) == "172.31.240.1"


def test_trusting_every_address_is_refused(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "*")
    with pytest.raises(InsecureSettings):
        Settings.from_env()
    monkeypatch.setenv("TRUSTED_PROXIES", "172.31.240.1, 10.1.0.0/16")
    assert len(Settings.from_env().trusted_proxies) == 2


def test_compose_trusts_the_public_gateway_only():
    import yaml

    from tests.unit.test_compose import env_file, environment_of, interpolate

    raw = yaml.safe_load((cli.ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    compose = interpolate(raw, env_file(cli.ROOT / ".env.example"))
    web = environment_of(compose["services"]["web"])
    assert "FORWARDED_ALLOW_IPS" not in web
    subnet = ipaddress.ip_network(compose["networks"]["public"]["ipam"]["config"][0]["subnet"])
    proxies = [ipaddress.ip_network(p) for p in web["TRUSTED_PROXIES"].replace(",", " ").split()]
    assert proxies == [ipaddress.ip_network(f"{next(subnet.hosts())}/32")]
