"""Telegram end to end: the real Rasa server and action server, the real channel code and
aiogram, against a local stand-in for the Telegram Bot API that records every call."""

from __future__ import annotations

import itertools
import json
import re
import sqlite3
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, List

import pytest
from sqlalchemy import select

from bot import cli
from bot.engine.library import load_library
from bot.storage import db, links
from bot.storage.models import ChannelLink, Learner, SimSession
from tests.e2e.conftest import free_port

pytestmark = pytest.mark.e2e

TOKEN = "123456:TEST-token_e2e"
SECRET = "e2e-webhook-secret"
WEBHOOK_URL = "https://coach.example.test/webhooks/telegram/webhook"
BOT_USERNAME = "coach_nego_test_bot"
LIMIT = 4096


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def words(text: str) -> List[str]:
    return text.split()


class FakeTelegramAPI:
    """``/bot<token>/<method>`` of the Bot API, enough for aiogram; every call is recorded."""

    def __init__(self) -> None:
        self.calls: List[Dict[str, Any]] = []
        #: chats that blocked the bot: ``sendMessage`` answers 403
        self.blocked: set = set()
        self.lock = threading.Lock()
        self.message_ids = itertools.count(1)
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
                if "json" in (self.headers.get("Content-Type") or ""):
                    params = json.loads(body or "{}")
                else:
                    params = {k: v[-1] for k, v in urllib.parse.parse_qs(body, keep_blank_values=True).items()}
                match = re.fullmatch(r"/bot(?P<token>[^/]+)/(?P<method>\w+)", self.path)
                if not match or match["token"] != TOKEN:
                    return self.reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                method = match["method"]
                with api.lock:
                    api.calls.append({"method": method, "params": params})
                if method == "sendMessage" and str(params.get("chat_id")) in api.blocked:
                    blocked = {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
                    return self.reply(403, blocked)
                self.reply(200, {"ok": True, "result": api.result(method, params)})

            def reply(self, status: int, payload: Dict[str, Any]) -> None:
                data = json.dumps(payload).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def result(self, method: str, params: Dict[str, Any]) -> Any:
        if method == "getMe":
            return {"id": 123456, "is_bot": True, "first_name": "Coach négo", "username": BOT_USERNAME}
        if method == "sendMessage":
            chat_id = int(params["chat_id"])
            return {
                "message_id": next(self.message_ids),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "text": params.get("text", ""),
            }
        return True  # setWebhook, sendChatAction…

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def since(self, index: int, method: str | None = None) -> List[Dict[str, Any]]:
        with self.lock:
            calls = self.calls[index:]
        return [c for c in calls if method is None or c["method"] == method]


@dataclass
class Stack:
    api: FakeTelegramAPI
    rasa_url: str
    db_path: Path
    update_ids: Any = field(default_factory=lambda: itertools.count(1000))

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.db_path}"

    def post(self, update: Dict[str, Any], secret: str | None = SECRET) -> int:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        req = urllib.request.Request(
            f"{self.rasa_url}/webhooks/telegram/webhook", data=json.dumps(update).encode(), headers=headers
        )
        try:
            with urllib.request.urlopen(req, timeout=120) as resp:
                return resp.status
        except urllib.error.HTTPError as exc:
            return exc.code

    def update(self, user_id: int, text: str | None, chat_id: int | None = None, chat_type: str = "private") -> dict:
        user = {"id": user_id, "is_bot": False, "first_name": "Léa", "last_name": "Martin", "language_code": "fr"}
        message: Dict[str, Any] = {
            "message_id": next(self.update_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id or user_id, "type": chat_type},
            "from": user,
        }
        if text is None:
            message["sticker"] = {"file_id": "x", "file_unique_id": "x", "width": 1, "height": 1, "is_animated": False}
        else:
            message["text"] = text
        return {"update_id": next(self.update_ids), "message": message}

    def say(self, user_id: int, text: str | None, **kwargs: Any) -> List[Dict[str, Any]]:
        """Send one update; the ``sendMessage`` calls it caused (Rasa answers before the webhook returns)."""
        start = len(self.api.calls)
        assert self.post(self.update(user_id, text, **kwargs)) == 200
        return [c["params"] for c in self.api.since(start, "sendMessage")]

    def state_of(self, sender: str) -> Dict[str, Any]:
        slots = [e for e in self.events(sender, "slot") if e.get("name") == "sim_state"]
        return slots[-1]["value"] if slots else {}

    def events(self, sender: str, type_name: str) -> List[Dict[str, Any]]:
        with sqlite3.connect(self.db_path) as conn:
            rows = conn.execute(
                "SELECT data FROM events WHERE sender_id = ? AND type_name = ? ORDER BY id", (sender, type_name)
            ).fetchall()
        return [json.loads(d) for (d,) in rows]


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if not cli.MODEL.exists():
        pytest.fail("no trained model: run `make train` (make test does it)")
    api = FakeTelegramAPI()
    api.start()
    tmp = tmp_path_factory.mktemp("telegram")
    db_path = tmp / "telegram.db"
    env = cli.environment()
    env.update(
        RASA_PORT=str(free_port()),
        ACTION_PORT=str(free_port()),
        DATABASE_URL=f"sqlite:///{db_path}",
        TELEGRAM_TOKEN=TOKEN,
        TELEGRAM_API_URL=api.url,
        TELEGRAM_WEBHOOK_URL=WEBHOOK_URL,
        TELEGRAM_WEBHOOK_SECRET=SECRET,
        TELEGRAM_BOT_USERNAME=BOT_USERNAME,
    )
    env["ACTION_ENDPOINT_URL"] = f"http://127.0.0.1:{env['ACTION_PORT']}/webhook"
    procs = cli.start_servers(env, log_dir=tmp)
    try:
        yield Stack(api, f"http://127.0.0.1:{env['RASA_PORT']}", db_path)
    finally:
        cli.stop(procs)
        api.stop()


def test_startup_checks_the_bot_and_sets_the_webhook_with_a_secret(stack):
    deadline = time.monotonic() + 20
    while not stack.api.since(0, "setWebhook") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert stack.api.since(0, "getMe")
    (webhook,) = stack.api.since(0, "setWebhook")
    assert webhook["params"]["url"] == WEBHOOK_URL
    assert webhook["params"]["secret_token"] == SECRET
    with urllib.request.urlopen(f"{stack.rasa_url}/webhooks/telegram/", timeout=10) as resp:
        assert json.loads(resp.read()) == {"status": "ok"}


def test_updates_without_the_secret_are_refused(stack):
    start = len(stack.api.calls)
    assert stack.post(stack.update(999, "/start"), secret=None) == 403
    assert stack.post(stack.update(999, "/start"), secret="wrong") == 403
    assert stack.api.since(start) == []


def test_start_and_scenario_commands_are_answered_in_french(stack):
    (welcome,) = stack.say(1001, "/start")
    assert welcome["chat_id"] == "1001"
    assert welcome["text"].startswith("Bonjour Léa !")
    assert "/scenarios" in welcome["text"] and "/indice" in welcome["text"] and "/bilan" in welcome["text"]
    assert "invité" in welcome["text"] and "/lier" in welcome["text"]

    (menu,) = stack.say(1001, "/scenarios")
    library = load_library()
    for sid in library.scenario_ids:
        assert f"{sid} – {library.scenarios[sid].title}" in menu["text"]

    (unknown,) = stack.say(1001, "/scenario banane")
    assert "Je ne connais pas le scénario « banane »" in unknown["text"]
    assert all(sid in unknown["text"] for sid in library.scenario_ids)
    (forced,) = stack.say(1001, "/propose_close")
    assert "Je ne connais pas la commande" in forced["text"]
    # none of this reached Rasa, and no learner is created before playing
    assert stack.events("tg:1001", "user") == []
    with db.session_factory(stack.db_url)() as s:
        assert s.get(Learner, "tg:1001") is None


def test_guest_plays_a_scenario_with_client_and_coach_marked_and_a_split_debrief(stack):
    guest = 1002
    briefing = stack.say(guest, "/scenario air-plasturgie")
    assert {m["chat_id"] for m in briefing} == {str(guest)}
    assert briefing[0]["text"].startswith("🎓 Coach : 📋 Fiche de préparation : AirTech Industrie")
    assert all(utf16_len(m["text"]) <= LIMIT for m in briefing)

    turns = [
        "Bonjour Monsieur Garnier",
        "Je suis Léa Martin, technico-commerciale chez AirTech Industrie.",
        "Comment se passe aujourd'hui la production d'air comprimé dans votre usine ?",
    ]
    client_lines = []
    for text in turns:
        replies = stack.say(guest, text)
        assert replies and {m["chat_id"] for m in replies} == {str(guest)}
        assert all(m["text"].startswith(("🧑‍💼 ", "🎓 Coach : ")) for m in replies)
        client_lines += [m["text"] for m in replies if m["text"].startswith("🧑‍💼 ")]
    assert client_lines and all(re.match(r"^🧑‍💼 [^:]+ \(client\) : \S", t) for t in client_lines)

    hint = stack.say(guest, "/indice")
    assert hint and hint[0]["text"].startswith("🎓 Coach : ")

    debrief = stack.say(guest, "/bilan")
    texts = [m["text"] for m in debrief]
    assert texts[0].startswith("🎓 Coach : 📊 Bilan")
    assert all(0 < utf16_len(t) <= LIMIT for t in texts)
    # the pieces are exactly the debrief the action server sent, cut between lines
    body = stack.events(f"tg:{guest}", "bot")[-1]["metadata"]["body"]
    full = f"🎓 Coach : {body}"
    assert words(" ".join(texts)) == words(full)
    assert utf16_len(full) > LIMIT, "a debrief of the 19 criteria is expected to need several messages"
    assert len(texts) >= 2
    lines = set(full.split("\n"))
    assert all(t.split("\n")[-1] in lines for t in texts)

    # the guest learner and the session are in the project's tables (visible to the admin)
    assert [e["text"] for e in stack.events(f"tg:{guest}", "user")][1:4] == turns
    with db.session_factory(stack.db_url)() as s:
        assert s.get(Learner, f"tg:{guest}").display_name == "Léa Martin (Telegram)"
        session = s.scalars(select(SimSession).where(SimSession.learner_id == f"tg:{guest}")).one()
        assert session.scenario_id == "air-plasturgie"
        assert session.ended_at is not None and session.grade_20 is not None


def test_linking_with_a_web_code_plays_as_the_student(stack):
    with db.session_factory(stack.db_url)() as s:
        code = links.create_link_code(s, "lea.martin")
    student = 2002
    (bad,) = stack.say(student, "/lier ZZZZZZZZ")
    assert bad["text"].startswith("❌")
    (ok,) = stack.say(student, f"/lier {code.lower()}")
    assert ok["chat_id"] == str(student)
    assert ok["text"].startswith("✅ Compte lié") and "lea.martin" in ok["text"]
    (welcome,) = stack.say(student, "/start")
    assert "Compte lié" in welcome["text"]

    replies = stack.say(student, "/scenario agri-cuma")
    assert replies and {m["chat_id"] for m in replies} == {str(student)}
    assert replies[0]["text"].startswith("🎓 Coach : 📋 Fiche de préparation")
    # Rasa saw the student's learner id, not the Telegram id
    assert [e["text"] for e in stack.events("lea.martin", "user")] == ['/start_scenario{"scenario_id": "agri-cuma"}']
    assert stack.events(f"tg:{student}", "user") == []
    with db.session_factory(stack.db_url)() as s:
        link = s.scalars(select(ChannelLink).where(ChannelLink.external_id == str(student))).one()
        assert (link.channel, link.learner_id) == ("telegram", "lea.martin")

    # the code worked once
    (reused,) = stack.say(3003, f"/lier {code}")
    assert reused["text"].startswith("❌")
    (unlinked,) = stack.say(student, "/delier")
    assert "invité" in unlinked["text"]


def test_other_updates_get_a_short_answer_or_none(stack):
    (sticker,) = stack.say(4004, None)
    assert sticker["text"] == "Je ne lis que les messages écrits : tapez votre réponse au client."
    (group,) = stack.say(4004, "/scenarios", chat_id=-100123, chat_type="group")
    assert group["chat_id"] == "-100123" and "conversation privée" in group["text"]
    assert stack.say(4004, "bonjour tout le monde", chat_id=-100123, chat_type="group") == []
    # Telegram redelivers an update it thinks was lost: played once only
    update = stack.update(4004, "/scenarios")
    start = len(stack.api.calls)
    assert stack.post(update) == 200 and stack.post(update) == 200
    assert len(stack.api.since(start, "sendMessage")) == 1
    # an edited message is not a new move
    start = len(stack.api.calls)
    edited = {"update_id": next(stack.update_ids), "edited_message": stack.update(4004, "Bonjour")["message"]}
    assert stack.post(edited) == 200
    assert stack.api.since(start) == []


def test_a_failed_send_never_loses_the_learner_turn(stack):
    """The student blocked the bot: Telegram refuses the replies, Rasa still stores the turn."""
    stack.api.blocked.add("5005")
    try:
        attempts = stack.say(5005, "/scenario air-plasturgie")
        assert attempts and {m["chat_id"] for m in attempts} == {"5005"}
        stack.say(5005, "Bonjour Monsieur Garnier")
    finally:
        stack.api.blocked.discard("5005")
    assert [e["text"] for e in stack.events("tg:5005", "user")] == [
        '/start_scenario{"scenario_id": "air-plasturgie"}',
        "Bonjour Monsieur Garnier",
    ]
    assert stack.state_of("tg:5005")["scenario_id"] == "air-plasturgie"
