"""Play an end-to-end learner script through the engine in this process, with the trained NLU.

``python scripts/play_script.py FILE.yml [-v]`` (a script of ``tests/e2e/scripts_c2/`` or
``tests/e2e/scripts_new/``: opening, discovery, reformulate, solution, price, answers by objection id,
change, close, poor): the same loop as the end-to-end tests over REST (answer whatever the client raises,
then close), without starting Rasa. Prints the outcome and, with ``-v`` or when the good run is not won,
the conversation. A scenario writer checks a new scenario with it in seconds.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.dialogue_eval import nlu_classifier  # noqa: E402
from bot.engine import simulation  # noqa: E402
from bot.engine.library import Library, load_library  # noqa: E402
from bot.engine.routing import client_move  # noqa: E402
from bot.engine.state import Move  # noqa: E402

ACKNOWLEDGE = "Je comprends tout à fait votre remarque, c'est un point important."


class Player:
    def __init__(self, library: Library, scenario_id: str, classify, sender: str):
        self.library = library
        self.classify = classify
        self.state = simulation.start(library, scenario_id, seed=simulation.seed_for(sender))
        self.log: List[Tuple[str, str, List[str]]] = []

    def say(self, text: str) -> None:
        intent, confidence, ranking = self.classify(text)
        move = client_move(self.library, self.state, text, intent, ranking)
        if move is None:
            self.log.append((text, intent, ["(le coach répond)"]))
            return
        reply = simulation.step(self.library, self.state, Move(move, text, confidence))
        lines = [f"{u.speaker} {u.name}: {u.text}" for u in reply.utterances]
        lines.append("events: " + ", ".join(e for e in reply.events if not e.startswith("fact_")))
        self.log.append((text, move, lines))


def play_good(player: Player, script: Dict) -> None:
    state = player.state

    def answer_pending(limit: int = 12) -> None:
        for _ in range(limit):
            if state.outcome != "open":
                return
            current = state.current_objection
            if state.change == "announced":
                player.say(script["change"])
            elif current and state.objections.get(current) == "pending":
                if current not in state.acknowledged:
                    player.say(ACKNOWLEDGE)
                player.say(script["answers"][current])
            else:
                return

    steps = script["opening"] + script["discovery"] + [script["reformulate"], script["solution"]]
    steps += script.get("preempt") or []  # what a strong learner says before the client objects
    steps += [script["price"]] if script.get("price") else []
    for text in steps:
        player.say(text)
        answer_pending()
    for _ in range(8):
        answer_pending()
        if state.outcome != "open":
            break
        player.say(script["close"])


def play_poor(player: Player, script: Dict) -> None:
    for text in script["poor"]:
        player.say(text)
        if player.state.outcome != "open":
            return
    simulation.finish(player.state)


def show(player: Player) -> None:
    for text, move, lines in player.log:
        print(f"  > [{move}] {text}")
        for line in lines:
            print(f"      {line}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scripts", nargs="+")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--model", default=str(ROOT / "models" / "negotiation.tar.gz"))
    args = parser.parse_args()
    library = load_library()
    classify = nlu_classifier(Path(args.model))
    failures = 0
    for path in args.scripts:
        script = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        scenario_id = script.get("scenario") or Path(path).stem
        good = Player(library, scenario_id, classify, f"good-{scenario_id}")
        play_good(good, script)
        poor = Player(library, scenario_id, classify, f"poor-{scenario_id}")
        play_poor(poor, script)
        ok = good.state.outcome == "won" and poor.state.outcome == "lost"
        failures += not ok
        verdict = "OK " if ok else "KO "
        print(f"{verdict} {scenario_id}: good run {good.state.outcome} ({good.state.outcome_reason}),")
        print(f"    objections {good.state.objections}, change {good.state.change}; poor run {poor.state.outcome}")
        if args.verbose or good.state.outcome != "won":
            show(good)
        if args.verbose or poor.state.outcome != "lost":
            show(poor)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
