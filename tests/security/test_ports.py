"""Issue 14, row 1: the action server listens on the loopback only.

rasa_sdk 3.6 binds ``0.0.0.0`` unless ``SANIC_HOST`` says otherwise; anyone on the school
network could then post a forged tracker (any ``sender_id``, a « won » ``sim_state``) to
``:5055/webhook`` and have it recorded as that learner's scored session. The server is
started here through ``bot.cli.start_server``, the code path of ``make run``.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import List

import pytest
import yaml

from bot import cli
from bot.devstack import free_port

pytestmark = pytest.mark.security


def listening_addresses(port: int) -> List[str]:
    """Local IPv4/IPv6 addresses in LISTEN state on ``port`` (from /proc/net/tcp*)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if int(hex_port, 16) == port and fields[3] == "0A":
                found.append(_address(address))
    return found


def _address(hex_address: str) -> str:
    raw = bytes.fromhex(hex_address)
    if len(raw) == 4:
        return socket.inet_ntop(socket.AF_INET, raw[::-1])
    # /proc stores IPv6 as four little-endian 32-bit words
    words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
    return socket.inet_ntop(socket.AF_INET6, words)


def non_loopback_ip() -> str | None:
    """This host's address on its default route (no packet is sent), if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.254.254.254", 9))
            ip = s.getsockname()[0]
        except OSError:
            return None
    return None if ip.startswith("127.") else ip


@pytest.fixture(scope="module")
def action_server(tmp_path_factory, monkeypatch_module):
    monkeypatch_module.delenv("SANIC_HOST", raising=False)
    monkeypatch_module.delenv("ACTION_HOST", raising=False)
    tmp = tmp_path_factory.mktemp("ports")
    env = cli.environment()
    env.update(ACTION_PORT=str(free_port()), DATABASE_URL=f"sqlite:///{tmp / 'ports.db'}")
    proc = cli.start_server("action-server", env, log_dir=tmp)
    try:
        cli.wait_for(f"http://127.0.0.1:{env['ACTION_PORT']}/health", timeout=240, process=proc)
        yield int(env["ACTION_PORT"])
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def test_the_action_server_listens_on_the_loopback_only(action_server):
    addresses = listening_addresses(action_server)
    assert addresses, "the action server does not listen"
    assert set(addresses) <= {"127.0.0.1", "::1"}, addresses
    ip = non_loopback_ip()
    if ip is not None:
        with socket.socket() as s, pytest.raises(OSError):
            s.settimeout(3)
            s.connect((ip, action_server))


def test_compose_keeps_the_action_server_on_the_internal_network():
    compose = yaml.safe_load((cli.ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    action = compose["services"]["action-server"]
    assert "ports" not in action
    assert compose["networks"][action["networks"][0]].get("internal") is True
    assert len(action["networks"]) == 1
    for name in ("postgres", "redis"):
        assert compose["services"][name]["networks"] == action["networks"], name
        assert "ports" not in compose["services"][name]
