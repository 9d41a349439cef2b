"""Replay a transcript file through the scenario engine and print the conversation.

Usage: python scripts/play_transcript.py tests/transcripts/NAME.yml

A transcript file::

    scenario: air-plasturgie
    quality: excellent            # excellent | good | average | poor | abandoned
    expected_outcome: won         # won | lost
    expected: {C1.1.1-a: 2, ...}  # the 19 criteria, 0-3 or na, written BEFORE scoring
    turns:                        # the learner's messages, with the move (intent) of each
      - [greet, "Bonjour Monsieur Garnier"]
      - [ask_open_question, "Comment se passe ... ?"]
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.engine import simulation  # noqa: E402
from bot.engine.library import load_library  # noqa: E402
from bot.engine.state import Move  # noqa: E402


def main(path: str) -> None:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    library = load_library()
    state = simulation.start(library, data["scenario"], seed=simulation.seed_for(Path(path).stem))
    for n, (intent, text) in enumerate(data["turns"], 1):
        reply = simulation.step(library, state, Move(intent, text))
        print(f"\n[{n}] VOUS ({intent}) : {text}")
        for u in reply.utterances:
            print(f"    {u.name} : {u.text}")
        if reply.events:
            print(f"    · {', '.join(reply.events)}")
    print(f"\nOUTCOME: {state.outcome} ({state.outcome_reason}) warmth={state.warmth} flags={state.flags}")


if __name__ == "__main__":
    main(sys.argv[1])
