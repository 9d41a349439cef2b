"""The REST channel of the contract (``POST /webhooks/rest/webhook``), speaker-aware.

Same request as Rasa's REST channel. Each bot message comes back as ONE item (Rasa's
collector splits texts at blank lines, which breaks a briefing into pieces) with the
speaker in a ``custom`` payload::

    {"recipient_id": "…", "text": "M. Garnier : Bonjour…",
     "custom": {"speaker": "client", "name": "M. Garnier", "text": "Bonjour…", "kind": ""}}

Robustness (see docs/testing.md, "Robustness"):

- the text is cleaned before Rasa sees it: control characters (NUL, escape codes…) and
  unpaired surrogates are removed (PostgreSQL cannot store them), accents are composed
  (Unicode NFC: the NLU reads "é", not "e" + a combining accent), non-text values are
  turned into text, and it is clipped at ``message_max_chars`` (``bot/config.py``);
- Rasa's built-in commands that rewrite the conversation (``/restart``, ``/back``,
  ``/session_start``) are not for learners: they are stored as out-of-scope messages
  and the coach answers;
- if the NLU cannot read a message (it crashed on it, or would: entities nested deeper
  than ``MAX_ENTITY_NESTING``), the message is stored as unreadable (``nlu_fallback``)
  and the coach answers;
- if the pipeline fails (action server down, crash), the learner gets a polite French
  answer instead of silence; the message itself is already in the tracker store;
- if the tracker store itself is unreachable (database down), the message cannot be
  stored (Rasa's fail-safe store would silently play it on a blank conversation, see
  ``bot.storage.tracker_store``): the learner is asked to send it again, and it is
  appended to the journal ``UNSAVED_MESSAGES_FILE`` (default
  ``var/unsaved-messages.jsonl``) for the record.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import time
import unicodedata
from asyncio import CancelledError
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.config import get_settings
from bot.storage.tracker_store import watch_failures

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
SECRET_ENV = "RASA_REST_SECRET"
SECRET_HEADER = "X-Coach-Secret"
UNAVAILABLE = (
    "Un instant : le simulateur reprend son souffle. Votre message est bien enregistré ; "
    "renvoyez-le dans quelques secondes si personne ne vous répond."
)
NOT_STORED = (
    "Un instant : l'enregistrement de la simulation est momentanément indisponible et votre dernier "
    "message n'a pas pu être enregistré. Renvoyez-le dans quelques secondes."
)
MAX_SENDER_CHARS = 255
#: Rasa's built-in intents that rewrite the conversation: a learner must not trigger them.
BLOCKED_INTENTS = frozenset({"restart", "back", "session_start"})
MAX_ENTITY_NESTING = 20
_INTENT_SYNTAX = re.compile(r"^/(?P<intent>[^{@]+)")
_KEPT_CONTROLS = {"\n", "\t"}


def clean_text(value: Any) -> str:
    """The learner's text as it can be stored: no control characters, valid UTF-8, clipped."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = text.encode("utf-8", "replace").decode("utf-8")  # unpaired surrogates become "?"
    text = unicodedata.normalize("NFC", text)  # "e" + combining accent is "é" for the NLU too
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(c for c in text if c in _KEPT_CONTROLS or unicodedata.category(c) != "Cc")
    return text[: get_settings().message_max_chars]


def forced_parse(text: str, intent: str, confidence: float) -> Dict[str, Any]:
    """NLU result given to Rasa instead of running the NLU on ``text``."""
    return {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": intent, "confidence": confidence}],
        "entities": [],
    }


def _nesting(text: str) -> int:
    depth = deepest = 0
    for c in text:
        if c in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif c in "]}":
            depth -= 1
    return deepest


def command_parse(text: str) -> Dict[str, Any] | None:
    """A learner typing one of Rasa's built-in commands gets the coach, not the command;
    entities nested too deep for Rasa's JSON reader (it crashes) are not read either."""
    match = _INTENT_SYNTAX.match(text.strip())
    if match and match.group("intent").strip() in BLOCKED_INTENTS:
        return forced_parse(text.strip(), "out_of_scope", 1.0)
    if match and _nesting(text) > MAX_ENTITY_NESTING:
        return forced_parse(text.strip(), "nlu_fallback", 0.0)
    return None


def is_storage_error(exc: BaseException | None) -> bool:
    """True if the failure comes from the database (tracker store unreachable…)."""
    from sqlalchemy.exc import SQLAlchemyError

    seen = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, SQLAlchemyError) or type(exc).__module__.split(".")[0] in {"psycopg2", "sqlite3"}:
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False


def journal_unsaved(sender_id: str, text: str, error: BaseException) -> None:
    """Keep a message the tracker store could not take (one JSON line per message)."""
    path = get_settings().unsaved_messages_path
    line = {"sender": sender_id, "text": text, "timestamp": time.time(), "error": type(error).__name__}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    except OSError:
        logger.exception("could not journal the unsaved message of %s", sender_id)


def caller_allowed(peer: str, sent: str | None, secret: str) -> bool:
    """Who may post as any learner: the holder of ``RASA_REST_SECRET`` if it is set, else the loopback.

    The REST channel takes the learner id from the request; open to the network, it gave
    write access to every learner's record (issue 14). The web app sends the secret in
    ``X-Coach-Secret``; ``make shell`` and the tests talk over the loopback.
    """
    if secret:
        return isinstance(sent, str) and hmac.compare_digest(sent.encode("utf-8"), secret.encode("utf-8"))
    return peer == "::1" or peer.startswith("127.")


def coach_item(recipient_id: str, text: str) -> Dict[str, Any]:
    return {
        "recipient_id": recipient_id,
        "text": f"Coach : {text}",
        "custom": {"speaker": "coach", "name": "Coach", "text": text, "kind": "unavailable"},
    }


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

    def _extract_message(self, req: Request) -> str:
        return clean_text((req.json or {}).get("message"))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        webhook = Blueprint("speaker_rest_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        secret = get_settings().rasa_rest_secret.strip()

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not caller_allowed(getattr(request, "ip", ""), request.headers.get(SECRET_HEADER), secret):
                return response.json({"error": "Accès refusé : ce canal est réservé à l'application web."}, status=403)
            try:
                body = request.json
            except Exception:  # noqa: BLE001 - malformed JSON body
                body = None
            if not isinstance(body, dict) or body.get("sender") in (None, ""):
                return response.json({"error": "Champs « sender » et « message » attendus."}, status=400)
            sender_id = body["sender"] if isinstance(body["sender"], str) else clean_text(body["sender"])
            if len(sender_id) > MAX_SENDER_CHARS:
                error = "Identifiant « sender » trop long (255 caractères au plus)."
                return response.json({"error": error}, status=400)
            text = self._extract_message(request)
            collector = SpeakerOutputChannel()

            def message(parse_data: Dict[str, Any] | None) -> UserMessage:
                return UserMessage(
                    text,
                    collector,
                    sender_id,
                    parse_data=parse_data,
                    input_channel=self.name(),
                    metadata=self.get_metadata(request),
                )

            parse_data = command_parse(text)
            failures = watch_failures()
            try:
                await on_new_message(message(parse_data))
            except CancelledError:
                logger.error("REST message timed out for %s", sender_id)
            except Exception as exc:  # noqa: BLE001 - the learner must get an answer
                logger.exception("REST message failed for %s", sender_id)
                if is_storage_error(exc):
                    journal_unsaved(sender_id, text, exc)
                    collector.messages[:] = [coach_item(sender_id, NOT_STORED)]
                elif not collector.messages and parse_data is None:
                    # Nothing was played: the NLU could not read the message. Store it as
                    # unreadable so that nothing is lost, and let the coach answer.
                    try:
                        await on_new_message(message(forced_parse(text, "nlu_fallback", 0.0)))
                    except Exception as again:  # noqa: BLE001
                        logger.exception("REST message failed twice for %s", sender_id)
                        if is_storage_error(again):
                            journal_unsaved(sender_id, text, again)
                            collector.messages[:] = [coach_item(sender_id, NOT_STORED)]
            if failures and not any((m.get("custom") or {}).get("text") == NOT_STORED for m in collector.messages):
                # Rasa's fail-safe tracker store played the message on a blank conversation
                # and kept nothing: whatever it answered is wrong.
                journal_unsaved(sender_id, text, failures[0])
                collector.messages[:] = [coach_item(sender_id, NOT_STORED)]
            if not collector.messages:
                collector.messages.append(coach_item(sender_id, UNAVAILABLE))
            return response.json(collector.messages)

        return webhook
