"""A strong learner who answers every objection before it comes wins without hearing one (issue 11).

The scripts of ``scripts_preempt/`` put the answers in the proposal and in arguments before the price,
and give a price within the budget. Played over REST against the real stack (e2e) and, with the same
trained NLU, in this process (model): won, no objection raised, the change of parameters met anyway.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import yaml

from tests.e2e.test_negotiation import play

ROOT = Path(__file__).resolve().parents[2]
SCRIPT_DIR = Path(__file__).parent / "scripts_preempt"
SCRIPTS = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(SCRIPT_DIR.glob("*.yml"))}
RAISED = ("pending", "resolved", "conceded")


def _raised(objections: dict, script: dict) -> list:
    return [o for o in script["never_raised"] if objections.get(o) in RAISED]


@pytest.mark.e2e
@pytest.mark.parametrize("scenario_id", sorted(SCRIPTS))
def test_a_learner_who_preempts_every_objection_wins_over_rest(rasa_stack, scenario_id):
    sender = f"preempt-{scenario_id}"
    transcript = play(rasa_stack, sender, scenario_id, SCRIPTS[scenario_id])
    state = rasa_stack.state(sender)
    last = [(t, [m["custom"]["text"][:100] for m in r]) for t, r in transcript[-4:]]
    assert state["outcome"] == "won", last
    assert not _raised(state["objections"], SCRIPTS[scenario_id])
    assert state["change"] == "adapted"


@pytest.fixture(scope="module")
def player_module():
    spec = importlib.util.spec_from_file_location("play_script", ROOT / "scripts" / "play_script.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def classify():
    from bot.dialogue_eval import nlu_classifier

    model = ROOT / "models" / "negotiation.tar.gz"
    if not model.exists():
        pytest.skip("no trained model (make train)")
    return nlu_classifier(model)


@pytest.mark.model
@pytest.mark.parametrize("scenario_id", sorted(SCRIPTS))
def test_a_learner_who_preempts_every_objection_wins_in_process(library, player_module, classify, scenario_id):
    script = SCRIPTS[scenario_id]
    player = player_module.Player(library, scenario_id, classify, f"preempt-{scenario_id}")
    player_module.play_good(player, script)
    state = player.state
    raised = [e for _, _, lines in player.log for e in lines if "objection_raised" in e]
    assert state.outcome == "won", state.outcome_reason
    assert not _raised(state.objections, script), raised
    assert state.change == "adapted"
    poor = player_module.Player(library, scenario_id, classify, f"preempt-poor-{scenario_id}")
    player_module.play_poor(poor, script)
    assert poor.state.outcome == "lost"
