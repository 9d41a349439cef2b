"""Whole conversations played through the engine (moves given, no Rasa model): the outcome is earned.

The held-out conversations (tests/dialogue/heldout*/conversations) were written by examiners on
scenarios the dialogue core was never tuned on; the graded transcripts (tests/transcripts) on the
built-in ones. A learner who pre-empts an objection must never hear it; facts the learner states
first count as known without the client revealing them (issue 11, « Done when »).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.assessment.replay import replay
from bot.engine.library import load_library

TESTS = Path(__file__).resolve().parents[1]
HELDOUT = sorted((TESTS / "dialogue").glob("heldout*"))
FILES = sorted(p for d in HELDOUT for p in (d / "conversations").glob("*.yml")) + sorted(
    p for p in (TESTS / "transcripts").glob("*.yml") if "expected_outcome" in p.read_text(encoding="utf-8")
)
RAISED = ("pending", "resolved", "conceded")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def heldout_library():
    return load_library(extra_scenario_dirs=[d / "scenarios" for d in HELDOUT])


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_the_conversation_reaches_its_outcome(heldout_library, path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    turns = [(str(intent), str(text)) for intent, text in data["turns"]]
    _, state = replay(heldout_library, data["scenario"], turns)
    assert state.outcome == data["expected_outcome"], state.outcome_reason
    raised = [o for o in data.get("never_raised") or [] if state.objections.get(o) in RAISED]
    assert not raised, f"objections pre-empted by the learner and raised anyway: {raised}"
    unknown = [f for f in data.get("learner_first") or [] if f not in state.established and f not in state.revealed]
    assert not unknown, f"facts the learner stated that the client ignored: {unknown}"
