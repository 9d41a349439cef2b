"""Accounts in a real browser (Debian's chromium, Playwright) against the real uvicorn app:
the admin resets a teacher's password, the teacher must change it at the next login.

No Rasa needed. Screenshots in ``results/screenshots/account-*.png``.
"""

from __future__ import annotations

import pytest

from tests.e2e.browsing import login, shot
from tests.web.conftest import start_web

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@pytest.fixture(scope="module")
def web_only(tmp_path_factory):
    app = start_web(tmp_path_factory.mktemp("accounts-browser"))
    try:
        yield app
    finally:
        app.process.terminate()
        app.process.wait(timeout=15)


def test_admin_resets_a_password_that_the_teacher_changes_at_login(web_only, browser):
    admin = browser.new_page(viewport={"width": 1200, "height": 900})
    login(admin, web_only.url, "admin")
    admin.goto(web_only.url + "/admin/enseignants")
    row = admin.locator("tr", has_text="prof.durand")
    row.locator("button", has_text="Réinitialiser le mot de passe").click()
    temporary = admin.locator("#temporary-password").inner_text().strip()
    assert len(temporary) >= 12
    shot(admin, "account-admin-reset")
    admin.locator("tr", has_text="prof.martin").locator("button", has_text="Désactiver").click()
    assert "désactivé" in admin.locator("tr", has_text="prof.martin").inner_text()

    teacher = browser.new_page(viewport={"width": 390, "height": 844})
    login(teacher, web_only.url, "prof.martin", "motdepasse-solide", refused=True)
    assert "Ce compte a été désactivé" in teacher.locator(".error").inner_text()
    shot(teacher, "account-disabled-login")

    login(teacher, web_only.url, "prof.durand", temporary)
    teacher.wait_for_url("**/compte/mot-de-passe")
    assert "provisoire" in teacher.content()
    shot(teacher, "account-password-change")
    teacher.fill("input[name=current]", temporary)
    teacher.fill("input[name=new]", "mon-nouveau-secret")
    teacher.fill("input[name=confirm]", "mon-nouveau-secret")
    teacher.click("form[action='/compte/mot-de-passe'] button[type=submit]")
    teacher.wait_for_url("**/enseignant")
    assert "Mot de passe modifié" in teacher.locator(".notice").first.inner_text()
    shot(teacher, "account-password-changed")
