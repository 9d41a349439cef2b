"""Real Rasa server + real action server on free ports, with a throw-away SQLite database."""

from __future__ import annotations

import json
import socket
import sqlite3
import urllib.request
from pathlib import Path
from typing import Any, Dict, List

import pytest

from bot import cli


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RestClient:
    def __init__(self, port: int, db_path: Path):
        self.url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
        self.db_path = db_path

    def send(self, sender: str, message: str) -> List[Dict[str, Any]]:
        body = json.dumps({"sender": sender, "message": message}).encode("utf-8")
        req = urllib.request.Request(self.url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=120) as resp:
            return json.loads(resp.read().decode("utf-8"))

    def state(self, sender: str) -> Dict[str, Any]:
        """The engine state as the tracker store holds it (last ``sim_state`` slot)."""
        with sqlite3.connect(self.db_path) as db:
            rows = db.execute(
                "SELECT data FROM events WHERE sender_id = ? AND type_name = 'slot' ORDER BY id", (sender,)
            ).fetchall()
        for (data,) in reversed(rows):
            event = json.loads(data)
            if event.get("name") == "sim_state":
                return event["value"]
        return {}

    def user_texts(self, sender: str) -> List[str]:
        with sqlite3.connect(self.db_path) as db:
            rows = db.execute(
                "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id", (sender,)
            ).fetchall()
        return [json.loads(d)["text"] for (d,) in rows]


@pytest.fixture(scope="session")
def rasa_stack(tmp_path_factory):
    if not cli.MODEL.exists():
        pytest.fail("no trained model: run `make train` (make test does it)")
    tmp = tmp_path_factory.mktemp("stack")
    db_path = tmp / "e2e.db"
    env = cli.environment()
    env.update(
        RASA_PORT=str(free_port()),
        ACTION_PORT=str(free_port()),
        DATABASE_URL=f"sqlite:///{db_path}",
    )
    env["ACTION_ENDPOINT_URL"] = f"http://127.0.0.1:{env['ACTION_PORT']}/webhook"
    procs = cli.start_servers(env, log_dir=tmp)
    client = RestClient(int(env["RASA_PORT"]), db_path)
    client.procs = procs  # tests check that no process died
    try:
        yield client
    finally:
        cli.stop(procs)
