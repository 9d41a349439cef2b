"""The registry of learner data, export, erasure and the retention purge, on SQLite and PostgreSQL.

Real databases (``TEST_DATABASE_URL`` for PostgreSQL) and Rasa's own SQL tracker store
(``UrlSQLTrackerStore``) writing the ``events`` rows that the erasure must remove.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import MetaData, inspect, select, text

from bot.config import get_settings
from bot.storage import accounts, db
from bot.storage.audit import record_event
from bot.storage.erasure import erase_learner, pseudonym, purge
from bot.storage.learner_data import BY_NAME, NOT_LEARNER_DATA, REGISTRY, export_learner
from bot.storage.lti_models import LtiAccount, LtiActivity, LtiAttempt, LtiGrade, LtiPlatform
from bot.storage.models import (
    AuditEvent,
    Base,
    ChannelLink,
    CriterionScore,
    Evidence,
    Learner,
    LinkCode,
    ModelRelease,
    MoveCorrection,
    PreparationSheetRow,
    ScoreOverride,
    SelfAssessment,
    SimSession,
    Turn,
    User,
    WebSession,
    WidgetLink,
)
from tests.unit.test_storage import url  # noqa: F401 - the SQLite + PostgreSQL database fixture

NOW = datetime(2026, 12, 1, 12, 0)
PASSWORD = "motdepasse-solide"


def unregistered(metadata: MetaData) -> list:
    """Foreign keys to a learner's table that neither the registry nor NOT_LEARNER_DATA explains."""
    registered = {(entry.table, entry.column) for entry in REGISTRY}
    out = []
    for t in metadata.tables.values():
        for fk in t.foreign_keys:
            if fk.column.table.name in BY_NAME:
                key = (t.name, fk.parent.name)
                if key not in registered and key not in NOT_LEARNER_DATA:
                    out.append(key)
    return out


def test_every_learner_foreign_key_is_in_the_registry():
    assert unregistered(Base.metadata) == []
    for entry in REGISTRY:
        assert entry.table in Base.metadata.tables and entry.column in Base.metadata.tables[entry.table].c
        assert not entry.via or entry.via in BY_NAME


def test_a_new_table_about_learners_is_caught():
    """The check above fails for a table added without updating the registry."""
    import sqlalchemy as sa

    metadata = MetaData()
    for t in Base.metadata.tables.values():
        t.to_metadata(metadata)
    sa.Table("notes", metadata, sa.Column("id", sa.Integer, primary_key=True), sa.Column("session_id", sa.String(64), sa.ForeignKey("sessions.id")))  # fmt: skip
    assert unregistered(metadata) == [("notes", "session_id")]


def _session(s, sid: str, learner_id: str, started: datetime) -> SimSession:
    session = SimSession(id=sid, learner_id=learner_id, scenario_id="air-plasturgie", started_at=started, outcome="won", grade_20=11.0)  # fmt: skip
    s.add(session)
    s.flush()
    turn = Turn(session_id=sid, n=1, event_key=f"{sid}-1", speaker="learner", text=f"Bonjour, je suis {learner_id}", intent="greet", at=started)  # fmt: skip
    s.add(turn)
    s.add(CriterionScore(session_id=sid, criterion_id="C1.2.1-a", score=2, level="S", evidence_turns=[{"turn": 1, "text": "Bonjour"}]))  # fmt: skip
    s.add(Evidence(session_id=sid, turn_n=1, criterion_id="C1.2.1-a", finding="salutation"))
    s.flush()
    return session


def seed(db_url: str) -> dict:
    """Alice (web account, linked Telegram guest tg:42, everything filled in) and Bob (kept)."""
    with db.session_factory(db_url)() as s:
        teacher = accounts.create_user(s, "prof.martin", PASSWORD, "teacher", display_name="Mme Martin")
        group = accounts.create_group(s, "NDRC 1 A", teacher)
        alice = accounts.create_user(s, "alice.dupont", PASSWORD, "student", display_name="Alice Dupont", group=group)
        accounts.create_user(s, "bob.leroy", PASSWORD, "student", display_name="Bob Leroy", group=group)
        s.add(Learner(id="tg:42", display_name="Alice D. (Telegram)", created_at=NOW - timedelta(days=30)))
        s.add(ChannelLink(channel="telegram", external_id="42", learner_id="alice.dupont"))
        s.add(LinkCode(code="ABCD2345", learner_id="alice.dupont", expires_at=NOW))
        s.add(WebSession(id_hash="a" * 64, user_id=alice.id, data={"uid": alice.id}, created_at=NOW, last_seen_at=NOW))
        s.add(WidgetLink(id="b" * 16, user_id=alice.id, teacher_id=teacher.id, created_at=NOW))
        recent = _session(s, "s-alice-recent", "alice.dupont", NOW - timedelta(days=3))
        _session(s, "s-alice-old", "alice.dupont", NOW - timedelta(days=400))
        _session(s, "s-guest", "tg:42", NOW - timedelta(days=20))
        _session(s, "s-bob", "bob.leroy", NOW - timedelta(days=2))
        s.add(ScoreOverride(session_id=recent.id, criterion_id="C1.2.1-a", score=3, level="TS", comment="Très bien Alice", teacher_id=teacher.id))  # fmt: skip
        s.add(MoveCorrection(turn_id=recent.turns[0].id, intent="greet", teacher_id=teacher.id))
        s.add(SelfAssessment(session_id=recent.id, block="decouverte", score=2))
        s.add(ModelRelease(scenario_id=recent.scenario_id, session_id=recent.id, teacher_id=teacher.id))
        platform = LtiPlatform(issuer="https://moodle.lycee.fr", client_id="c1", deployment_ids=["1"], auth_login_url="https://moodle.lycee.fr/auth", auth_token_url="https://moodle.lycee.fr/token", key_set_url="https://moodle.lycee.fr/jwks")  # fmt: skip
        s.add(platform)
        s.flush()
        activity = LtiActivity(platform_id=platform.id, resource_link_id="rl-1", scenario_id="air-plasturgie")
        s.add(activity)
        s.flush()
        s.add(LtiAccount(platform_id=platform.id, subject="moodle-7", user_id=alice.id))
        s.add(LtiAttempt(activity_id=activity.id, learner_id="alice.dupont", subject="moodle-7"))
        s.add(LtiGrade(session_id=recent.id, activity_id=activity.id, grade_20=11.0))
        s.add(PreparationSheetRow(learner_id="alice.dupont", scenario_id="air-plasturgie", session_id=recent.id, content={"objectives": {"optimal": "Signer à 39 000 €"}}, submitted_at=NOW - timedelta(days=3)))  # fmt: skip
        record_event(s, "view_learner", actor=teacher, learner_id="alice.dupont", target="learner alice.dupont")
        record_event(s, "login_failed", actor_name="Alice.Dupont", ip="10.0.0.7")
        record_event(s, "export_json", actor=alice, learner_id="alice.dupont", target="données de alice.dupont")
        record_event(s, "view_learner", actor=teacher, learner_id="bob.leroy", target="learner bob.leroy")
        s.commit()
        return {"teacher": teacher.id}


def tracker_events(db_url: str, senders) -> None:
    """Conversations saved by Rasa's own SQL tracker store (the project's UrlSQLTrackerStore)."""
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.storage.tracker_store import UrlSQLTrackerStore

    store = UrlSQLTrackerStore(host=db_url)
    for sender, ages in senders.items():
        events = []
        for days in ages:  # oldest first: a conversation carried on over time
            stamp = (NOW - timedelta(days=days) - datetime(1970, 1, 1)).total_seconds()
            events += [ActionExecuted("action_listen", timestamp=stamp), UserUttered(f"bonjour de {sender}", timestamp=stamp)]  # fmt: skip
        asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))
    store.engine.dispose()


@pytest.fixture
def world(url, tmp_path):  # noqa: F811 - the imported fixture
    seed(url)
    tracker_events(url, {"alice.dupont": [500, 3], "tg:42": [20], "bob.leroy": [2]})
    journal = tmp_path / "unsaved.jsonl"
    old, recent = (NOW - timedelta(days=500) - datetime(1970, 1, 1)).total_seconds(), (NOW - datetime(1970, 1, 1)).total_seconds()  # fmt: skip
    lines = [{"sender": "alice.dupont", "text": "perdu", "timestamp": recent}, {"sender": "bob.leroy", "text": "perdu aussi", "timestamp": recent}, {"sender": "bob.leroy", "text": "ancien", "timestamp": old}]  # fmt: skip
    journal.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    yield url, journal
    engine = db.get_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS events"))


def everything(db_url: str) -> str:
    """Every value of every table of the database, as one text (the « nothing remains » query)."""
    engine = db.get_engine(db_url)
    metadata = MetaData()
    metadata.reflect(bind=engine)
    with engine.connect() as conn:
        return "\n".join(
            " | ".join(str(v) for v in row) for t in metadata.tables.values() for row in conn.execute(select(t))
        )


def test_export_holds_every_table_the_tracker_and_the_journal(world):
    db_url, journal = world
    with db.session_factory(db_url)() as s:
        data = export_learner(s, "alice.dupont", journal=journal)
    tables = data["tables"]
    assert data["sender_ids"] == ["alice.dupont", "tg:42"]
    for entry in REGISTRY:
        if entry.table != "api_tokens":  # a student has none
            assert tables[entry.table], f"{entry.table} missing from the export"
    assert {row["id"] for row in tables["sessions"]} == {"s-alice-recent", "s-alice-old", "s-guest"}
    assert {row["sender_id"] for row in tables["events"]} == {"alice.dupont", "tg:42"}
    assert any(e["data"].get("text") == "bonjour de tg:42" for e in tables["events"] if isinstance(e["data"], dict))
    assert [line["text"] for line in tables["unsaved_messages"]] == ["perdu"]
    dumped = json.dumps(data, default=str)
    assert "bob.leroy" not in dumped and "argon2" not in dumped  # no one else, no password hash
    assert tables["users"][0]["username"] == "alice.dupont" and "password_hash" not in tables["users"][0]


def test_erasure_leaves_nothing_of_the_learner(world):
    db_url, journal = world
    with db.session_factory(db_url)() as s:
        counts = erase_learner(s, "alice.dupont", journal=journal)
        s.commit()
    assert counts["sessions"] == 3 and counts["events"] >= 6 and counts["unsaved_messages"] == 1
    dump = everything(db_url).lower()
    for trace in ("alice", "tg:42", "s-alice", "s-guest", "10.0.0.7 | alice"):
        assert trace not in dump, f"{trace!r} still in the database"
    assert "alice" not in journal.read_text(encoding="utf-8")
    with db.session_factory(db_url)() as s:
        assert s.get(Learner, "bob.leroy") is not None and s.get(SimSession, "s-bob").turns
        assert s.scalar(select(User).where(User.username == "bob.leroy")) is not None
        audit = s.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [e.learner_id for e in audit] == [
            pseudonym("alice.dupont"),
            None,
            pseudonym("alice.dupont"),
            "bob.leroy",
        ]
        assert audit[1].actor == pseudonym("alice.dupont") and audit[2].actor_id is None
    assert inspect(db.get_engine(db_url)).has_table("events")
    assert "bonjour de bob.leroy" in dump


def test_purge_applies_the_retention_limit(world):
    db_url, journal = world
    with db.session_factory(db_url)() as s:
        # Bob's account and sessions are recent; Alice has a 400-day-old session; a stale learner:
        s.add(Learner(id="ancien.eleve", display_name="Ancien", created_at=NOW - timedelta(days=800)))
        _session(s, "s-ancien", "ancien.eleve", NOW - timedelta(days=700))
        s.commit()
        dry = purge(s, 365, now=NOW, journal=journal, dry_run=True)
        s.rollback()
        assert dry.learners == ["ancien.eleve"] and set(dry.sessions) == {"s-alice-old", "s-ancien"}
        assert s.get(SimSession, "s-ancien") is not None  # a dry run deletes nothing
        report = purge(s, 365, now=NOW, journal=journal)
        s.commit()
        assert "Élèves effacés : 1" in report.summary()
        assert s.get(Learner, "ancien.eleve") is None and s.get(SimSession, "s-alice-old") is None
        assert s.scalar(select(Turn).where(Turn.session_id == "s-alice-old")) is None
        assert s.get(SimSession, "s-alice-recent") is not None and s.get(SimSession, "s-guest") is not None
        assert s.get(Learner, "alice.dupont") is not None
        stamps = [row[0] for row in s.execute(text("SELECT timestamp FROM events"))]
    assert len(stamps) == 6  # of 8: Alice's two events of 500 days ago are gone
    cutoff = (NOW - timedelta(days=365) - datetime(1970, 1, 1)).total_seconds()
    assert stamps and min(stamps) >= cutoff  # the 500-day-old conversation events are gone
    assert [json.loads(line)["text"] for line in journal.read_text(encoding="utf-8").splitlines()] == ["perdu", "perdu aussi"]  # fmt: skip


def test_purge_command(tmp_path, monkeypatch, capsys):
    from bot import cli

    db_url = f"sqlite:///{tmp_path / 'purge.db'}"
    db.upgrade(db_url)
    with db.session_factory(db_url)() as s:
        s.add(Learner(id="tres.ancien", display_name="Très ancien", created_at=datetime.utcnow() - timedelta(days=90)))
        s.commit()
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("UNSAVED_MESSAGES_FILE", str(tmp_path / "journal.jsonl"))
    monkeypatch.setenv("RETENTION_DAYS", "60")
    get_settings.cache_clear()
    assert cli.main(["purge", "--dry-run"]) == 0
    assert "Élèves effacés : 1" in capsys.readouterr().out
    assert cli.main(["purge", "--days", "0"]) == 2
    assert "au moins 1 jour" in capsys.readouterr().err
    assert cli.main(["purge"]) == 0
    with db.session_factory(db_url)() as s:
        assert s.get(Learner, "tres.ancien") is None
        event = s.scalar(select(AuditEvent).where(AuditEvent.action == "purge"))
        assert event is not None and event.target == "60 jours"
