"""Start a scenario, play the client's turn, end with the debrief."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.actions.common import (
    client_name,
    coach,
    latest_move,
    library,
    load_state,
    play_options,
    routed,
    say,
    scenario_list,
    state_events,
)
from bot.actions.recording import debrief_text, save
from bot.engine import coach as coach_engine
from bot.engine import desk, simulation
from bot.engine.inputs import screen
from bot.engine.routing import heard


class ActionStartScenario(Action):
    def name(self) -> str:
        return "action_start_scenario"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict]:
        lib = library()
        scenario_id = str(next(tracker.get_latest_entity_values("scenario_id"), "") or "").strip()
        options = play_options(tracker)
        mode = "exam" if options[:1] == ["exam"] else "training"
        if scenario_id not in lib.scenarios:
            # Only a dictionary lookup: an odd id (a path, a huge or non-text value) never goes further.
            running = load_state(tracker)
            key = "unknown_scenario" if scenario_id else "no_simulation"
            if not scenario_id and running is not None and "missing_scenario" in lib.coach:
                key = "missing_scenario"
            text = lib.coach[key].format(scenario_id=scenario_id[:60], scenarios=scenario_list())
            if running is not None and not running.ended and "simulation_continues" in lib.coach:
                text += " " + lib.coach["simulation_continues"].format(client=client_name(running))
            say(dispatcher, [coach(text, "menu")])
            return []
        state = simulation.start_attempt(
            lib, scenario_id, simulation.seed_for(tracker.sender_id), mode, options, load_state(tracker)
        )
        scenario = lib.of(state)
        if desk.is_task(lib, state):
            say(dispatcher, desk.opening(lib, scenario, state))
            return state_events(state, tracker)
        welcome = lib.coach["welcome_exam" if mode == "exam" else "welcome"]
        say(dispatcher, [coach(coach_engine.briefing(scenario), "briefing"), coach(welcome, "welcome")])
        return state_events(state, tracker)


class ActionClientTurn(Action):
    def name(self) -> str:
        return "action_client_turn"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict]:
        lib = library()
        state = load_state(tracker)
        if state is None:
            say(dispatcher, [coach(lib.coach["no_simulation"].format(scenarios=scenario_list()), "menu")])
            return []
        message = tracker.latest_message or {}
        label = (message.get("intent") or {}).get("name")
        if not heard(message.get("text") or "", label, message.get("intent_ranking") or []):
            # a yes or a no the NLU is unsure of and the words do not carry (« azerty »): the coach's
            from bot.actions.coach import ActionCoachRedirect

            return await ActionCoachRedirect().run(dispatcher, tracker, domain)
        return await self.play(dispatcher, tracker, state)

    async def play(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, state, intent: str | None = None
    ) -> List[Dict]:
        lib = library()
        move = latest_move(tracker)
        if intent:
            move.intent = intent
        problem = screen(move.text)
        if problem:
            say(dispatcher, [coach(lib.coach[problem].format(client=client_name(state)), "input")])
            if problem != "too_long":
                if save(lib, tracker, None) is None:
                    say(dispatcher, [coach(lib.coach["not_saved"], "storage")])
                return []
        reply = simulation.step(lib, state, move)
        say(dispatcher, reply.utterances)
        if desk.ENDED in reply.events:  # the desk task's report was handed in: the debrief follows
            return debrief(lib, dispatcher, tracker, state)
        if save(lib, tracker, state) is None:
            say(dispatcher, [coach(lib.coach["not_saved"], "storage")])
        return state_events(state, tracker)


class ActionDebrief(Action):
    def name(self) -> str:
        return "action_debrief"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict]:
        lib = library()
        state = load_state(tracker)
        if state is None:
            say(dispatcher, [coach(lib.coach["no_simulation"].format(scenarios=scenario_list()), "menu")])
            return []
        move = latest_move(tracker)
        if screen(move.text) == "empty":
            # The NLU guesses on a message without a word (emoji, punctuation): never end a simulation on that.
            say(dispatcher, [coach(lib.coach["empty"].format(client=client_name(state)), "input")])
            if save(lib, tracker, None) is None:
                say(dispatcher, [coach(lib.coach["not_saved"], "storage")])
            return []
        if desk.is_task(lib, state):
            if not desk.asks_end(move.text):  # a part of the report that speaks of « compte rendu »
                return await ActionClientTurn().play(dispatcher, tracker, state)
            desk.finish(lib, state)
            return debrief(lib, dispatcher, tracker, state)
        played = routed(lib, state, tracker)
        if played:
            # « On pourrait arrêter la production quand ? » asks the client, it does not end the simulation.
            return await ActionClientTurn().play(dispatcher, tracker, state, played)
        simulation.finish(state)
        return debrief(lib, dispatcher, tracker, state)


def debrief(lib, dispatcher: CollectingDispatcher, tracker: Tracker, state) -> List[Dict]:
    """Record the ended session and say its debrief (the summary alone when the storage is down)."""
    text = debrief_text(lib, save(lib, tracker, state), state)
    if text is None:
        summary = "" if desk.is_task(lib, state) else coach_engine.summary(lib, lib.of(state), state)
        text = (summary + "\n" + lib.coach["not_saved"]).strip()
    say(dispatcher, [coach(text, "debrief")])
    return state_events(state, tracker)
