"""The customer-relationship scenarios (C2) end to end: a good run won, a poor run lost."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.e2e.test_negotiation import play, play_poor

pytestmark = pytest.mark.e2e
SCRIPT_DIR = Path(__file__).parent / "scripts_c2"
SCRIPTS = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(SCRIPT_DIR.glob("*.yml"))}
C2_IDS = ["prospection-rdv", "reclamation-maintenance", "revue-compte"]


def test_the_three_relationship_scenarios_have_scripts():
    assert set(C2_IDS) <= set(SCRIPTS)


@pytest.mark.parametrize("scenario_id", C2_IDS)
def test_good_run_is_won_with_the_persona_switch(rasa_stack, library, scenario_id):
    sender = f"c2-good-{scenario_id}"
    transcript = play(rasa_stack, sender, scenario_id, SCRIPTS[scenario_id])
    state = rasa_stack.state(sender)
    last = [(t, [m["custom"]["text"][:100] for m in r]) for t, r in transcript[-4:]]
    assert state["outcome"] == "won", last
    scenario = library.scenario(scenario_id)
    names = {m["custom"]["name"] for _, r in transcript for m in r if m["custom"]["speaker"] == "client"}
    assert len(names) >= 2, names  # a second interlocutor spoke, under their own name
    assert len(state["present_personas"]) >= 2
    debrief = rasa_stack.send(sender, "/request_debrief")[0]["custom"]["text"]
    assert "Affaire conclue" in debrief and "C2." in debrief
    for cid in scenario.na_criteria:
        assert f"{cid} " in debrief and ": na" in debrief
    # the results API shape (contract §6) carries the C2 scores with their evidence
    from bot.storage import db
    from bot.storage.results import learner_sessions, session_json

    with db.session_factory(f"sqlite:///{rasa_stack.db_path}")() as session:
        result = session_json(learner_sessions(session, sender)[0])
    assert result["outcome"] == "won" and result["grade_20"] is not None
    c2 = {cid: c for cid, c in result["criteria"].items() if cid.startswith("C2.")}
    assert c2 and any(c["score"] and c["evidence"] for c in c2.values()), c2
    for cid in scenario.na_criteria:
        assert result["criteria"][cid] == {"score": None, "level": "na", "evidence": []}


@pytest.mark.parametrize("scenario_id", C2_IDS)
def test_poor_run_is_lost(rasa_stack, scenario_id):
    sender = f"c2-poor-{scenario_id}"
    assert play_poor(rasa_stack, sender, scenario_id, SCRIPTS[scenario_id]["poor"]) == "lost"
