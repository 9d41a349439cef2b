"""Writes the learner's record from the tracker (idempotent; failures never break the chat)."""

from __future__ import annotations

import logging
import time
from typing import Any, Dict, List

from rasa_sdk import Tracker

from bot.assessment.debrief import debrief
from bot.assessment.desk_debrief import desk_debrief
from bot.assessment.rubric import default_rubric
from bot.engine.desk_schema import is_desk
from bot.engine.library import Library
from bot.engine.state import SimulationState
from bot.lti.grades import scenario_kind, send_in_background
from bot.storage.db import session_factory
from bot.storage.record import SessionData, record

logger = logging.getLogger(__name__)


def _events(tracker: Tracker, state: SimulationState | None) -> List[Dict[str, Any]]:
    events = list(tracker.events)
    if state is not None:
        # The state this action is about to set is not in the tracker yet.
        events.append({"event": "slot", "name": "sim_state", "value": state.to_dict(), "timestamp": time.time()})
    return events


def save(library: Library, tracker: Tracker, state: SimulationState | None) -> SessionData | None:
    """Record the current session; returns it, or None if the database is unavailable."""
    try:
        with session_factory()() as db:
            sessions = record(db, library, tracker.sender_id, _events(tracker, state))
        if sessions and sessions[-1].assessment is not None:  # ended: the LMS gradebook hears of it
            send_in_background(session_factory(), tracker.sender_id, scenario_kind(library))
        return sessions[-1] if sessions else None
    except Exception:  # noqa: BLE001 - storage must never break the conversation
        logger.exception("could not record the session of %s", tracker.sender_id)
        return None


def debrief_text(library: Library, session: SessionData | None, state: SimulationState) -> str | None:
    if session is None:
        return None
    if session.assessment is None:
        return None
    topic_hints = library.coach.get("hints", {}).get("topic", {})
    scenario = library.of(state)
    if is_desk(scenario):
        return desk_debrief(scenario, default_rubric(), session.assessment, state.outcome_reason)
    return debrief(scenario, default_rubric(), session.assessment, state.outcome_reason, topic_hints)
