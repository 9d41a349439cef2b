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
