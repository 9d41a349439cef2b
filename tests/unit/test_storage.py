"""The learner's record on SQLite and on the real PostgreSQL of the machine."""

from __future__ import annotations

import os
import time
import uuid

import pytest
from sqlalchemy import func, inspect, select, text

from bot.assessment.rubric import CRITERION_IDS, default_rubric
from bot.storage import db
from bot.storage.models import CriterionScore, SimSession, Turn
from bot.storage.record import record

POSTGRES = os.environ.get("TEST_DATABASE_URL")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def url(request, tmp_path_factory):
    if request.param == "sqlite":
        value = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    else:
        if not POSTGRES:
            if os.environ.get("CI"):
                pytest.fail("TEST_DATABASE_URL must be set in CI: the PostgreSQL tests must run")
            pytest.skip("TEST_DATABASE_URL not set")
        value = POSTGRES
    db.downgrade(value, "base")
    db.upgrade(value)
    yield value
    db.downgrade(value, "base")


def _events(sender: str, scenario: str = "air-plasturgie"):
    """Tracker events as Rasa stores them: a start, three learner turns, the end."""
    from bot.engine import simulation
    from bot.engine.library import default_library
    from bot.engine.state import Move

    lib = default_library()
    state = simulation.start(lib, scenario, seed=1)
    t = time.time()
    events = [
        {"event": "user", "timestamp": t, "text": f'/start_scenario{{"scenario_id": "{scenario}"}}',
         "parse_data": {"intent": {"name": "start_scenario", "confidence": 1.0}, "entities": []}},
        {"event": "slot", "timestamp": t + 0.1, "name": "sim_state", "value": state.to_dict()},
        {"event": "bot", "timestamp": t + 0.2, "text": "Coach : Fiche", "metadata": {"speaker": "coach", "speaker_name": "Coach", "body": "Fiche", "kind": "briefing"}},
    ]  # fmt: skip
    moves = [("greet", "Bonjour Monsieur Garnier"), ("introduce_self", "Je suis Léa d'AirTech"),
             ("ask_open_question", "Comment se passe la production d'air comprimé aujourd'hui ?")]  # fmt: skip
    for i, (intent, text_) in enumerate(moves, 1):
        ts = t + i
        events.append({"event": "user", "timestamp": ts, "text": text_,
                       "parse_data": {"intent": {"name": intent, "confidence": 0.9}, "entities": []}})  # fmt: skip
        reply = simulation.step(lib, state, Move(intent, text_))
        events.append({"event": "slot", "timestamp": ts + 0.1, "name": "sim_state", "value": state.to_dict()})
        events.append({"event": "slot", "timestamp": ts + 0.1, "name": "phase", "value": state.phase})
        for j, u in enumerate(reply.utterances):
            events.append({"event": "bot", "timestamp": ts + 0.2 + j / 100, "text": f"{u.name} : {u.text}",
                           "metadata": {"speaker": u.speaker, "speaker_name": u.name, "body": u.text}})  # fmt: skip
    simulation.finish(state)
    events.append({"event": "slot", "timestamp": t + 10, "name": "sim_state", "value": state.to_dict()})
    return events


def test_migrations_create_and_drop_the_tables(url):
    engine = db.get_engine(url)
    tables = set(inspect(engine).get_table_names())
    assert {"groups", "learners", "sessions", "turns", "evidence", "criterion_scores"} <= tables
    db.downgrade(url, "base")
    assert "turns" not in set(inspect(db.get_engine(url)).get_table_names())
    db.upgrade(url)


def test_record_is_idempotent_and_scores_the_ended_session(url, library):
    sender = f"learner-{uuid.uuid4().hex[:8]}"
    events = _events(sender)
    with db.session_factory(url)() as s:
        record(s, library, sender, events)
        record(s, library, sender, events)  # the same events again: nothing duplicated
    with db.session_factory(url)() as s:
        session = s.scalars(select(SimSession).where(SimSession.learner_id == sender)).one()
        turns = s.scalars(select(Turn).where(Turn.session_id == session.id).order_by(Turn.n)).all()
        learner = [t.text for t in turns if t.speaker == "learner"]
        assert learner[1:] == ["Bonjour Monsieur Garnier", "Je suis Léa d'AirTech",
                               "Comment se passe la production d'air comprimé aujourd'hui ?"]  # fmt: skip
        assert [t.n for t in turns] == list(range(1, len(turns) + 1))
        assert {t.speaker for t in turns} == {"learner", "client", "coach"}
        assert session.outcome == "lost" and session.grade_20 is not None
        scores = s.scalars(select(CriterionScore).where(CriterionScore.session_id == session.id)).all()
        assert len(scores) == len([c for c in CRITERION_IDS if default_rubric().applies(c, "negotiation")])  # a sale's
        contact = next(c for c in scores if c.criterion_id == "C1.2.1-a")
        assert contact.score >= 1 and contact.evidence_turns
        closing = next(c for c in scores if c.criterion_id == "C1.2.3-a")
        assert closing.score == 0  # ended before the closing phase: 0, not na
        count = s.scalar(select(func.count()).select_from(Turn).where(Turn.session_id == session.id))
        assert count == len(turns)


def test_sqlite_default_url_is_under_var(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert db.database_url().endswith("/var/negociation.db")


@pytest.mark.postgres
def test_postgres_is_reachable_in_ci():
    if not POSTGRES:
        if os.environ.get("CI"):
            pytest.fail("TEST_DATABASE_URL must be set in CI")
        pytest.skip("TEST_DATABASE_URL not set")
    with db.get_engine(POSTGRES).connect() as conn:
        assert conn.execute(text("select 1")).scalar() == 1
