"""The scenarios added for a year of practice (issue 16), end to end over REST: a good run won, a poor run lost."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.e2e.test_negotiation import play, play_poor

pytestmark = pytest.mark.e2e
SCRIPT_DIR = Path(__file__).parent / "scripts_new"
SCRIPTS = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(SCRIPT_DIR.glob("*.yml"))}


@pytest.mark.parametrize("scenario_id", sorted(SCRIPTS))
def test_good_run_is_won(rasa_stack, scenario_id):
    sender = f"new-good-{scenario_id}"
    transcript = play(rasa_stack, sender, scenario_id, SCRIPTS[scenario_id])
    state = rasa_stack.state(sender)
    last = [(t, [m["custom"]["text"][:100] for m in r]) for t, r in transcript[-4:]]
    assert state["outcome"] == "won", last
    assert state["change"] == "adapted"
    debrief = rasa_stack.send(sender, "/request_debrief")[0]["custom"]["text"]
    assert "Affaire conclue" in debrief


@pytest.mark.parametrize("scenario_id", sorted(SCRIPTS))
def test_poor_run_is_lost(rasa_stack, scenario_id):
    sender = f"new-poor-{scenario_id}"
    assert play_poor(rasa_stack, sender, scenario_id, SCRIPTS[scenario_id]["poor"]) == "lost"
