"""Translation between the Rasa tracker and the engine (state slot, moves, utterances)."""

from __future__ import annotations

from typing import Any, Dict, Iterable, List

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.engine.library import Library
from bot.engine.routing import client_move
from bot.engine.state import Move, SimulationState, Utterance
from bot.storage.authored import current_library


def library() -> Library:
    """The built-in scenarios and those written in the editor (read again when one changes)."""
    return current_library()


def load_state(tracker: Tracker) -> SimulationState | None:
    data = tracker.get_slot("sim_state")
    if not isinstance(data, dict) or data.get("scenario_id") not in library().scenarios:
        return None
    return SimulationState.from_dict(data)


def latest_move(tracker: Tracker) -> Move:
    message: Dict[str, Any] = tracker.latest_message or {}
    intent = message.get("intent") or {}
    return Move(
        intent=intent.get("name") or "",
        text=message.get("text") or "",
        confidence=float(intent.get("confidence") or 0.0),
        entities=list(message.get("entities") or []),
    )


def say(dispatcher: CollectingDispatcher, utterances: Iterable[Utterance]) -> None:
    """One bot message per utterance; the speaker travels as message metadata."""
    for u in utterances:
        prefix = f"{u.name} : " if u.name else ""
        dispatcher.utter_message(
            text=f"{prefix}{u.text}", speaker=u.speaker, speaker_name=u.name, body=u.text, kind=u.kind
        )


def coach(text: str, kind: str = "") -> Utterance:
    return Utterance("coach", text, name="Coach", kind=kind)


def state_events(state: SimulationState, tracker: Tracker | None = None) -> List[SlotSet]:
    """The engine state, and the slots derived from it that change (given the ``tracker``).

    Every event is stored and read back by the Rasa server on every message and sent to
    the action server: an unchanged slot is not set again (same slot values, fewer events).
    """
    derived = {
        "scenario_id": state.scenario_id,
        "phase": state.phase,
        "client_mood": state.mood,
        "outcome": state.outcome,
        "mode": state.mode,
    }
    events = [SlotSet("sim_state", state.to_dict())]
    for name, value in derived.items():
        if tracker is None or tracker.get_slot(name) != value:
            events.append(SlotSet(name, value))
    return events


def client_name(state: SimulationState | None) -> str:
    if state is None:
        return "votre client"
    return library().of(state).persona(state.active_persona).name


def play_options(tracker: Tracker) -> List[str]:
    """The values of the start message's ``mode`` entity: « exam », « level:examen », « variant:3 » or
    « variant:auto » (level and variant travel in the existing entity: no new entity, no retraining)."""
    return [str(v).strip() for v in tracker.get_latest_entity_values("mode") if v is not None]


def scenario_list() -> str:
    lib = library()
    return ", ".join(f"{sid} ({lib.scenarios[sid].title})" for sid in lib.scenario_ids)


def routed(library: Library, state: SimulationState, tracker: Tracker) -> str | None:
    """The client move for the latest message when the NLU routed it to the coach (see bot.engine.routing)."""
    message = tracker.latest_message or {}
    intent = (message.get("intent") or {}).get("name") or ""
    return client_move(library, state, message.get("text") or "", intent, message.get("intent_ranking") or [])
