"""Play learner turns through the engine and collect what scoring needs.

Used for graded transcripts (moves given) and to rebuild a session whose engine
states are missing; live sessions use the states stored in the tracker.
"""

from __future__ import annotations

import copy
from typing import List, Sequence, Tuple

from bot.assessment.analysis import analyse
from bot.assessment.rules import TurnRecord
from bot.engine import desk, simulation
from bot.engine.library import Library
from bot.engine.state import Move, SimulationState


def replay(
    library: Library, scenario_id: str, turns: Sequence[Tuple[str, str]], seed: int = 0, mode: str = "training"
) -> Tuple[List[TurnRecord], SimulationState]:
    state = simulation.start(library, scenario_id, seed=seed, mode=mode)
    records: List[TurnRecord] = []
    n = 0
    for intent, text in turns:
        n += 1
        before = copy.deepcopy(state.to_dict())
        reply = simulation.step(library, state, Move(intent, text))
        records.append(TurnRecord(n, text, intent, analyse(text), before, copy.deepcopy(state.to_dict())))
        n += len(reply.utterances)
    if desk.is_task(library, state):
        desk.finish(library, state)
    else:
        simulation.finish(state)
    return records, state
