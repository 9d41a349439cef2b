"""Nothing is lost: the action server dies mid-conversation, the learner keeps writing."""

from __future__ import annotations

import subprocess

import pytest
from sqlalchemy import select

from bot import cli
from bot.storage import db
from bot.storage.models import CriterionScore, SimSession, Turn
from bot.storage.rebuild import rebuild
from tests.e2e.conftest import RestClient, free_port

pytestmark = pytest.mark.e2e


def test_action_server_killed_then_rebuild(tmp_path):
    db_path = tmp_path / "noloss.db"
    env = cli.environment()
    env.update(RASA_PORT=str(free_port()), ACTION_PORT=str(free_port()), DATABASE_URL=f"sqlite:///{db_path}")
    env["ACTION_ENDPOINT_URL"] = f"http://127.0.0.1:{env['ACTION_PORT']}/webhook"
    procs = cli.start_servers(env, log_dir=tmp_path)
    client = RestClient(int(env["RASA_PORT"]), db_path)
    sender = "noloss-learner"
    sent = ['/start_scenario{"scenario_id": "air-plasturgie"}', "Bonjour Monsieur Garnier",
            "Je suis Léa Martin, technico-commerciale chez AirTech Industrie."]  # fmt: skip
    try:
        for text in sent:
            client.send(sender, text)
        # the action server dies
        procs["action-server"].kill()
        procs["action-server"].wait(timeout=10)
        during = ["Comment se passe la production d'air comprimé aujourd'hui ?", "Et quels problèmes avez-vous eus ?"]
        for text in during:
            reply = client.send(sender, text)
            assert reply and reply[0]["custom"]["kind"] == "unavailable"
            assert "Un instant" in reply[0]["custom"]["text"]
        sent += during
        # it comes back: the conversation goes on where it was
        cmd = cli.server_commands(env)["action-server"]
        log = open(tmp_path / "action-server-2.log", "ab")  # noqa: SIM115
        procs["action-server"] = subprocess.Popen(cmd, cwd=cli.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        cli.wait_for(f"http://127.0.0.1:{env['ACTION_PORT']}/health", process=procs["action-server"])
        after = ["Qu'attendez-vous d'une nouvelle installation ?", "/request_debrief"]
        for text in after:
            reply = client.send(sender, text)
            assert reply[0]["custom"]["kind"] != "unavailable"
        sent += after
        assert client.state(sender)["ended"]
    finally:
        cli.stop(procs)
    counts = rebuild(f"sqlite:///{db_path}", senders=[sender])
    assert counts["sessions"] == 1
    with db.session_factory(f"sqlite:///{db_path}")() as s:
        session = s.scalars(select(SimSession).where(SimSession.learner_id == sender)).one()
        learner_turns = s.scalars(
            select(Turn.text).where(Turn.session_id == session.id, Turn.speaker == "learner").order_by(Turn.n)
        ).all()
        assert learner_turns == sent
        assert session.grade_20 is not None and session.outcome == "lost"
        assert len(s.scalars(select(CriterionScore).where(CriterionScore.session_id == session.id)).all()) == 19
