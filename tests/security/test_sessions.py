"""Issue 14: web sessions live on the server; the cookie is a random id that can be revoked.

Before: Starlette's signed cookie held the session itself. Logging out cleared the
browser's copy only, so a copied cookie kept working for 8 hours, sliding for ever
with each request; nothing ended the other sessions of a user whose password changed.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot.storage import accounts
from bot.storage.models import User, WebSession
from bot.storage.web_sessions import id_hash
from bot.web.sessions import COOKIE_NAME
from tests.web.conftest import PASSWORD, web  # noqa: F401 - web: the app on a throw-away database

pytestmark = pytest.mark.security
KEY = "test-secret-key"  # SECRET_KEY of the web fixture: the table keeps HMACs of the ids with it


def cookie_of(http) -> str:
    return next(c.value for c in http.cookies.jar if c.name == COOKIE_NAME)


def copy_of(web, http):  # noqa: F811
    """Another browser holding a copy of ``http``'s session cookie (a stolen cookie)."""
    other = web.session()
    other.cookies.set(COOKIE_NAME, cookie_of(http))
    return other


def logged_in(web, http, path: str = "/enseignant") -> bool:  # noqa: F811
    resp = http.get(web.url + path, follow_redirects=False)
    assert resp.status_code in (200, 303), resp.status_code
    return resp.status_code == 200


def new_account(web, username: str, role: str = "teacher") -> None:  # noqa: F811
    with web.db() as s:
        accounts.create_user(s, username, PASSWORD, role, display_name=username)
        s.commit()


def test_the_cookie_is_a_random_id_of_a_server_side_session(web):  # noqa: F811
    http = web.login("prof.martin")
    value = cookie_of(http)
    assert 40 <= len(value) <= 64 and "." not in value  # no signed payload: nothing to decode
    with web.db() as s:
        row = s.get(WebSession, id_hash(value, KEY))
        assert row is not None and row.data["uid"] == s.scalar(select(User.id).where(User.username == "prof.martin"))
        assert s.get(WebSession, value) is None  # the table keeps a digest, not the cookie


def test_logout_revokes_a_copied_cookie(web):  # noqa: F811
    http = web.login("prof.martin")
    stolen = copy_of(web, http)
    assert logged_in(web, stolen)
    token = web.csrf(http, "/enseignant")
    http.post(web.url + "/deconnexion", data={"csrf_token": token}, follow_redirects=False)
    assert not logged_in(web, stolen)
    assert not logged_in(web, http)


def test_a_login_gets_a_new_session_id(web):  # noqa: F811
    """A cookie planted before the login (session fixation) is worth nothing after it."""
    http = web.session()
    token = web.csrf(http)
    before = cookie_of(http)
    http.post(web.url + "/connexion", data={"username": "prof.martin", "password": PASSWORD, "csrf_token": token})
    assert cookie_of(http) != before
    planted = web.session()
    planted.cookies.set(COOKIE_NAME, before)
    assert not logged_in(web, planted)


def _age_session(web, http, **delta) -> None:  # noqa: F811
    with web.db() as s:
        row = s.get(WebSession, id_hash(cookie_of(http), KEY))
        for column, seconds in delta.items():
            setattr(row, column, getattr(row, column) - timedelta(seconds=seconds))
        s.commit()


def test_an_idle_session_ends(web):  # noqa: F811
    http = web.login("prof.martin")
    _age_session(web, http, last_seen_at=2 * 3600 - 30)
    assert logged_in(web, http)  # used within the idle limit (2 h): still on
    _age_session(web, http, last_seen_at=2 * 3600 + 1)
    assert not logged_in(web, http)


def test_a_session_ends_after_its_absolute_lifetime_however_busy(web):  # noqa: F811
    http = web.login("prof.martin")
    _age_session(web, http, created_at=12 * 3600 + 1)  # logged in 12 h ago, used a minute ago
    assert not logged_in(web, http)
    with web.db() as s:
        assert (
            s.scalar(select(WebSession).where(WebSession.created_at < datetime.utcnow() - timedelta(hours=12))) is None
        )


def test_a_password_change_ends_the_other_sessions(web):  # noqa: F811
    new_account(web, "prof.change")
    here, elsewhere = web.login("prof.change"), web.login("prof.change")
    token = web.csrf(here, "/compte/mot-de-passe")
    data = {"current": "faux-faux-faux", "new": "nouveau-secret-1", "confirm": "nouveau-secret-1", "csrf_token": token}
    wrong = here.post(web.url + "/compte/mot-de-passe", data=data)
    assert wrong.status_code == 400 and "actuel est incorrect" in wrong.text
    mismatch = here.post(web.url + "/compte/mot-de-passe", data={**data, "current": PASSWORD, "confirm": "autre-1234"})
    assert mismatch.status_code == 400 and "pas identiques" in mismatch.text
    done = here.post(web.url + "/compte/mot-de-passe", data={**data, "current": PASSWORD}, follow_redirects=False)
    assert done.status_code == 303
    assert "Mot de passe modifié" in here.get(web.url + "/enseignant").text
    assert logged_in(web, here) and not logged_in(web, elsewhere)
    web.login("prof.change", "nouveau-secret-1")
    old = web.session()
    resp = old.post(
        web.url + "/connexion", data={"username": "prof.change", "password": PASSWORD, "csrf_token": web.csrf(old)}
    )
    assert resp.status_code == 401


def test_a_student_changes_their_password_too(web):  # noqa: F811
    new_account(web, "eleve.change", role="student")
    http = web.login("eleve.change")
    token = web.csrf(http, "/compte/mot-de-passe")
    data = {"current": PASSWORD, "new": "nouveau-secret-2", "confirm": "nouveau-secret-2", "csrf_token": token}
    resp = http.post(web.url + "/compte/mot-de-passe", data=data, follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"] == "/eleve"
    web.login("eleve.change", "nouveau-secret-2")
