"""The server-side session store on SQLite and PostgreSQL (the web tests cover the middleware)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import inspect

from bot.storage import accounts, db
from bot.storage.models import WebSession
from bot.storage.web_sessions import SessionStore, id_hash, revoke_user_sessions
from tests.unit.test_storage import url  # noqa: F401 - SQLite, and PostgreSQL with TEST_DATABASE_URL


def test_store_lifecycle(url):  # noqa: F811
    assert {"web_sessions", "widget_links"} <= set(inspect(db.get_engine(url)).get_table_names())
    factory = db.session_factory(url)
    with factory() as s:
        user = accounts.create_user(s, "prof.store", "motdepasse-solide", "teacher")
        s.commit()
        uid = user.id
    store = SessionStore(factory, key="k" * 32, idle_s=3600, max_age_s=7200)
    first, second = store.create({"uid": uid, "csrf": "x"}), store.create({"uid": uid})
    loaded = store.load(first)
    assert loaded.user_id == uid and loaded.data == {"uid": uid, "csrf": "x"}
    store.save(loaded, {"uid": uid, "csrf": "y"}, changed=True)
    assert store.load(first).data["csrf"] == "y"
    assert store.load("not-a-session") is None and store.load("x" * 500) is None
    with factory() as s:
        assert revoke_user_sessions(s, uid, keep_hash=id_hash(first, store.key)) == 1
        s.commit()
    assert store.load(second) is None and store.load(first) is not None
    with factory() as s:
        s.get(WebSession, id_hash(first, store.key)).created_at = datetime.utcnow() - timedelta(seconds=7201)
        s.commit()
    assert store.load(first) is None  # past the absolute lifetime: gone, and the row deleted
    with factory() as s:
        assert s.get(WebSession, id_hash(first, store.key)) is None
