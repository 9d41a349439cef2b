"""Telegram channel without a network: splitting, rendering, commands, link codes, channel set-up."""

from __future__ import annotations

import os
import re
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot.channels import telegram as tg
from bot.channels.telegram import TelegramChannel
from bot.channels.telegram_text import (
    MAX_MESSAGE_CHARS,
    Command,
    interpret,
    render,
    split_message,
    utf16_len,
)
from bot.config import get_settings
from bot.storage import db, links
from bot.storage.models import ChannelLink, Learner, LinkCode

#: the start message the web app sends too: the level and the variant in the ``mode`` entity
START = '/start_scenario{{"scenario_id": "{}", "mode": ["{}", "level:{}", "variant:{}"]}}'
SCENARIOS = {
    "air-plasturgie": "AirTech Industrie : air comprimé pour Plastiformes SAS",
    "agri-cuma": "Agri-Équipements du Val : un pulvérisateur pour la CUMA de la Vallée",
}


def _words(text: str) -> list:
    return text.split()


# --------------------------------------------------------------------------- splitting


def test_short_text_is_one_message():
    assert split_message("Bonjour") == ["Bonjour"]
    assert split_message("\n\n") == []
    assert split_message("x" * MAX_MESSAGE_CHARS) == ["x" * MAX_MESSAGE_CHARS]


def test_long_debrief_is_split_at_paragraphs_then_lines_never_mid_word():
    criterion = "• C1.2.1-b Découvrir les besoins : S (2/3)\n  Vous avez posé des questions ouvertes pertinentes.\n"
    text = "📊 Bilan – Scénario\nNote : 12,5/20\n\nPar critère :\n" + criterion * 120 + "\nVos trois priorités :\n1. a"
    chunks = split_message(text)
    assert len(chunks) >= 3
    assert all(utf16_len(c) <= MAX_MESSAGE_CHARS for c in chunks)
    # nothing lost, nothing cut inside a word
    assert _words(" ".join(chunks)) == _words(text)
    # every cut falls at a line end of the original
    lines = set(text.split("\n"))
    for chunk in chunks:
        assert chunk.split("\n")[-1] in lines
        assert chunk.split("\n")[0].strip() in {line.strip() for line in lines}


def test_paragraphs_are_kept_whole_when_they_fit():
    para = ("Une phrase de paragraphe. " * 60).strip()  # ~1,560 chars
    text = "\n\n".join([para] * 5)
    chunks = split_message(text)
    assert len(chunks) == 3
    assert all(chunk.split("\n\n") == [para] * len(chunk.split("\n\n")) for chunk in chunks)


def test_one_giant_line_is_split_between_words():
    text = " ".join(f"mot{i}" for i in range(3000))  # no line break at all
    chunks = split_message(text, limit=1000)
    assert all(utf16_len(c) <= 1000 for c in chunks)
    assert _words(" ".join(chunks)) == _words(text)


def test_emoji_count_double_and_giant_word_is_hard_cut():
    text = "😀" * 3000  # 6,000 UTF-16 units, no space
    chunks = split_message(text)
    assert [utf16_len(c) for c in chunks] == [4096, 6000 - 4096]
    assert "".join(chunks) == text


# --------------------------------------------------------------------------- rendering


def test_render_marks_client_and_coach():
    client = render("M. Garnier : Bonjour.", "client", "M. Garnier", "Bonjour.")
    assert client == "🧑‍💼 M. Garnier (client) : Bonjour."
    assert render("Coach : Posez une question.", "coach", "Coach", "Posez une question.") == (
        "🎓 Coach : Posez une question."
    )
    # a coach line carrying its own « Coach : » is not prefixed twice
    assert render("Coach : Coach : attention", "coach", "Coach", "Coach : attention") == "🎓 Coach : attention"
    # without metadata, « Coach : » is still recognised
    assert render("Coach : Bienvenue") == "🎓 Coach : Bienvenue"
    assert render("Bonjour", "client", "", "Bonjour") == "🧑‍💼 Client : Bonjour"


def test_render_gives_the_telegram_command_instead_of_the_intent_syntax():
    text = 'Exemple : /start_scenario{"scenario_id": "air-plasturgie"}'
    assert render(text, "coach", "Coach", text) == "🎓 Coach : Exemple : /scenario air-plasturgie"


# --------------------------------------------------------------------------- commands


def test_plain_text_goes_to_rasa():
    assert interpret("Bonjour Monsieur Garnier", SCENARIOS) == Command("forward", "Bonjour Monsieur Garnier")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("/indice", "/ask_hint"),
        ("/bilan", "/request_debrief"),
        ("/indice@CoachNegoBot", "/ask_hint"),
        ("/scenario agri-cuma", START.format("agri-cuma", "training", "standard", "auto")),
        ("/scenario Agri-CUMA", START.format("agri-cuma", "training", "standard", "auto")),
        ("/scénario 2", START.format("air-plasturgie", "training", "standard", "auto")),
        ("/scenario agri-cuma examen", START.format("agri-cuma", "exam", "examen", "auto")),
        ("/scenario agri-cuma Découverte", START.format("agri-cuma", "training", "decouverte", "auto")),
        ("/scenario 2 decouverte", START.format("air-plasturgie", "training", "decouverte", "auto")),
        ("/scenario agri-cuma standard", START.format("agri-cuma", "training", "standard", "auto")),
        ("/scenario agri-cuma examen variante 7", START.format("agri-cuma", "exam", "examen", "7")),
        ("/scenario agri-cuma variante 0", START.format("agri-cuma", "training", "standard", "0")),
        ('/start_scenario{"scenario_id": "agri-cuma"}', '/start_scenario{"scenario_id": "agri-cuma"}'),
        ("/request_debrief", "/request_debrief"),
    ],
)
def test_commands_become_project_intents(text, expected):
    assert interpret(text, SCENARIOS) == Command("forward", expected)


@pytest.mark.parametrize(
    "text", ["/scenario agri-cuma facile", "/scenario agri-cuma variante", "/scenario 1 variante 5000"]
)
def test_an_unknown_level_gets_the_levels_in_french(text):
    answer = interpret(text, SCENARIOS)
    assert answer.kind == "reply"
    assert "Niveaux : découverte, standard ou examen" in answer.text and "/scenario agri-cuma découverte" in answer.text


def test_the_help_and_the_menu_say_how_to_choose_the_level():
    assert "découverte" in interpret("/aide", SCENARIOS).text and "examen" in interpret("/aide", SCENARIOS).text
    assert "/scenario agri-cuma découverte" in interpret("/scenarios", SCENARIOS).text


def test_the_start_message_is_the_web_apps(library):
    """One format, read by one function: what Telegram sends starts the level and variant asked for."""
    import json

    from bot.engine.simulation import start_attempt

    text = interpret("/scenario agri-cuma découverte variante 3", SCENARIOS).text
    options = json.loads(text[len("/start_scenario") :])["mode"]
    state = start_attempt(library, "agri-cuma", 42, options[0], options)
    assert (state.mode, state.level, state.variant) == ("training", "decouverte", 3)
    exam = json.loads(interpret("/scenario agri-cuma examen", SCENARIOS).text[len("/start_scenario") :])["mode"]
    state = start_attempt(library, "agri-cuma", 42, exam[0], exam)
    assert (state.mode, state.level) == ("exam", "examen") and state.variant > 0


def test_scenario_list_and_unknown_scenario():
    menu = interpret("/scenarios", SCENARIOS)
    assert menu.kind == "reply"
    assert "1. agri-cuma – Agri-Équipements du Val" in menu.text
    assert "2. air-plasturgie – AirTech Industrie" in menu.text
    unknown = interpret("/scenario banane", SCENARIOS)
    assert unknown.kind == "reply"
    assert "Je ne connais pas le scénario « banane »" in unknown.text
    assert "agri-cuma" in unknown.text and "air-plasturgie" in unknown.text
    missing = interpret("/scenario", SCENARIOS)
    assert missing.kind == "reply" and "Indiquez le scénario" in missing.text


def test_start_link_unknown_and_forced_intents():
    assert interpret("/start", SCENARIOS) == Command("start")
    assert interpret("/start K7QM3XPD", SCENARIOS) == Command("start", arg="K7QM3XPD")
    assert interpret("/lier k7qm-3xpd", SCENARIOS) == Command("link", arg="k7qm-3xpd")
    assert interpret("/lier", SCENARIOS).kind == "reply"
    assert interpret("/delier", SCENARIOS) == Command("unlink")
    assert interpret("/aide", SCENARIOS).text.startswith("Commandes :")
    # a student cannot force a move with Rasa's intent syntax
    for forced in ("/propose_close", '/greet{"x": 1}', "/"):
        command = interpret(forced, SCENARIOS)
        assert command.kind == "reply" and "Je ne connais pas la commande" in command.text


# --------------------------------------------------------------------------- output channel


class FakeBot:
    def __init__(self, error: Exception | None = None) -> None:
        self.sent: list = []
        self.error = error

    async def send_message(self, chat_id, text, **kwargs):
        if self.error:
            raise self.error
        self.sent.append((chat_id, text))


async def test_output_goes_to_the_chat_not_to_the_learner_id():
    bot = FakeBot()
    out = tg.TelegramChatOutput(bot, chat_id=555)
    await out.send_response(
        "lea.martin",
        {"text": "M. Garnier : Bonjour", "speaker": "client", "speaker_name": "M. Garnier", "body": "Bonjour"},
    )
    await out.send_response("lea.martin", {"text": "Coach : x", "buttons": [{"title": "Oui", "payload": "/affirm"}]})
    assert bot.sent == [(555, "🧑‍💼 M. Garnier (client) : Bonjour"), (555, "🎓 Coach : x\n• Oui")]
    # proactive message to a guest (no chat known): the chat is the guest's Telegram id
    proactive = tg.TelegramChatOutput(bot)
    await proactive.send_text_message("tg:777", "Coach : Rappel", speaker="coach", body="Rappel")
    assert bot.sent[-1] == ("777", "🎓 Coach : Rappel")


async def test_a_failed_send_does_not_raise():
    from aiogram.utils.exceptions import BotBlocked

    out = tg.TelegramChatOutput(FakeBot(BotBlocked("Forbidden: bot was blocked by the user")), chat_id=1)
    await out.send_text_message("tg:1", "Coach : x", speaker="coach", body="x")
    assert (out.sent, out.failed) == (0, 1)


# --------------------------------------------------------------------------- channel set-up


def test_channel_is_disabled_without_token(monkeypatch):
    for env in tg.ENV.values():
        monkeypatch.delenv(env, raising=False)
    channel = TelegramChannel.from_credentials(None)
    assert not channel.enabled
    monkeypatch.setenv("TELEGRAM_TOKEN", "not a token")
    get_settings.cache_clear()
    assert not TelegramChannel.from_credentials(None).enabled


def test_channel_reads_env_and_derives_a_webhook_secret(monkeypatch):
    for env in tg.ENV.values():
        monkeypatch.delenv(env, raising=False)
    monkeypatch.setenv("TELEGRAM_TOKEN", "123456:ABC-def")
    channel = TelegramChannel.from_credentials(None)
    # webhook set elsewhere: still a secret to check (issue 14), the derived one unless set
    assert channel.enabled and channel.secret_token == tg.derived_secret("123456:ABC-def")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_URL", "https://coach.example.org/webhooks/telegram/webhook")
    get_settings.cache_clear()  # the settings are read once per process
    channel = TelegramChannel.from_credentials({"api_url": "http://127.0.0.1:9"})
    assert channel.webhook_url.startswith("https://coach.example.org")
    assert re.fullmatch(r"[A-Za-z0-9_-]{48}", channel.secret_token)
    assert channel.api_url == "http://127.0.0.1:9"
    assert channel.name() == "telegram" and channel.url_prefix() == "telegram"


# --------------------------------------------------------------------------- link codes


POSTGRES = os.environ.get("TEST_DATABASE_URL")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def session(request, tmp_path):
    """Upgrade only (never drop), and ids unique to the test: safe on a shared PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'links.db'}"
    else:
        if not POSTGRES:
            if os.environ.get("CI"):
                pytest.fail("TEST_DATABASE_URL must be set in CI: the PostgreSQL tests must run")
            pytest.skip("TEST_DATABASE_URL not set")
        url = POSTGRES
    db.upgrade(url)
    with db.session_factory(url)() as s:
        yield s


def _ids():
    tag = uuid.uuid4().hex[:10]
    return f"lea-{tag}", f"tom-{tag}", f"9{int(tag, 16) % 10**12}"


def test_link_code_is_short_unambiguous_and_expires(session):
    lea, _, tg_id = _ids()
    now = datetime(2026, 11, 28, 9, 0, 0)
    code = links.create_link_code(session, lea, now=now)
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{8}", code)
    row = session.get(LinkCode, code)
    assert row.expires_at - row.created_at == timedelta(minutes=15)
    assert session.get(Learner, lea) is not None  # created if the web app had not yet
    # expired
    assert links.redeem_link_code(session, "telegram", tg_id, code, now=now + timedelta(minutes=16)) is None
    assert links.resolve_learner(session, "telegram", tg_id) == f"tg:{tg_id}"


def test_link_code_links_once_and_resolves(session):
    lea, tom, tg_id = _ids()
    other = tg_id + "1"
    now = datetime.utcnow()
    code = links.create_link_code(session, lea, now=now)
    pretty = f" {code[:4].lower()}-{code[4:]} "
    assert links.redeem_link_code(session, "telegram", tg_id, pretty, now=now) == lea
    assert links.resolve_learner(session, "telegram", int(tg_id)) == lea
    assert session.get(LinkCode, code).used_at is not None
    # used: a second account cannot take it
    assert links.redeem_link_code(session, "telegram", other, code, now=now) is None
    assert links.resolve_learner(session, "telegram", other, display_name="Tom (Telegram)") == f"tg:{other}"
    assert session.get(Learner, f"tg:{other}").display_name == "Tom (Telegram)"
    # a new code replaces the older unused one; relinking moves the account
    first = links.create_link_code(session, tom, now=now)
    second = links.create_link_code(session, tom, now=now)
    assert links.redeem_link_code(session, "telegram", tg_id, first, now=now) is None
    assert links.redeem_link_code(session, "telegram", tg_id, second, now=now) == tom
    link = session.scalars(select(ChannelLink).where(ChannelLink.external_id == tg_id)).one()
    assert (link.channel, link.learner_id) == ("telegram", tom)
    assert links.unlink(session, "telegram", tg_id) is True
    assert links.unlink(session, "telegram", tg_id) is False
    assert links.resolve_learner(session, "telegram", tg_id) == f"tg:{tg_id}"
    assert links.redeem_link_code(session, "telegram", tg_id, "") is None
