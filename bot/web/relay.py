"""Relay between the web page and Rasa's REST channel.

The learner id comes from the login (or the widget token), never from the browser;
one lock per learner keeps their messages in order.
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from typing import Any, Dict, List

import aiohttp

UNAVAILABLE = (
    "Un instant… le serveur de simulation ne répond pas. "
    "Réessayez dans quelques secondes : renvoyez votre message s'il n'a pas reçu de réponse."
)


class RasaRelay:
    def __init__(self, rasa_url: str, timeout_s: float = 60.0, secret: str = ""):
        self.url = f"{rasa_url}/webhooks/rest/webhook"
        #: ``RASA_REST_SECRET``: Rasa's REST channel refuses other callers than the loopback without it
        self.headers = {"X-Coach-Secret": secret} if secret else {}
        self.timeout = aiohttp.ClientTimeout(total=timeout_s)
        self._locks: Dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._session: aiohttp.ClientSession | None = None

    async def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def send(self, learner_id: str, text: str) -> List[Dict[str, Any]]:
        """Messages of the reply as ``{speaker, name, text, kind}`` (a French notice on failure)."""
        async with self._locks[learner_id]:
            try:
                client = await self._client()
                async with client.post(
                    self.url, json={"sender": learner_id, "message": text}, headers=self.headers
                ) as resp:
                    if resp.status != 200:
                        raise aiohttp.ClientError(f"HTTP {resp.status}")
                    data = json.loads(await resp.text())
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                return [{"speaker": "coach", "name": "Coach", "text": UNAVAILABLE, "kind": "unavailable"}]
        return [normalise(item) for item in data if isinstance(item, dict)]


def normalise(item: Dict[str, Any]) -> Dict[str, Any]:
    custom = item.get("custom") if isinstance(item.get("custom"), dict) else {}
    speaker = custom.get("speaker") or "client"
    return {
        "speaker": speaker if speaker in {"client", "coach"} else "client",
        "name": custom.get("name") or ("Coach" if speaker == "coach" else ""),
        "text": custom.get("text") or item.get("text") or "",
        "kind": custom.get("kind") or "",
    }
