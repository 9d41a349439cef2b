"""Issue 14: widget tokens given out by the web app die when the student's password changes.

Before: a snippet copied into an LMS page stayed valid 8 hours whatever happened to the
account. The token now carries the account's password version (a digest of the hash,
compared in constant time); tokens without it (minted by an LMS plugin) are unchanged.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot.storage import accounts
from bot.storage.models import User
from bot.web.security import widget_token
from tests.web.conftest import web  # noqa: F401 - the web app (in process) on a throw-away database

pytestmark = pytest.mark.security


def hint(web, token: str) -> int:  # noqa: F811
    headers = {"Authorization": f"Bearer {token}"}
    return web.session().post(web.url + "/widget/api/hint", json={}, headers=headers, timeout=60).status_code


def test_a_password_reset_revokes_the_snippets_given_out(web):  # noqa: F811
    teacher = web.login("prof.martin")
    page = teacher.get(web.url + "/enseignant/eleves/alice.dupont").text
    token = re.search(r'data-token="([^"]+)"', page).group(1)
    unbound = widget_token("test-widget-secret", "alice.dupont")
    assert hint(web, token) == 200 and hint(web, unbound) == 200
    with web.db() as s:
        alice = s.scalar(select(User).where(User.username == "alice.dupont"))
        alice.password_hash = accounts.hash_password("un-nouveau-mot-de-passe")
        s.commit()
    assert hint(web, token) == 401
    assert hint(web, unbound) == 200  # an LMS plugin's own token: valid until it expires
    fresh = re.search(r'data-token="([^"]+)"', teacher.get(web.url + "/enseignant/eleves/alice.dupont").text)
    assert hint(web, fresh.group(1)) == 200


def snippet_token(teacher, web) -> str:  # noqa: F811
    return re.search(r'data-token="([^"]+)"', teacher.get(web.url + "/enseignant/eleves/alice.dupont").text).group(1)


def revoke(web, teacher, link: str = "") -> int:  # noqa: F811
    token = web.csrf(teacher, "/enseignant/eleves/alice.dupont")
    data = {"csrf_token": token, "link": link}
    path = "/enseignant/eleves/alice.dupont/widget/revoquer"
    return teacher.post(web.url + path, data=data, follow_redirects=False).status_code


def test_the_teacher_lists_and_revokes_widget_links(web):  # noqa: F811
    """Before: a snippet given out could not be taken back for 8 hours (issue 14)."""
    teacher = web.login("prof.martin")
    first = snippet_token(teacher, web)
    assert snippet_token(teacher, web) == first  # the page shows the same link again, nothing piles up
    page = teacher.get(web.url + "/enseignant/eleves/alice.dupont").text
    links = re.findall(r'name="link" value="([0-9a-f]+)"', page)
    assert len(links) == 1 and 'id="widget-links"' in page
    assert hint(web, first) == 200
    assert revoke(web, web.login("prof.durand"), links[0]) == 404  # not his student
    assert hint(web, first) == 200
    assert revoke(web, teacher, links[0]) == 303
    assert hint(web, first) == 401
    second = snippet_token(teacher, web)
    assert second != first and hint(web, second) == 200
    assert revoke(web, teacher) == 303  # all of them
    assert hint(web, second) == 401


def test_only_this_site_may_frame_the_widget_by_default(web):  # noqa: F811
    """Before: ``frame-ancestors *`` unless WIDGET_ALLOWED_ORIGINS was set."""
    csp = web.session().get(web.url + "/widget").headers["content-security-policy"]
    assert "frame-ancestors 'self'" in csp and "*" not in csp


def test_the_lms_origins_are_added_to_this_site_and_a_star_is_refused_in_production():
    from bot.web.settings import InsecureSettings, Settings, frame_ancestors

    assert frame_ancestors("") == "'self'"
    assert frame_ancestors("https://moodle.lycee.fr, https://ent.lycee.fr") == (
        "'self' https://moodle.lycee.fr https://ent.lycee.fr"
    )
    strong = {"secret_key": "k" * 40, "widget_secret": "w" * 40, "environment": "production"}
    Settings(widget_ancestors=frame_ancestors("https://moodle.lycee.fr"), **strong).check()
    with pytest.raises(InsecureSettings, match="WIDGET_ALLOWED_ORIGINS"):
        Settings(widget_ancestors=frame_ancestors("*"), **strong).check()
