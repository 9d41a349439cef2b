"""Nothing is lost: the action server dies mid-conversation, the learner keeps writing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.storage import db
from bot.storage.models import CriterionScore, SimSession, Turn
from bot.storage.rebuild import rebuild

pytestmark = [pytest.mark.e2e, pytest.mark.faults]


def test_action_server_killed_then_rebuild(rasa_stack):
    """On the session's shared stack: runs last (``faults``) and brings the action server back."""
    client, stack = rasa_stack, rasa_stack.stack
    db_url = f"sqlite:///{client.db_path}"
    sender = "noloss-learner"
    sent = ['/start_scenario{"scenario_id": "air-plasturgie"}', "Bonjour Monsieur Garnier",
            "Je suis Léa Martin, technico-commerciale chez AirTech Industrie."]  # fmt: skip
    try:
        for text in sent:
            client.send(sender, text)
        # the action server dies
        stack.kill("action-server")
        during = ["Comment se passe la production d'air comprimé aujourd'hui ?", "Et quels problèmes avez-vous eus ?"]
        for text in during:
            reply = client.send(sender, text)
            assert reply and reply[0]["custom"]["kind"] == "unavailable"
            assert "Un instant" in reply[0]["custom"]["text"]
        sent += during
        # it comes back: the conversation goes on where it was
        stack.restart("action-server", timeout=600)
        after = ["Qu'attendez-vous d'une nouvelle installation ?", "/request_debrief"]
        for text in after:
            reply = client.send(sender, text)
            assert reply[0]["custom"]["kind"] != "unavailable"
        sent += after
        assert client.state(sender)["ended"]
    finally:
        if stack.procs["action-server"].poll() is not None:
            stack.restart("action-server", timeout=600)  # the next test finds the stack whole
    counts = rebuild(db_url, senders=[sender])
    assert counts["sessions"] == 1
    with db.session_factory(db_url)() as s:
        session = s.scalars(select(SimSession).where(SimSession.learner_id == sender)).one()
        learner_turns = s.scalars(
            select(Turn.text).where(Turn.session_id == session.id, Turn.speaker == "learner").order_by(Turn.n)
        ).all()
        assert learner_turns == sent
        assert session.grade_20 is not None and session.outcome == "lost"
        assert len(s.scalars(select(CriterionScore).where(CriterionScore.session_id == session.id)).all()) == 19
