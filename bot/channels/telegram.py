"""Telegram channel: Rasa's Telegram connector, made to fit the coach.

``credentials.yml`` lists ``bot.channels.telegram.TelegramChannel:``; the settings come
from the environment (or from keys of that entry, which win):

=========================  ==============  =============================================
environment variable       credentials key
=========================  ==============  =============================================
``TELEGRAM_TOKEN``         access_token    BotFather token; unset = channel disabled
``TELEGRAM_WEBHOOK_URL``   webhook_url     public HTTPS URL of ``/webhooks/telegram/webhook``,
                                           registered with Telegram at start-up
``TELEGRAM_WEBHOOK_SECRET`` secret_token   checked on every update (default: derived from
                                           the token when the webhook URL is set)
``TELEGRAM_BOT_USERNAME``  verify          optional: checked once against ``getMe``
``TELEGRAM_API_URL``       api_url         Bot API base URL (tests use a local stand-in)
=========================  ==============  =============================================

Differences with :class:`rasa.core.channels.telegram.TelegramInput`:

* the Rasa sender id is the learner: the web account linked with ``/lier CODE``, or the
  guest ``tg:<telegram user id>``; replies go to the Telegram chat id, never to the
  learner id (one light output channel per update, sharing one aiogram ``Bot``);
* commands (``/start``, ``/scenarios``, ``/scenario <id>``, ``/indice``, ``/bilan``,
  ``/lier``…) are answered here or translated into the project's intents
  (``/scenario agri-cuma`` → ``/start_scenario{"scenario_id": "agri-cuma"}``); any other
  ``/intent`` is refused, so a student cannot force a move;
* client and coach lines are marked in plain text and split under Telegram's
  4096-character limit at paragraph or line boundaries, never inside a word;
* no ``getMe`` call per update, the webhook is set inside the server's event loop, a
  failure never stops the server, and Telegram always gets a 200 (no redelivery loop).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import time
import unicodedata
from collections import OrderedDict, defaultdict, deque
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Deque, Dict, List, Mapping

from aiogram import Bot
from aiogram.bot.api import TELEGRAM_PRODUCTION, TelegramAPIServer, check_token
from aiogram.utils.exceptions import RetryAfter, TelegramAPIError, ValidationError
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.telegram import TelegramInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.rest import UNAVAILABLE
from bot.config import get_settings

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
#: Telegram's limit, in UTF-16 code units (an emoji counts for two)
MAX_MESSAGE_CHARS = 4096
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

ENV = {
    "access_token": "TELEGRAM_TOKEN",
    "webhook_url": "TELEGRAM_WEBHOOK_URL",
    "secret_token": "TELEGRAM_WEBHOOK_SECRET",
    "verify": "TELEGRAM_BOT_USERNAME",
    "api_url": "TELEGRAM_API_URL",
}

CLIENT_MARK = "🧑‍💼"
COACH_MARK = "🎓"

# --------------------------------------------------------------------------- texts (French)

WELCOME = """Bonjour{name} ! Je suis votre simulateur d'entretien de vente.

Vous jouez le commercial ; je joue votre client B2B ({client} client) et un coach vous conseille ({coach} Coach).

Comment jouer :
1. /scenarios : la liste des scénarios.
2. /scenario <id> : démarrer, par exemple /scenario air-plasturgie.
   Lisez la fiche de préparation, puis ouvrez l'entretien.
3. Écrivez comme dans un vrai rendez-vous : saluez, présentez-vous, posez vos questions, proposez, négociez, concluez.
4. /indice : un conseil du coach si vous êtes bloqué·e.
5. /bilan : terminer et recevoir votre évaluation.

{account}"""

ACCOUNT_GUEST = (
    "Vous jouez en invité : vos simulations sont enregistrées et visibles par l'équipe pédagogique. "
    "Pour les retrouver dans votre espace web, affichez le code de liaison sur le site puis tapez /lier CODE."
)
ACCOUNT_LINKED = (
    "Compte lié : vos simulations sont enregistrées dans votre espace web ({learner}). /delier pour annuler."
)

HELP = """Commandes :
/scenarios : liste des scénarios
/scenario <id> : démarrer un scénario (ajoutez « examen » pour le mode examen, sans indice)
/indice : un conseil du coach
/bilan : terminer la simulation et recevoir le bilan
/lier CODE : lier ce compte Telegram à votre espace web
/delier : annuler la liaison
/start : présentation

En dehors des commandes, écrivez simplement ce que vous diriez à votre client."""

UNKNOWN_COMMAND = "Je ne connais pas la commande « {command} ».\n\n" + HELP
SCENARIO_MENU_HEAD = "Scénarios disponibles :"
SCENARIO_MENU_TAIL = "Pour démarrer : /scenario <id>, par exemple /scenario {example}"
SCENARIO_MISSING = "Indiquez le scénario à démarrer."
SCENARIO_UNKNOWN = "Je ne connais pas le scénario « {scenario_id} »."
LINK_USAGE = (
    "Pour lier votre compte : connectez-vous au site, affichez votre code de liaison, "
    "puis tapez /lier suivi du code (par exemple /lier K7QM3XPD)."
)
LINK_OK = (
    "✅ Compte lié : vos prochaines simulations sont enregistrées dans votre espace web ({learner}). "
    "Les simulations faites en invité restent visibles par l'équipe pédagogique. "
    "Démarrez un scénario avec /scenarios."
)
LINK_FAILED = (
    "❌ Ce code n'est pas valable : il est inconnu, déjà utilisé ou expiré (15 minutes). "
    "Affichez un nouveau code sur le site et réessayez."
)
LINK_TOO_MANY = "Trop d'essais de code. Patientez quelques minutes avant de réessayer."
UNLINK_OK = "Liaison annulée : vous jouez de nouveau en invité."
UNLINK_NONE = "Ce compte Telegram n'est lié à aucun espace web."
PRIVATE_ONLY = "Je ne joue qu'en conversation privée : écrivez-moi directement."
TEXT_ONLY = "Je ne lis que les messages écrits : tapez votre réponse au client."

# --------------------------------------------------------------------------- pure helpers


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _hard_cut(text: str, limit: int) -> List[str]:
    """Last resort for one « word » longer than the limit (a URL…)."""
    chunks: List[str] = []
    current, size = "", 0
    for char in text:
        width = utf16_len(char)
        if size + width > limit:
            chunks.append(current)
            current, size = "", 0
        current += char
        size += width
    return chunks + ([current] if current else [])


def split_message(text: str, limit: int = MAX_MESSAGE_CHARS) -> List[str]:
    """Pieces of at most ``limit`` UTF-16 units, cut at blank lines, else at line ends, else between words."""
    text = text.strip("\n")
    if not text.strip():
        return []
    if utf16_len(text) <= limit:
        return [text]
    for sep in ("\n\n", "\n", " "):
        parts = text.split(sep)
        if len(parts) > 1:
            break
    else:
        return _hard_cut(text, limit)
    chunks: List[str] = []
    current = ""
    for part in parts:
        candidate = f"{current}{sep}{part}" if current else part
        if utf16_len(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        if utf16_len(part) <= limit:
            current = part
        else:
            pieces = split_message(part, limit)
            chunks.extend(pieces[:-1])
            current = pieces[-1] if pieces else ""
    if current:
        chunks.append(current)
    return [c.strip("\n").rstrip() for c in chunks if c.strip()]


_START_SCENARIO = re.compile(r'/start_scenario\{\s*"scenario_id"\s*:\s*"([^"]*)"\s*\}')


def adapt_text(text: str) -> str:
    """Telegram spelling of what the coach suggests typing (``/scenario air-plasturgie``)."""
    return _START_SCENARIO.sub(r"/scenario \1", text)


def render(text: str, speaker: str | None = None, name: str | None = None, body: str | None = None) -> str:
    """One bot utterance as a plain-text Telegram message, speaker marked."""
    if not speaker:
        head, sep, rest = text.partition(" : ")
        if sep and head == "Coach":
            speaker, body = "coach", rest
        else:
            return adapt_text(text)
    body = body if body is not None else text
    if speaker == "coach":
        body = re.sub(r"^\s*Coach\s*:\s*", "", body)  # some coach lines carry their own prefix
        return adapt_text(f"{COACH_MARK} Coach : {body}")
    if speaker == "client":
        label = f"{name} (client)" if name else "Client"
        return adapt_text(f"{CLIENT_MARK} {label} : {body}")
    return adapt_text(f"{name} : {body}" if name else body)


def _fold(word: str) -> str:
    """Lower case without accents: ``Scénarios`` → ``scenarios``."""
    return "".join(c for c in unicodedata.normalize("NFD", word.lower()) if unicodedata.category(c) != "Mn")


@dataclass
class Command:
    """What to do with one Telegram text.

    ``kind``: ``forward`` (``text`` goes to Rasa), ``reply`` (``text`` is the answer),
    ``start`` (welcome; ``arg``: deep-link payload), ``link`` (``arg``: the code), ``unlink``.
    """

    kind: str
    text: str = ""
    arg: str = ""


ALIASES = {
    "start": "start",
    "aide": "help",
    "help": "help",
    "commandes": "help",
    "scenarios": "scenarios",
    "scenario": "scenario",
    "jouer": "scenario",
    "indice": "hint",
    "aidez-moi": "hint",
    "bilan": "debrief",
    "fin": "debrief",
    "lier": "link",
    "delier": "unlink",
}
#: the project's own intent syntax, still accepted (the REST channel's examples use it)
PASSTHROUGH = ("start_scenario", "ask_hint", "request_debrief")
_COMMAND_NAME = re.compile(r"^/([^\s@{]*)")
_COMMAND = re.compile(r"^/([^\s@{]+)(?:@\w+)?(?:\s+(.*))?$", re.DOTALL)


def scenario_menu(scenarios: Mapping[str, str]) -> str:
    ids = sorted(scenarios)
    lines = [SCENARIO_MENU_HEAD]
    lines += [f"{i}. {sid} – {scenarios[sid]}" for i, sid in enumerate(ids, 1)]
    lines += ["", SCENARIO_MENU_TAIL.format(example=ids[0] if ids else "air-plasturgie")]
    return "\n".join(lines)


def interpret(text: str, scenarios: Mapping[str, str]) -> Command:
    """Commands → answers or project intents; anything else goes to Rasa as it is.

    ``scenarios``: scenario id → title (from the scenario library).
    """
    text = (text or "").strip()
    if not text.startswith("/"):
        return Command("forward", text[: get_settings().message_max_chars])
    raw = _COMMAND_NAME.match(text).group(1)
    if raw in PASSTHROUGH:
        return Command("forward", text[: get_settings().message_max_chars])
    match = _COMMAND.match(text)
    if not match:
        return Command("reply", UNKNOWN_COMMAND.format(command=text.split()[0][:40]))
    command = ALIASES.get(_fold(raw))
    arg = (match.group(2) or "").strip()
    if command == "start":
        return Command("start", arg=arg)
    if command == "help":
        return Command("reply", HELP)
    if command == "scenarios":
        return Command("reply", scenario_menu(scenarios))
    if command == "scenario":
        return _start_scenario(arg, scenarios)
    if command == "hint":
        return Command("forward", "/ask_hint")
    if command == "debrief":
        return Command("forward", "/request_debrief")
    if command == "link":
        return Command("link", arg=arg) if arg else Command("reply", LINK_USAGE)
    if command == "unlink":
        return Command("unlink")
    return Command("reply", UNKNOWN_COMMAND.format(command="/" + raw[:40]))


def _start_scenario(arg: str, scenarios: Mapping[str, str]) -> Command:
    words = arg.split()
    if not words:
        return Command("reply", f"{SCENARIO_MISSING}\n\n{scenario_menu(scenarios)}")
    exam = any(_fold(w) in {"examen", "exam"} for w in words[1:])
    wanted = _fold(words[0])
    ids = sorted(scenarios)
    if wanted.isdigit() and 1 <= int(wanted) <= len(ids):
        wanted = ids[int(wanted) - 1]
    if wanted not in scenarios:
        unknown = SCENARIO_UNKNOWN.format(scenario_id=words[0][:60])
        return Command("reply", f"{unknown}\n\n{scenario_menu(scenarios)}")
    entities = f'"scenario_id": "{wanted}"' + (', "mode": "exam"' if exam else "")
    return Command("forward", f"/start_scenario{{{entities}}}")


def secret_matches(sent: str | None, expected: str) -> bool:
    """Constant-time comparison: the time taken does not tell how much of the secret was right."""
    return isinstance(sent, str) and hmac.compare_digest(sent.encode("utf-8"), expected.encode("utf-8"))


def derived_secret(token: str) -> str:
    """A webhook secret (Telegram allows ``A-Za-z0-9_-``) that needs no extra setting."""
    return hashlib.sha256(f"negotiation-coach-webhook:{token}".encode()).hexdigest()[:48]


# --------------------------------------------------------------------------- output


class TelegramChatOutput(OutputChannel):
    """Sends to one Telegram chat, whatever recipient id Rasa passes (it is the learner id)."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    def __init__(self, bot: Bot, chat_id: int | str | None = None) -> None:
        self.bot = bot
        self.chat_id = chat_id
        self.sent = 0
        self.failed = 0

    async def _chat_for(self, recipient_id: str) -> int | str | None:
        if self.chat_id is not None:
            return self.chat_id
        # proactive messages (``/conversations/…/trigger_intent``): recipient is the learner id
        from bot.storage import links

        if recipient_id.startswith(links.guest_id(CHANNEL, "")):
            return recipient_id.split(":", 1)[1]
        ids = await asyncio.to_thread(_external_ids, recipient_id)
        return ids[0] if ids else None

    async def send_message(self, recipient_id: str, text: str) -> None:
        chat_id = await self._chat_for(recipient_id)
        if chat_id is None:
            logger.warning("no Telegram chat for learner %s", recipient_id)
            return
        for chunk in split_message(text):
            await self._send(chat_id, chunk)

    async def _send(self, chat_id: int | str, text: str) -> None:
        """Never raises: Rasa saves the tracker after sending, so a failed send must not lose the turn."""
        for attempt in range(3):
            try:
                await self.bot.send_message(chat_id, text, disable_web_page_preview=True)
                self.sent += 1
                return
            except RetryAfter as exc:  # flood control: wait as told, a few times
                if attempt < 2:
                    await asyncio.sleep(min(float(exc.timeout), 30.0))
                    continue
                logger.error("Telegram flood control: message to chat %s dropped", chat_id)
            except TelegramAPIError as exc:  # bot blocked by the user, chat not found, network down…
                logger.warning("could not send a Telegram message to chat %s: %s", chat_id, exc)
            except Exception:  # noqa: BLE001
                logger.exception("could not send a Telegram message to chat %s", chat_id)
            self.failed += 1
            return

    async def typing(self) -> None:
        try:
            await self.bot.send_chat_action(self.chat_id, "typing")
        except Exception:  # noqa: BLE001 - cosmetic
            logger.debug("sendChatAction failed", exc_info=True)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        rendered = render(text, kwargs.get("speaker"), kwargs.get("speaker_name"), kwargs.get("body"))
        await self.send_message(recipient_id, rendered)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: List[Dict[str, Any]], **kwargs: Any
    ) -> None:
        rendered = render(text, kwargs.get("speaker"), kwargs.get("speaker_name"), kwargs.get("body"))
        options = "\n".join(f"• {b.get('title', '')}" for b in buttons if b.get("title"))
        await self.send_message(recipient_id, f"{rendered}\n{options}" if options else rendered)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.send_message(recipient_id, image)

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        if isinstance(json_message, dict) and json_message.get("text"):
            await self.send_message(recipient_id, str(json_message["text"]))


def _external_ids(learner_id: str) -> List[str]:
    from sqlalchemy import select

    from bot.storage.db import session_factory
    from bot.storage.models import ChannelLink

    with session_factory()() as db:
        rows = db.execute(
            select(ChannelLink.external_id)
            .where(ChannelLink.channel == CHANNEL, ChannelLink.learner_id == learner_id)
            .order_by(ChannelLink.created_at.desc())
        ).scalars()
        return list(rows)


# --------------------------------------------------------------------------- input


class TelegramChannel(TelegramInput):
    """``credentials.yml``: ``bot.channels.telegram.TelegramChannel:`` (URL ``/webhooks/telegram/webhook``)."""

    #: failed ``/lier`` attempts allowed per account and window (brute force of codes)
    LINK_ATTEMPTS = 5
    LINK_WINDOW = 600.0

    @classmethod
    def name(cls) -> str:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        config = get_settings()  # its field for a variable is the variable's name in lower case
        settings = {
            key: str(credentials.get(key) or getattr(config, env.lower()) or "").strip() for key, env in ENV.items()
        }
        token = settings["access_token"]
        if token:
            try:
                check_token(token)
            except ValidationError:
                logger.error("Telegram channel disabled: TELEGRAM_TOKEN is not a BotFather token")
                token = ""
        if not token:
            logger.info("Telegram channel disabled (TELEGRAM_TOKEN not set)")
        # always a secret when the channel is on: without one, anyone reaching the Rasa port could
        # post updates as any Telegram user (issue 14). A webhook registered by hand must pass
        # TELEGRAM_WEBHOOK_SECRET (or the derived value, logged below) as its secret_token.
        secret = settings["secret_token"] or (derived_secret(token) if token else "")
        if token and not settings["secret_token"] and not settings["webhook_url"]:
            logger.warning(
                "Telegram: no TELEGRAM_WEBHOOK_SECRET; updates without the derived secret are refused "
                "(set TELEGRAM_WEBHOOK_SECRET and pass it to setWebhook as secret_token)"
            )
        return cls(
            token or None,
            settings["verify"] or None,
            settings["webhook_url"] or None,
            api_url=settings["api_url"] or None,
            secret_token=secret or None,
        )

    def __init__(
        self,
        access_token: str | None,
        verify: str | None = None,
        webhook_url: str | None = None,
        debug_mode: bool = False,
        api_url: str | None = None,
        secret_token: str | None = None,
    ) -> None:
        super().__init__(access_token, verify, webhook_url, debug_mode=debug_mode)
        self.api_url = api_url
        self.secret_token = secret_token
        self._bot: Bot | None = None
        self._seen_updates: OrderedDict[int, None] = OrderedDict()
        self._link_failures: Dict[str, Deque[float]] = defaultdict(deque)
        self._setup_task: asyncio.Task | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.access_token)

    @property
    def bot(self) -> Bot:
        """One aiogram ``Bot`` (one HTTP session), created in the server's event loop."""
        if self._bot is None:
            server = TelegramAPIServer.from_base(self.api_url) if self.api_url else TELEGRAM_PRODUCTION
            self._bot = Bot(self.access_token, server=server, timeout=30)
        return self._bot

    def get_output_channel(self) -> OutputChannel:
        """For proactive messages; Rasa passes the learner id, mapped back to its chat."""
        return TelegramChatOutput(self.bot)

    # -- lifecycle

    async def _setup(self) -> None:
        try:
            me = await self.bot.get_me()
            logger.info("Telegram bot @%s connected", me.username)
            if self.verify and me.username != self.verify.lstrip("@"):
                logger.warning("TELEGRAM_BOT_USERNAME is @%s but the token belongs to @%s", self.verify, me.username)
            if self.webhook_url:
                payload: Dict[str, Any] = {"url": self.webhook_url, "allowed_updates": '["message"]'}
                if self.secret_token:
                    payload["secret_token"] = self.secret_token
                await self.bot.request("setWebhook", payload)
                logger.info("Telegram webhook set to %s", self.webhook_url)
        except Exception:  # noqa: BLE001 - Telegram down or bad token: the other channels keep working
            logger.exception("Telegram set-up failed (getMe / setWebhook)")

    async def _close(self) -> None:
        if self._setup_task is not None and not self._setup_task.done():
            self._setup_task.cancel()
        if self._bot is not None:
            session = getattr(self._bot, "_session", None)  # Bot.close() is deprecated in aiogram 2.15
            if session is not None and not session.closed:
                await session.close()
            self._bot = None

    # -- updates

    def _duplicate(self, update_id: Any) -> bool:
        if not isinstance(update_id, int):
            return False
        if update_id in self._seen_updates:
            return True
        self._seen_updates[update_id] = None
        while len(self._seen_updates) > 2000:
            self._seen_updates.popitem(last=False)
        return False

    def _link_blocked(self, external_id: str) -> bool:
        failures = self._link_failures[external_id]
        while failures and failures[0] < time.monotonic() - self.LINK_WINDOW:
            failures.popleft()
        return len(failures) >= self.LINK_ATTEMPTS

    async def handle_update(self, update: Dict[str, Any], on_new_message: Callable[[UserMessage], Awaitable[Any]]):
        if self._duplicate(update.get("update_id")):
            return
        message = update.get("message")
        if not isinstance(message, dict):
            return  # edited messages, channel posts, callbacks: not part of a meeting
        chat = message.get("chat") or {}
        chat_id = chat.get("id")
        if chat_id is None:
            return
        user = message.get("from") or {}
        external_id = str(user.get("id") or chat_id)
        out = TelegramChatOutput(self.bot, chat_id)
        text = message.get("text")
        if chat.get("type", "private") != "private":
            if isinstance(text, str) and text.startswith("/"):
                await out.send_message(external_id, PRIVATE_ONLY)
            return
        if not isinstance(text, str):
            await out.send_message(external_id, TEXT_ONLY)
            return
        from bot.engine.library import default_library

        library = default_library()
        command = interpret(text, {sid: library.scenarios[sid].title for sid in library.scenario_ids})
        if command.kind == "reply":
            await out.send_message(external_id, command.text)
            return
        if command.kind == "unlink":
            done = await asyncio.to_thread(_unlink, external_id)
            await out.send_message(external_id, UNLINK_OK if done else UNLINK_NONE)
            return
        if command.kind == "link" or (command.kind == "start" and command.arg):
            await self._link(out, external_id, command.arg)
            if command.kind == "link":
                return
        # a guest learner is created (with a readable name for the admin) only when it plays
        display = " ".join(p for p in (user.get("first_name"), user.get("last_name")) if p)
        display = f"{display} (Telegram)" if display and command.kind == "forward" else ""
        try:
            learner_id = await asyncio.to_thread(_resolve, external_id, display)
        except Exception:  # noqa: BLE001 - database down: say so rather than play under another id
            logger.exception("could not resolve the learner of Telegram user %s", external_id)
            await out.send_message(external_id, f"{COACH_MARK} Coach : {UNAVAILABLE}")
            return
        if command.kind == "start":
            from bot.storage.links import guest_id

            linked = learner_id != guest_id(CHANNEL, external_id)
            account = ACCOUNT_LINKED.format(learner=learner_id) if linked else ACCOUNT_GUEST
            name = f" {user['first_name']}" if user.get("first_name") else ""
            await out.send_message(
                learner_id, WELCOME.format(name=name, client=CLIENT_MARK, coach=COACH_MARK, account=account)
            )
            return
        await out.typing()
        metadata = {"telegram": {"chat_id": chat_id, "user_id": user.get("id"), "username": user.get("username")}}
        try:
            await on_new_message(UserMessage(command.text, out, learner_id, input_channel=CHANNEL, metadata=metadata))
        except asyncio.CancelledError:
            logger.error("Telegram message timed out for %s", learner_id)
        except Exception:  # noqa: BLE001 - the learner must get an answer; Telegram must get a 200
            logger.exception("Telegram message failed for %s", learner_id)
        if not out.sent and not out.failed:
            await out.send_message(learner_id, f"{COACH_MARK} Coach : {UNAVAILABLE}")

    async def _link(self, out: TelegramChatOutput, external_id: str, code: str) -> None:
        if self._link_blocked(external_id):
            await out.send_message(external_id, LINK_TOO_MANY)
            return
        try:
            learner_id = await asyncio.to_thread(_redeem, external_id, code)
        except Exception:  # noqa: BLE001
            logger.exception("could not redeem a link code for Telegram user %s", external_id)
            learner_id = None
        if learner_id is None:
            self._link_failures[external_id].append(time.monotonic())
            await out.send_message(external_id, LINK_FAILED)
        else:
            self._link_failures.pop(external_id, None)
            await out.send_message(external_id, LINK_OK.format(learner=learner_id))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        telegram_webhook = Blueprint("speaker_telegram_webhook", __name__)

        @telegram_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.enabled else "disabled"})

        @telegram_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.enabled:
                return response.text("Telegram channel not configured", status=404)
            if self.secret_token and not secret_matches(request.headers.get(SECRET_HEADER), self.secret_token):
                return response.text("forbidden", status=403)
            try:
                update = request.json
            except Exception:  # noqa: BLE001 - malformed body
                update = None
            if isinstance(update, dict):
                try:
                    await self.handle_update(update, on_new_message)
                except Exception:  # noqa: BLE001 - never make Telegram redeliver
                    logger.exception("Telegram update failed")
            return response.text("success")

        if self.enabled:

            @telegram_webhook.listener("after_server_start")
            async def setup(app: Any, loop: Any) -> None:
                self._setup_task = asyncio.create_task(self._setup())

            @telegram_webhook.listener("before_server_stop")
            async def close(app: Any, loop: Any) -> None:
                await self._close()

        return telegram_webhook


# --------------------------------------------------------------------------- storage (run in threads)


def _resolve(external_id: str, display_name: str) -> str:
    from bot.storage import links
    from bot.storage.db import session_factory

    with session_factory()() as db:
        return links.resolve_learner(db, CHANNEL, external_id, display_name=display_name)


def _redeem(external_id: str, code: str) -> str | None:
    from bot.storage import links
    from bot.storage.db import session_factory

    with session_factory()() as db:
        return links.redeem_link_code(db, CHANNEL, external_id, code)


def _unlink(external_id: str) -> bool:
    from bot.storage import links
    from bot.storage.db import session_factory

    with session_factory()() as db:
        return links.unlink(db, CHANNEL, external_id)
