"""Faults: processes killed or restarted, database unreachable. Nothing the Rasa server
stored is lost, and the learner is never left in silence.

One stack of its own on a throw-away PostgreSQL database (``TEST_DATABASE_URL``), each
process reaching it through its own TCP proxy that a test can cut (as if PostgreSQL had
stopped) and restore. Each test restores what it broke.
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from sqlalchemy.engine import make_url

from bot import cli
from tests.e2e.faults import CuttableProxy, FaultStack, ThrowAwayDatabase, postgres_url

pytestmark = [pytest.mark.e2e, pytest.mark.faults]

START = '/start_scenario{"scenario_id": "air-plasturgie"}'
OPENING = ["Bonjour Monsieur Garnier.", "Je suis Léa Martin, technico-commerciale chez AirTech Industrie."]
DISCOVERY = [
    "Comment se passe la production d'air comprimé aujourd'hui ?",
    "Quels problèmes rencontrez-vous avec vos compresseurs actuels ?",
    "Qu'attendez-vous d'une nouvelle installation ?",
    "Qui d'autre participe à la décision ?",
]


def speakers(reply):
    return [m["custom"]["speaker"] for m in reply]


def kinds(reply):
    return [m["custom"]["kind"] for m in reply]


def report(message: str) -> None:
    print(f"\n[faults] {message}", file=sys.stderr)


@pytest.fixture(scope="module")
def pg():
    db = ThrowAwayDatabase(postgres_url(), prefix="nego_faults").create()
    try:
        yield db
    finally:
        db.drop()


@pytest.fixture(scope="module")
def proxies():
    if not cli.MODEL.exists():
        pytest.fail("no trained model: run `make train` (make test does it)")
    target = make_url(postgres_url())
    made = {name: CuttableProxy(target.host or "127.0.0.1", target.port or 5432) for name in ("rasa", "actions")}
    yield made
    for proxy in made.values():
        proxy.close()


@pytest.fixture(scope="module")
def stack(pg, proxies, tmp_path_factory):
    stack = FaultStack(
        tmp_path_factory.mktemp("faults"),
        rasa_db_url=pg.via(proxies["rasa"].port),
        action_db_url=pg.via(proxies["actions"].port),
        direct_db_url=str(pg.url),
    )
    stack.start_all()
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture(autouse=True)
def restored(proxies, stack):
    """Whatever a test cut or killed is back for the next one."""
    yield
    for proxy in proxies.values():
        proxy.restore()
    for name in ("action-server", "rasa"):
        if stack.procs[name].poll() is not None:
            stack.start(name)


def test_action_server_killed_mid_conversation(stack):
    sender = "fault-action-server"
    sent = [START] + OPENING
    for text in sent:
        stack.send(sender, text)
    turn = stack.state(sender)["turn"]
    stack.kill("action-server")
    during = DISCOVERY[:2]
    for text in during:
        reply = stack.send(sender, text)
        assert kinds(reply) == ["unavailable"]
        assert "Un instant" in reply[0]["custom"]["text"]
    seconds = stack.start("action-server")
    reply = stack.send(sender, DISCOVERY[2])
    assert "client" in speakers(reply) and "unavailable" not in kinds(reply)
    # the conversation goes on where it was: the engine state is the one before the kill
    assert stack.state(sender)["turn"] == turn + 1
    sent += during + [DISCOVERY[2]]
    assert stack.user_texts(sender) == sent
    # the next turn already brought the messages of the outage into the learner's record
    assert stack.learner_turns(sender) == sent
    report(f"action server killed: restart took {seconds:.1f} s, conversation resumed on the next message")


def test_rasa_server_restarted(stack):
    sender = "fault-rasa"
    sent = [START] + OPENING + DISCOVERY[:1]
    for text in sent:
        stack.send(sender, text)
    state = stack.state(sender)
    stack.kill("rasa")  # SIGKILL: no clean shutdown
    seconds = stack.start("rasa")
    reply = stack.send(sender, DISCOVERY[1])
    assert "client" in speakers(reply) and "unavailable" not in kinds(reply)
    after = stack.state(sender)
    assert after["turn"] == state["turn"] + 1 and after["scenario_id"] == state["scenario_id"]
    assert set(state["revealed"]) <= set(after["revealed"])
    sent.append(DISCOVERY[1])
    assert stack.user_texts(sender) == sent
    assert stack.learner_turns(sender) == sent
    report(f"Rasa server killed: restart took {seconds:.1f} s, the tracker store resumed the conversation")


def test_project_tables_unreachable(stack, proxies):
    """The action server cannot write the learner's record: the learner is told, plays on,
    and the next turn once the database is back records everything."""
    sender = "fault-tables"
    sent = [START] + OPENING[:1]
    for text in sent:
        stack.send(sender, text)
    proxies["actions"].cut()
    during = OPENING[1:] + DISCOVERY[:1]
    for text in during:
        t0 = time.monotonic()
        reply = stack.send(sender, text)
        assert "client" in speakers(reply), reply
        assert "storage" in kinds(reply)
        warning = next(m for m in reply if m["custom"]["kind"] == "storage")["custom"]["text"]
        assert "n'a pas pu être enregistrée" in warning
        assert time.monotonic() - t0 < 30
    proxies["actions"].restore()
    t0 = time.monotonic()
    reply = stack.send(sender, DISCOVERY[1])
    recovery = time.monotonic() - t0
    assert "storage" not in kinds(reply)
    sent += during + [DISCOVERY[1]]
    assert stack.learner_turns(sender) == sent
    report(f"project tables cut: the turn after the restore ({recovery:.2f} s) recorded every missing turn")


def test_database_down(stack, proxies):
    """PostgreSQL is down for both processes. Rasa cannot read or write the conversation:
    the learner is asked to send the message again (and it is journaled); once the database
    is back the conversation goes on and ``rebuild`` finds every stored learner turn."""
    sender = "fault-database"
    sent = [START] + OPENING
    for text in sent:
        stack.send(sender, text)
    turn = stack.state(sender)["turn"]
    for proxy in proxies.values():
        proxy.cut()
    lost = DISCOVERY[:2]
    for text in lost:
        t0 = time.monotonic()
        reply = stack.send(sender, text)
        elapsed = time.monotonic() - t0
        assert kinds(reply) == ["unavailable"], reply
        said = reply[0]["custom"]["text"]
        assert "n'a pas pu être enregistré" in said and "Renvoyez-le" in said
        assert elapsed < 30
    assert stack.alive()
    journal = [e for e in stack.unsaved() if e["sender"] == sender]
    assert [e["text"] for e in journal] == lost
    for proxy in proxies.values():
        proxy.restore()
    t0 = time.monotonic()
    reply = stack.send(sender, lost[0])  # the learner sends it again
    recovery = time.monotonic() - t0
    assert "client" in speakers(reply) and "unavailable" not in kinds(reply), reply
    assert stack.state(sender)["turn"] == turn + 1  # the conversation resumes where it was
    for text in lost[1:] + DISCOVERY[2:] + ["/request_debrief"]:
        reply = stack.send(sender, text)
        assert "unavailable" not in kinds(reply)
    assert kinds(reply) == ["debrief"]
    sent += lost + DISCOVERY[2:] + ["/request_debrief"]
    assert stack.user_texts(sender) == sent
    # rebuild from the tracker store (what an admin runs after an outage)
    env = dict(cli.environment(), DATABASE_URL=stack.direct_db_url)
    out = subprocess.run(
        [sys.executable, "-m", "bot.cli", "rebuild", "--learner", sender],
        cwd=cli.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert stack.learner_turns(sender) == sent
    assert stack.scored_sessions(sender) == 1
    report(
        f"database down: answered in {elapsed:.2f} s during the outage; first answer after restore in {recovery:.2f} s"
    )


def test_nothing_lost_overall(stack):
    """After all the faults, the learner's record holds exactly the learner messages of the tracker store."""
    for sender in ("fault-action-server", "fault-rasa", "fault-tables", "fault-database"):
        assert stack.learner_turns(sender) == stack.user_texts(sender), sender
