"""The REST channel of the contract (``POST /webhooks/rest/webhook``), speaker-aware.

Same request as Rasa's REST channel. Each bot message comes back as ONE item (Rasa's
collector splits texts at blank lines, which breaks a briefing into pieces) with the
speaker in a ``custom`` payload::

    {"recipient_id": "…", "text": "M. Garnier : Bonjour…",
     "custom": {"speaker": "client", "name": "M. Garnier", "text": "Bonjour…", "kind": ""}}

If the pipeline fails (action server down, crash), the learner gets a polite French
answer instead of silence; the message itself is already in the tracker store.
"""

from __future__ import annotations

import logging
from asyncio import CancelledError
from typing import Any, Awaitable, Callable, Dict

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

UNAVAILABLE = (
    "Un instant : le simulateur reprend son souffle. Votre message est bien enregistré ; "
    "renvoyez-le dans quelques secondes si personne ne vous répond."
)
MAX_MESSAGE_CHARS = 5000


class SpeakerOutputChannel(CollectingOutputChannel):
    """Collects one message per bot utterance, with the speaker kept."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        custom = {
            "speaker": kwargs.get("speaker") or "client",
            "name": kwargs.get("speaker_name") or "",
            "text": kwargs.get("body") or text,
            "kind": kwargs.get("kind") or "",
        }
        await self._persist_message({"recipient_id": recipient_id, "text": text, "custom": custom})

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        await self._persist_message({"recipient_id": recipient_id, "custom": json_message})


class SpeakerRestInput(RestInput):
    """``credentials.yml``: ``bot.channels.rest.SpeakerRestInput:`` (name stays ``rest``)."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def _extract_message(self, req: Request) -> str | None:
        text = (req.json or {}).get("message")
        if text is not None and not isinstance(text, str):
            text = str(text)
        if text and len(text) > MAX_MESSAGE_CHARS:
            text = text[:MAX_MESSAGE_CHARS]
        return text

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = Blueprint("speaker_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not isinstance(request.json, dict) or not request.json.get("sender"):
                return response.json({"error": "Champs « sender » et « message » attendus."}, status=400)
            sender_id = await self._extract_sender(request)
            text = self._extract_message(request) or ""
            collector = SpeakerOutputChannel()
            try:
                await on_new_message(
                    UserMessage(
                        text,
                        collector,
                        sender_id,
                        input_channel=self.name(),
                        metadata=self.get_metadata(request),
                    )
                )
            except CancelledError:
                logger.error("REST message timed out for %s", sender_id)
            except Exception:  # noqa: BLE001 - the learner must get an answer
                logger.exception("REST message failed for %s", sender_id)
            if not collector.messages:
                collector.messages.append(
                    {
                        "recipient_id": sender_id,
                        "text": f"Coach : {UNAVAILABLE}",
                        "custom": {"speaker": "coach", "name": "Coach", "text": UNAVAILABLE, "kind": "unavailable"},
                    }
                )
            return response.json(collector.messages)

        return webhook
