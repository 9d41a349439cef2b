"""Helpers of the fault tests: a throw-away PostgreSQL database, a TCP proxy the test can
cut, and a Rasa + action server stack whose processes can be killed and restarted."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import threading
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Dict, List

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot import cli, devstack
from bot.devstack import free_port


def postgres_url() -> str:
    """TEST_DATABASE_URL; the test fails in CI (never skips) when it is missing or down."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("TEST_DATABASE_URL must be set in CI: the PostgreSQL fault tests must run")
        pytest.skip("TEST_DATABASE_URL not set")
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 5})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # noqa: BLE001
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL unreachable at TEST_DATABASE_URL: {exc}")
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    return url


class ThrowAwayDatabase:
    """A database of its own (``CREATE DATABASE``), dropped at the end."""

    def __init__(self, url: str, prefix: str = "nego_test"):
        self.admin_url = url
        self.name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        self.url = make_url(url).set(database=self.name)

    def _admin(self, sql: str) -> None:
        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(sql))
        engine.dispose()

    def create(self) -> ThrowAwayDatabase:
        self._admin(f'CREATE DATABASE "{self.name}"')
        return self

    def drop(self) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def via(self, port: int) -> str:
        """The URL of this database through a proxy listening on ``port``."""
        return str(self.url.set(host="127.0.0.1", port=port))


class CuttableProxy:
    """TCP proxy in front of PostgreSQL. ``cut()`` closes every connection and refuses
    new ones (as a stopped server would); ``cut(blackhole=True)`` holds new connections
    without an answer (as a firewall dropping packets would); ``restore()`` lets them
    through again."""

    def __init__(self, target_host: str, target_port: int):
        self.target = (target_host, target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.up = True
        self.blackhole = False
        self._lock = threading.Lock()
        self._sockets: List[socket.socket] = []
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                if self.blackhole:
                    with self._lock:
                        self._sockets.append(client)
                else:
                    client.close()
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self, blackhole: bool = False) -> None:
        self.up = False
        self.blackhole = blackhole
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for s in sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def restore(self) -> None:
        self.up = True

    def close(self) -> None:
        self._closed = True
        self.cut()
        self.listener.close()


class FaultStack:
    """Rasa server + action server, each with its own ``DATABASE_URL`` (so that the test can
    cut the database of one or both), with kill and restart."""

    def __init__(self, log_dir: Path, rasa_db_url: str, action_db_url: str, direct_db_url: str):
        self.log_dir = log_dir
        self.direct_db_url = direct_db_url
        base = cli.environment()
        base.update(RASA_PORT=str(free_port()), ACTION_PORT=str(free_port()))
        base["ACTION_ENDPOINT_URL"] = f"http://127.0.0.1:{base['ACTION_PORT']}/webhook"
        base["UNSAVED_MESSAGES_FILE"] = str(log_dir / "unsaved-messages.jsonl")
        self.envs = {
            "rasa": dict(base, DATABASE_URL=rasa_db_url),
            "action-server": dict(base, DATABASE_URL=action_db_url),
        }
        self.url = f"http://127.0.0.1:{base['RASA_PORT']}/webhooks/rest/webhook"
        self.health = {name: devstack.health_url(base, name) for name in ("rasa", "action-server")}
        self.procs: Dict[str, subprocess.Popen] = {}
        self.engine = create_engine(direct_db_url)
        self.starts = 0

    def _spawn(self, name: str) -> None:
        self.starts += 1
        self.procs[name] = devstack.spawn(name, self.envs[name], self.log_dir, suffix=f"-{self.starts}")

    def start(self, name: str) -> float:
        """Start one process and wait until it answers; returns the seconds it took."""
        t0 = time.monotonic()
        self._spawn(name)
        devstack.wait_for(self.health[name], process=self.procs[name])
        return time.monotonic() - t0

    def start_all(self) -> None:
        devstack.migrate({"DATABASE_URL": self.direct_db_url})
        for name in self.health:
            self._spawn(name)
        for name, url in self.health.items():
            devstack.wait_for(url, process=self.procs[name])

    def kill(self, name: str) -> None:
        proc = self.procs[name]
        proc.kill()
        proc.wait(timeout=15)

    def alive(self) -> bool:
        return all(p.poll() is None for p in self.procs.values())

    def stop(self) -> None:
        for proc in self.procs.values():  # a throw-away stack: no clean shutdown to wait for
            proc.kill()
            proc.wait(timeout=15)
        self.engine.dispose()

    def send(self, sender: str, message: str, timeout: float = 120) -> List[Dict[str, Any]]:
        body = json.dumps({"sender": sender, "message": message}).encode("utf-8")
        req = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return json.loads(resp.read().decode("utf-8"))

    def _events(self, sender: str, type_name: str) -> List[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT data FROM events WHERE sender_id = :s AND type_name = :t ORDER BY id"),
                {"s": sender, "t": type_name},
            ).all()
        return [json.loads(d) for (d,) in rows]

    def user_texts(self, sender: str) -> List[str]:
        return [e["text"] for e in self._events(sender, "user")]

    def state(self, sender: str) -> Dict[str, Any]:
        for event in reversed(self._events(sender, "slot")):
            if event.get("name") == "sim_state":
                return event["value"]
        return {}

    def learner_turns(self, sender: str) -> List[str]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT t.text FROM turns t JOIN sessions s ON s.id = t.session_id "
                    "WHERE s.learner_id = :s AND t.speaker = 'learner' ORDER BY s.started_at, t.n"
                ),
                {"s": sender},
            ).all()
        return [t for (t,) in rows]

    def scored_sessions(self, sender: str) -> int:
        with self.engine.connect() as conn:
            return conn.execute(
                text("SELECT count(*) FROM sessions WHERE learner_id = :s AND grade_20 IS NOT NULL"), {"s": sender}
            ).scalar_one()

    def unsaved(self) -> List[dict]:
        path = Path(self.envs["rasa"]["UNSAVED_MESSAGES_FILE"])
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
