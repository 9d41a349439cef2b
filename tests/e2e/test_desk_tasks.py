"""The C3 desk tasks end to end over REST (issue 16): a strong and a weak report per task.

The scripts are the graded reports of tests/transcripts/desk (their messages, in order). Through the
real Rasa server and action server: /start_scenario gives the task and the meeting record in the
manager's voice, every message is stored, the hand-in phrase hands the report in (the weak one gets the
manager's one follow-up), the debrief follows, and the session is scored on the C3 criteria.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.e2e
GRADED = Path(__file__).resolve().parents[1] / "transcripts" / "desk"
SCRIPTS = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(GRADED.glob("*.yml"))}


def scores(rasa_stack, sender):
    with sqlite3.connect(rasa_stack.db_path) as db:
        session_id, outcome, grade = db.execute(
            "SELECT id, outcome, grade_20 FROM sessions WHERE learner_id = ? ORDER BY started_at DESC", (sender,)
        ).fetchone()
        rows = db.execute("SELECT criterion_id, score FROM criterion_scores WHERE session_id = ?", (session_id,))
        return outcome, grade, {cid: score for cid, score in rows if score is not None}


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_a_report_is_written_handed_in_and_graded(rasa_stack, name):
    script = SCRIPTS[name]
    sender = f"desk-{name}"
    opening = rasa_stack.send(sender, f'/start_scenario{{"scenario_id": "{script["scenario"]}"}}')
    speakers = [m["custom"]["speaker"] for m in opening]
    assert speakers[:3] == ["coach", "client", "coach"], opening
    assert "Tâche de rédaction" in opening[0]["custom"]["text"]
    assert opening[1]["custom"]["name"].startswith(("Mme", "M."))  # the manager who asked for the report
    replies = []
    for _, text in script["turns"]:
        replies.append(rasa_stack.send(sender, text))
    last = replies[-1]
    debrief = next(m["custom"]["text"] for m in last if m["custom"].get("kind") == "debrief")
    assert "Bilan" in debrief and "C3.1-a" in debrief and "C1.2.1-a" not in debrief
    state = rasa_stack.state(sender)
    assert ("desk_follow_up" in state["flags"]) == (script["quality"] == "weak")  # the manager asked once
    assert state["ended"] and state["outcome"] == script["expected_outcome"]
    assert rasa_stack.user_texts(sender)[1:] == [text for _, text in script["turns"]]  # every message stored
    outcome, grade, got = scores(rasa_stack, sender)
    assert outcome == script["expected_outcome"] and set(got) == set(script["expected"])
    assert (grade >= 15) if script["quality"] == "strong" else (grade < 10), grade
    if script["quality"] == "weak":
        assert "le bon chiffre est" in debrief  # the wrong amount, named with the right one


def test_the_end_command_closes_a_task_and_a_long_message_naming_the_report_does_not(rasa_stack):
    sender = "desk-end-command"
    rasa_stack.send(sender, '/start_scenario{"scenario_id": "cr-visite-ehpad"}')
    part = "Compte rendu de visite : je termine par les prochaines étapes, la fin des travaux est prévue en septembre."
    rasa_stack.send(sender, part)
    assert not rasa_stack.state(sender)["ended"] and rasa_stack.state(sender)["written"] == [part]
    reply = rasa_stack.send(sender, "/request_debrief")
    assert any(m["custom"].get("kind") == "debrief" for m in reply)
    assert rasa_stack.state(sender)["outcome"] == "lost"
