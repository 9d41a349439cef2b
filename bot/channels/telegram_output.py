"""Replies to Telegram: one light output channel per update, sharing one aiogram ``Bot``.

Client and coach lines are rendered with their marks and split under Telegram's limit; the
learner id is resolved to the linked chats (a guest ``tg:<id>`` is its own chat).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List

from aiogram import Bot
from aiogram.utils.exceptions import RetryAfter, TelegramAPIError
from rasa.core.channels.channel import OutputChannel

from bot.channels.telegram_text import CHANNEL, render, split_message

logger = logging.getLogger(__name__)


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
