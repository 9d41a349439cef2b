"""Issue 14 « done when »: export and erasure of a learner end to end on PostgreSQL, tracker store included.

A real uvicorn web app on ``TEST_DATABASE_URL``; Rasa's own SQL tracker store (the
project's ``UrlSQLTrackerStore``) writes the conversation rows of the learner, of the
Telegram account the learner linked, and of another learner. After the admin's erasure,
a query over every table of the database finds nothing of the learner.
"""

from __future__ import annotations

import json
import os

import pytest
from sqlalchemy import text

from bot import devstack
from bot.storage import db
from bot.storage.models import ChannelLink, Learner
from tests.unit.test_learner_data import everything, tracker_events
from tests.web.conftest import CSRF_RE, PASSWORD, start_web

pytestmark = [pytest.mark.security, pytest.mark.postgres]
POSTGRES = os.environ.get("TEST_DATABASE_URL")


def _clean(url: str) -> None:
    with db.get_engine(url).begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS events"))
    db.downgrade(url, "base")


@pytest.fixture()
def app(tmp_path):
    if not POSTGRES:
        if os.environ.get("CI"):
            pytest.fail("TEST_DATABASE_URL must be set in CI: the PostgreSQL tests must run")
        pytest.skip("TEST_DATABASE_URL not set")
    _clean(POSTGRES)
    journal = tmp_path / "unsaved.jsonl"
    journal.write_text(json.dumps({"sender": "alice.dupont", "text": "perdu", "timestamp": 1.0}) + "\n", "utf-8")
    web = start_web(tmp_path, db_url=POSTGRES, UNSAVED_MESSAGES_FILE=str(journal))
    with web.db() as s:
        s.add(Learner(id="tg:77", display_name="Alice (Telegram)"))
        s.add(ChannelLink(channel="telegram", external_id="77", learner_id="alice.dupont"))
        s.commit()
    tracker_events(POSTGRES, {"alice.dupont": [3, 1], "tg:77": [2], "bob.leroy": [1]})
    yield web, journal
    devstack.stop({"web": web.process})
    _clean(POSTGRES)


def login(web, username: str):
    http = web.session()
    token = CSRF_RE.search(http.get(web.url + "/connexion").text).group(1)
    data = {"username": username, "password": PASSWORD, "csrf_token": token}
    assert http.post(web.url + "/connexion", data=data, allow_redirects=False).status_code == 303
    return http


def test_export_then_erasure_leaves_nothing_on_postgresql(app):
    web, journal = app
    exported = login(web, "prof.martin").get(web.url + "/enseignant/eleves/alice.dupont/donnees.json")
    assert exported.status_code == 200
    tables = exported.json()["tables"]
    assert {e["sender_id"] for e in tables["events"]} == {"alice.dupont", "tg:77"}
    assert len(tables["events"]) == 6 and tables["unsaved_messages"][0]["text"] == "perdu"
    assert [s["id"] for s in tables["sessions"]] == [web.ids["session"]] and tables["channel_links"]
    assert "alice" in everything(web.db_url)

    admin = login(web, "admin")
    page = admin.get(web.url + "/admin/eleves/alice.dupont/effacer").text
    token = CSRF_RE.search(page).group(1)
    done = admin.post(
        web.url + "/admin/eleves/alice.dupont/effacer",
        data={"confirmation": "alice.dupont", "csrf_token": token},
        allow_redirects=False,
    )
    assert done.status_code == 303

    dump = everything(web.db_url)
    for trace in ("alice", "Alice", "tg:77", web.ids["session"]):
        assert trace not in dump, f"{trace!r} left in PostgreSQL"
    assert "bonjour de bob.leroy" in dump and "bob.leroy" in dump  # the others are untouched
    assert journal.read_text(encoding="utf-8") == ""
    with db.get_engine(web.db_url).connect() as conn:
        senders = {row[0] for row in conn.execute(text("SELECT DISTINCT sender_id FROM events"))}
    assert senders == {"bob.leroy"}
