"""The custom actions in process, the way the Rasa SDK calls them (no Rasa server, no model).

``Conversation`` plays the part of the Rasa server for one learner: it keeps the events
and the slots, builds a ``rasa_sdk.Tracker`` with the parsed message the NLU would have
produced (intent, entities), runs an action with a ``CollectingDispatcher`` and applies
the events the action returns. Recording goes to a real SQLite database in ``tmp_path``.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Dict, List

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.storage import db


class Conversation:
    def __init__(self, sender: str):
        self.sender = sender
        self.events: List[Dict[str, Any]] = []
        self.slots: Dict[str, Any] = {}
        self.latest: Dict[str, Any] = {}

    def user(self, text: str, intent: str, confidence: float = 0.95, **entities: str) -> None:
        """The learner's message as the NLU parsed it."""
        self.latest = {
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": [{"name": intent, "confidence": confidence}],
            "entities": [{"entity": k, "value": v, "start": 0, "end": 0} for k, v in entities.items()],
        }
        self.events.append({"event": "user", "timestamp": time.time(), "text": text, "parse_data": self.latest})

    def tracker(self) -> Tracker:
        return Tracker(self.sender, dict(self.slots), self.latest, list(self.events), False, None, {}, None)

    def run(self, action: Action) -> List[Dict[str, Any]]:
        """Run ``action`` on the current tracker; returns the bot messages it sent."""
        dispatcher = CollectingDispatcher()
        returned = asyncio.run(action.run(dispatcher, self.tracker(), {}))
        self.events.append({"event": "action", "timestamp": time.time(), "name": action.name()})
        for event in returned:
            event = dict(event, timestamp=event.get("timestamp") or time.time())
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
            self.events.append(event)
        for message in dispatcher.messages:
            self.events.append({"event": "bot", "timestamp": time.time(), "text": message.get("text"),
                                "metadata": {k: message.get(k) for k in ("speaker", "body", "kind")}})  # fmt: skip
        return dispatcher.messages

    def say(self, action: Action, text: str, intent: str, **entities: str) -> List[Dict[str, Any]]:
        self.user(text, intent, **entities)
        return self.run(action)

    @property
    def state(self) -> Dict[str, Any]:
        return self.slots.get("sim_state") or {}


def kinds(messages: List[Dict[str, Any]]) -> List[str]:
    return [m.get("kind") for m in messages]


def speakers(messages: List[Dict[str, Any]]) -> List[str]:
    return [m.get("speaker") for m in messages]


@pytest.fixture
def database(tmp_path, monkeypatch):
    """A migrated SQLite database that the actions record into (``DATABASE_URL``).

    The actions' engine is cached per URL, ``None`` (the environment's) included: cleared
    before and after, so that each test writes to its own file."""
    url = f"sqlite:///{tmp_path / 'actions.db'}"
    db.upgrade(url)
    monkeypatch.setenv("DATABASE_URL", url)
    db.get_engine.cache_clear()
    yield url
    db.get_engine.cache_clear()


@pytest.fixture
def conversation(database, request) -> Conversation:
    return Conversation(f"actions-{request.node.name}"[:60])
