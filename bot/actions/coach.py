"""The coach's own turns: hints on demand and redirects when the learner leaves the role."""

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
    routed,
    say,
    scenario_list,
)
from bot.actions.recording import save
from bot.actions.simulation import ActionClientTurn
from bot.engine import coach as coach_engine
from bot.engine import desk
from bot.engine.inputs import screen


class ActionCoachHint(Action):
    def name(self) -> str:
        return "action_coach_hint"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict]:
        lib = library()
        state = load_state(tracker)
        move = latest_move(tracker)
        problem = screen(move.text)
        if desk.is_task(lib, state) and not problem and not desk.asks_for_hint(move.text):
            return await ActionClientTurn().play(dispatcher, tracker, state)  # a part of the report
        played = None if state is None or problem or desk.is_task(lib, state) else routed(lib, state, tracker)
        if played:
            # The NLU heard a call for help in what is a question to the client: the client answers it.
            return await ActionClientTurn().play(dispatcher, tracker, state, played)
        if state is None:
            say(dispatcher, [coach(lib.coach["no_simulation"].format(scenarios=scenario_list()), "menu")])
        elif problem in ("empty", "other_language"):
            # a guess of the NLU on a message without a word, or not in French
            say(dispatcher, [coach(lib.coach[problem].format(client=client_name(state)), "input")])
        elif state.mode == "exam":
            say(dispatcher, [coach(lib.coach["exam_no_hint"], "hint")])
        elif desk.is_task(lib, state):
            say(dispatcher, [coach(desk.hint(lib, lib.of(state), state), "hint")])
        else:
            say(dispatcher, [coach(coach_engine.hint(lib, lib.of(state), state), "hint")])
        if state is not None and save(lib, tracker, None) is None:
            say(dispatcher, [coach(lib.coach["not_saved"], "storage")])
        return []


class ActionCoachRedirect(Action):
    def name(self) -> str:
        return "action_coach_redirect"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]) -> List[Dict]:
        lib = library()
        state = load_state(tracker)
        if state is None:
            say(dispatcher, [coach(lib.coach["no_simulation"].format(scenarios=scenario_list()), "menu")])
            return []
        move = latest_move(tracker)
        if desk.is_task(lib, state) and not screen(move.text) and not move.text.lstrip().startswith("/"):
            return await ActionClientTurn().play(dispatcher, tracker, state)  # a part of the report
        played = None if screen(move.text) or desk.is_task(lib, state) else routed(lib, state, tracker)
        if played:
            # An uncertain but plausible move, a question, or small talk the client answers in character.
            return await ActionClientTurn().play(dispatcher, tracker, state, played)
        problem = screen(move.text) or "redirect"
        if problem == "redirect" and move.text.startswith("/") and "unknown_command" in lib.coach:
            problem = "unknown_command"  # Rasa command syntax that is not one of ours (/restart, /hack…)
        template = lib.coach[problem]
        if isinstance(template, list):
            template = template[(state.turn + len(move.text)) % len(template)]
        command = (move.text.split("{")[0].split() or [""])[0][:40]
        say(dispatcher, [coach(template.format(client=client_name(state), command=command), "redirect")])
        if save(lib, tracker, None) is None:
            say(dispatcher, [coach(lib.coach["not_saved"], "storage")])
        return []
