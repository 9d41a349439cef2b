"""Telegram end to end: the real Rasa server and action server, the real channel code and
aiogram, against a local stand-in for the Telegram Bot API that records every call."""

from __future__ import annotations

import itertools
import json
import re
import sqlite3
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List

import pytest
from sqlalchemy import select

from bot.engine.library import load_library
from bot.storage import db, links
from bot.storage.models import ChannelLink, Learner, SimSession
from tests.e2e.telegram_api import SECRET, WEBHOOK_URL, FakeTelegramAPI

pytestmark = pytest.mark.e2e

LIMIT = 4096
#: the start message of ``/scenario <id> [niveau]``: the web app's, the level and variant in the ``mode`` entity
START = '/start_scenario{{"scenario_id": "{}", "mode": ["{}", "level:{}", "variant:auto"]}}'


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def words(text: str) -> List[str]:
    return text.split()


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
def stack(rasa_stack, telegram_api):
    """The session's Rasa stack (started with the Telegram channel on ``telegram_api``)."""
    return Stack(telegram_api, rasa_stack.base_url, rasa_stack.db_path)


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
    assert [e["text"] for e in stack.events("lea.martin", "user")] == [
        START.format("agri-cuma", "training", "standard")
    ]
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
        START.format("air-plasturgie", "training", "standard"),
        "Bonjour Monsieur Garnier",
    ]
    assert stack.state_of("tg:5005")["scenario_id"] == "air-plasturgie"


def test_a_learner_chooses_the_level_when_starting(stack):
    """« /scenario <id> découverte » plays the découverte level, « examen » the exam; each attempt draws its
    variant as in the web app; an unknown level gets the levels in French and starts nothing."""
    learner = 6006
    (unknown,) = stack.say(learner, "/scenario agri-cuma facile")
    assert "Niveaux : découverte, standard ou examen" in unknown["text"]
    assert stack.events(f"tg:{learner}", "user") == []

    briefing = stack.say(learner, "/scenario agri-cuma découverte")
    assert briefing[0]["text"].startswith("🎓 Coach : 📋 Fiche de préparation")
    state = stack.state_of(f"tg:{learner}")
    assert (state["scenario_id"], state["mode"], state["level"]) == ("agri-cuma", "training", "decouverte")
    first = state["variant"]
    assert first > 0  # drawn, not the file as written

    stack.say(learner, "/scenario agri-cuma examen")
    state = stack.state_of(f"tg:{learner}")
    assert (state["mode"], state["level"]) == ("exam", "examen")
    assert state["variant"] not in (0, first)  # a new attempt, a new variant
    assert [e["text"] for e in stack.events(f"tg:{learner}", "user")] == [
        START.format("agri-cuma", "training", "decouverte"),
        START.format("agri-cuma", "exam", "examen"),
    ]
