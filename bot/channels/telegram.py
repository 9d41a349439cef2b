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
* commands (``/start``, ``/scenarios``, ``/scenario <id> [niveau]``, ``/indice``, ``/bilan``,
  ``/lier``…) are answered here or translated into the project's intents
  (``/scenario agri-cuma découverte`` → ``/start_scenario{"scenario_id": "agri-cuma", "mode":
  ["training", "level:decouverte", "variant:auto"]}``, the level and variant as the web app sends
  them); any other ``/intent`` is refused, so a student cannot force a move;
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
import time
from collections import OrderedDict, defaultdict, deque
from typing import Any, Awaitable, Callable, Deque, Dict

from aiogram import Bot
from aiogram.bot.api import TELEGRAM_PRODUCTION, TelegramAPIServer, check_token
from aiogram.utils.exceptions import ValidationError
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.telegram import TelegramInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.rest import UNAVAILABLE
from bot.channels.telegram_output import TelegramChatOutput, _external_ids  # noqa: F401 - re-exported
from bot.channels.telegram_text import (
    ACCOUNT_GUEST,
    ACCOUNT_LINKED,
    CHANNEL,
    CLIENT_MARK,
    COACH_MARK,
    LINK_FAILED,
    LINK_OK,
    LINK_TOO_MANY,
    PRIVATE_ONLY,
    TEXT_ONLY,
    UNLINK_NONE,
    UNLINK_OK,
    WELCOME,
    interpret,
)
from bot.config import get_settings

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

ENV = {
    "access_token": "TELEGRAM_TOKEN",
    "webhook_url": "TELEGRAM_WEBHOOK_URL",
    "secret_token": "TELEGRAM_WEBHOOK_SECRET",
    "verify": "TELEGRAM_BOT_USERNAME",
    "api_url": "TELEGRAM_API_URL",
}


def secret_matches(sent: str | None, expected: str) -> bool:
    """Constant-time comparison: the time taken does not tell how much of the secret was right."""
    return isinstance(sent, str) and hmac.compare_digest(sent.encode("utf-8"), expected.encode("utf-8"))


def derived_secret(token: str) -> str:
    """A webhook secret (Telegram allows ``A-Za-z0-9_-``) that needs no extra setting."""
    return hashlib.sha256(f"negotiation-coach-webhook:{token}".encode()).hexdigest()[:48]


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
        from bot.storage.authored import current_library

        library = current_library()
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
