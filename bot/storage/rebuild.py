"""Rebuild sessions, turns and scores from the Rasa tracker store.

For when the action-side write failed (action server down, database unreachable) or
the rules changed (re-scoring a whole class after a rubric change).
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Dict, List, Sequence

from sqlalchemy import MetaData, Table, select

from bot.engine.library import Library
from bot.storage.authored import current_library
from bot.storage.db import get_engine, session_factory
from bot.storage.record import record


def tracker_events(url: str | None = None, senders: Sequence[str] = ()) -> Dict[str, List[dict]]:
    """Every learner's events, in order, read from Rasa's ``events`` table."""
    engine = get_engine(url)
    events = Table("events", MetaData(), autoload_with=engine)
    query = select(events.c.sender_id, events.c.data).order_by(events.c.id)
    if senders:
        query = query.where(events.c.sender_id.in_(list(senders)))
    grouped: Dict[str, List[dict]] = defaultdict(list)
    with engine.connect() as conn:
        for sender_id, data in conn.execute(query):
            grouped[sender_id].append(json.loads(data))
    return grouped


def rebuild(url: str | None = None, senders: Sequence[str] = (), library: Library | None = None) -> Dict[str, int]:
    """Re-record every session found in the tracker store; returns counts."""
    library = library or current_library(url)
    counts = {"learners": 0, "sessions": 0, "turns": 0}
    make_session = session_factory(url)
    for sender_id, events in tracker_events(url, senders).items():
        with make_session() as db:
            sessions = record(db, library, sender_id, events, only_last=False)
        if sessions:
            counts["learners"] += 1
            counts["sessions"] += len(sessions)
            counts["turns"] += sum(len(s.turns) for s in sessions)
    return counts
