"""One real Rasa server + real action server per test session, on a throw-away SQLite database.

A Rasa cold start costs one to two minutes here: the REST end-to-end tests, the Telegram
tests (the channel is on, talking to a local stand-in of the Bot API), the browser test
and the no-loss test all share this stack (``rasa_stack``). Tests that kill a process
carry the ``faults`` marker and run last (tests/conftest.py); they bring back what they
killed. ``test_faults.py`` cuts the database and needs PostgreSQL: it has a stack of its
own, started once.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import urllib.request
from pathlib import Path
from typing import Any, Dict, List

import pytest

from bot import cli, devstack
from tests.e2e.browsing import ARGS, CHROMIUM, SHOTS
from tests.e2e.telegram_api import BOT_USERNAME, SECRET, TOKEN, WEBHOOK_URL, FakeTelegramAPI


class RestClient:
    def __init__(self, port: int, db_path: Path):
        self.base_url = f"http://127.0.0.1:{port}"
        self.url = f"{self.base_url}/webhooks/rest/webhook"
        self.db_path = db_path
        self.stack: devstack.Stack | None = None

    @property
    def procs(self) -> Dict[str, Any]:
        """The live processes (tests check that none died)."""
        return self.stack.procs if self.stack else {}

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


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium driven by Playwright, for every browser test (tests/e2e/browsing.py:
    login, screenshots). One per module: Playwright's sync API keeps an event loop running in the
    thread, which the asyncio tests of other modules must not find there."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture(scope="session")
def telegram_api():
    api = FakeTelegramAPI()
    api.start()
    try:
        yield api
    finally:
        api.stop()


@pytest.fixture(scope="session")
def rasa_stack(tmp_path_factory, telegram_api):
    if not cli.MODEL.exists():
        pytest.fail("no trained model: run `make train` (make test does it)")
    tmp = tmp_path_factory.mktemp("stack")
    db_path = tmp / "e2e.db"
    env = devstack.stack_env(
        cli.environment(),
        f"sqlite:///{db_path}",
        TELEGRAM_TOKEN=TOKEN,
        TELEGRAM_API_URL=telegram_api.url,
        TELEGRAM_WEBHOOK_URL=WEBHOOK_URL,
        TELEGRAM_WEBHOOK_SECRET=SECRET,
        TELEGRAM_BOT_USERNAME=BOT_USERNAME,
    )
    # A loaded machine (two test runs, a training) can take several minutes to load the model.
    stack = devstack.Stack(env, log_dir=tmp).start(timeout=float(os.environ.get("STACK_START_TIMEOUT", "600")))
    client = RestClient(int(env["RASA_PORT"]), db_path)
    client.stack = stack
    try:
        yield client
    finally:
        stack.stop()
        starts = ", ".join(f"{name} x{n}" for name, n in stack.starts.items())
        print(f"\n[stack] shared Rasa stack: {starts} (logs: {tmp})", file=sys.stderr)
