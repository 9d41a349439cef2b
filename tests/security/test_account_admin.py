"""Issue 14: the admin resets a teacher's password and deactivates accounts.

Before: no route did either; a temporary password typed by the admin at creation stayed
for ever, and the only way to shut an account was the database.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot.storage import accounts
from bot.storage.models import AuditEvent, User
from tests.security.test_sessions import logged_in, new_account
from tests.web.conftest import PASSWORD, web  # noqa: F401 - web: the app on a throw-away database

pytestmark = pytest.mark.security


def user_id(web, username: str) -> int:  # noqa: F811
    with web.db() as s:
        return s.scalar(select(User.id).where(User.username == username))


def audited(web, action: str, username: str) -> bool:  # noqa: F811
    """The account event is in the audit trail, with the admin as actor."""
    with web.db() as s:
        query = select(AuditEvent).where(AuditEvent.action == action, AuditEvent.target == f"compte {username}")
        return any(event.actor == "admin" for event in s.scalars(query))


def admin_post(web, admin, path: str):  # noqa: F811
    token = web.csrf(admin, "/admin/enseignants")
    return admin.post(web.url + path, data={"csrf_token": token}, follow_redirects=False)


def try_login(web, username: str, password: str):  # noqa: F811
    http = web.session()
    data = {"username": username, "password": password, "csrf_token": web.csrf(http)}
    return http, http.post(web.url + "/connexion", data=data, follow_redirects=False)


def test_a_teacher_created_by_the_admin_changes_the_password_at_first_login(web):  # noqa: F811
    admin = web.login("admin")
    token = web.csrf(admin, "/admin/enseignants")
    data = {"username": "prof.neuf", "display_name": "Mme Neuf", "password": "provisoire-1", "csrf_token": token}
    assert admin.post(web.url + "/admin/enseignants", data=data, follow_redirects=False).status_code == 303
    http, resp = try_login(web, "prof.neuf", "provisoire-1")
    assert resp.headers["location"] == "/compte/mot-de-passe"


def test_the_teachers_page_lists_the_staff_also_when_a_new_account_is_refused(web):  # noqa: F811
    """The list and the refused form show the same accounts: teachers and admins, no student."""
    admin = web.login("admin")
    listed = admin.get(web.url + "/admin/enseignants").text
    token = web.csrf(admin, "/admin/enseignants")
    data = {"username": "prof.martin", "display_name": "Doublon", "password": "provisoire-1", "csrf_token": token}
    refused = admin.post(web.url + "/admin/enseignants", data=data, follow_redirects=False)
    assert refused.status_code == 400
    with web.db() as s:
        staff = accounts.staff_accounts(s)
        students = list(s.scalars(select(User.username).where(User.role == "student")))
    assert {u.role for u in staff} == {"teacher", "admin"} and students
    for page in (listed, refused.text):
        assert all(user.username in page for user in staff)
        assert not any(f">{username}<" in page for username in students)


def test_the_admin_resets_a_teacher_password_shown_once_and_changed_at_next_login(web):  # noqa: F811
    new_account(web, "prof.oubli")
    teacher = web.login("prof.oubli")
    admin = web.login("admin")
    assert admin_post(web, admin, f"/admin/comptes/{user_id(web, 'prof.oubli')}/reinitialiser").status_code == 303
    page = admin.get(web.url + "/admin/enseignants").text
    temporary = re.search(r'id="temporary-password">([^<]+)<', page).group(1)
    assert "temporary-password" not in admin.get(web.url + "/admin/enseignants").text  # shown once
    assert audited(web, "password_reset", "prof.oubli")
    assert not logged_in(web, teacher)  # the sessions opened with the old password end
    assert try_login(web, "prof.oubli", PASSWORD)[1].status_code == 401
    http, resp = try_login(web, "prof.oubli", temporary)
    assert resp.status_code == 303 and resp.headers["location"] == "/compte/mot-de-passe"
    blocked = http.get(web.url + "/enseignant", follow_redirects=False)
    assert blocked.status_code == 303 and blocked.headers["location"] == "/compte/mot-de-passe"
    assert "provisoire" in http.get(web.url + "/compte/mot-de-passe").text
    token = web.csrf(http, "/compte/mot-de-passe")
    data = {"current": temporary, "new": "choisi-par-moi", "confirm": "choisi-par-moi", "csrf_token": token}
    assert http.post(web.url + "/compte/mot-de-passe", data=data, follow_redirects=False).status_code == 303
    assert logged_in(web, http)


def test_deactivation_refuses_the_login_and_ends_sessions_and_api_tokens(web):  # noqa: F811
    new_account(web, "prof.parti")
    with web.db() as s:
        api_token = accounts.create_api_token(s, s.scalar(select(User).where(User.username == "prof.parti")))
        s.commit()
    api = web.session()
    headers = {"Authorization": f"Bearer {api_token}"}
    assert api.get(web.url + "/api/v1/learners/alice.dupont/sessions", headers=headers).status_code in (200, 403)
    teacher = web.login("prof.parti")
    admin = web.login("admin")
    target = user_id(web, "prof.parti")
    assert admin_post(web, admin, f"/admin/comptes/{target}/desactiver").status_code == 303
    assert "désactivé" in admin.get(web.url + "/admin/enseignants").text
    assert audited(web, "account_deactivated", "prof.parti")
    assert not logged_in(web, teacher)
    assert api.get(web.url + "/api/v1/learners/alice.dupont/sessions", headers=headers).status_code == 401
    _, refused = try_login(web, "prof.parti", PASSWORD)
    assert refused.status_code == 403 and "Ce compte a été désactivé" in refused.text
    _, wrong = try_login(web, "prof.parti", "mauvais-mot-de-passe")
    assert wrong.status_code == 401 and "désactivé" not in wrong.text  # a guesser learns nothing
    assert admin_post(web, admin, f"/admin/comptes/{target}/reactiver").status_code == 303
    assert try_login(web, "prof.parti", PASSWORD)[1].status_code == 303
    assert api.get(web.url + "/api/v1/learners/alice.dupont/sessions", headers=headers).status_code == 401


def test_only_the_admin_resets_or_deactivates_and_never_itself(web):  # noqa: F811
    teacher = web.login("prof.martin")
    target = user_id(web, "prof.durand")
    assert admin_post(web, teacher, f"/admin/comptes/{target}/desactiver").status_code == 403
    assert admin_post(web, teacher, f"/admin/comptes/{target}/reinitialiser").status_code == 403
    admin = web.login("admin")
    resp = admin_post(web, admin, f"/admin/comptes/{user_id(web, 'admin')}/desactiver")
    assert resp.status_code == 400 and "propre compte" in resp.text
    no_csrf = admin.post(web.url + f"/admin/comptes/{target}/desactiver", data={}, follow_redirects=False)
    assert no_csrf.status_code == 403
