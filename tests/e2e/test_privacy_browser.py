"""The RGPD pages in Debian's Chromium: privacy notice from the login page, export links, erasure, journal.

The web app alone (no Rasa needed) served by uvicorn; screenshots in ``results/screenshots/``.
"""

from __future__ import annotations

import pytest

from bot import devstack
from tests.e2e.browsing import login, shot
from tests.web.conftest import start_web

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@pytest.fixture()
def app(tmp_path):
    web = start_web(tmp_path, UNSAVED_MESSAGES_FILE=str(tmp_path / "unsaved.jsonl"))
    yield web
    devstack.stop({"web": web.process})


def test_privacy_notice_export_and_erasure_in_a_browser(app, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(app.url + "/connexion")
    page.click("text=Ce que nous conservons sur vous et vos droits")
    assert page.url.endswith("/confidentialite") and page.locator("h1").inner_text().startswith("Confidentialité")
    shot(page, "privacy-notice")
    page.close()

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    login(page, app.url, "admin")
    page.goto(app.url + "/enseignant/eleves/alice.dupont")
    assert page.locator("a[href$='/donnees.json']").count() == 1
    page.click("text=Effacer cet élève")
    page.fill("input[name=confirmation]", "alice")
    page.click("button.danger")
    assert "Confirmation incorrecte" in page.locator(".error").inner_text()
    page.fill("input[name=confirmation]", "alice.dupont")
    shot(page, "privacy-erase-confirm")
    page.click("button.danger")
    page.wait_for_url("**/admin/journal")
    assert "Élève effacé" in page.locator(".notice").inner_text()
    assert page.locator("td", has_text="effacement d'un élève").count() == 1
    shot(page, "privacy-audit-journal")
    page.goto(app.url + "/enseignant/eleves/alice.dupont")
    assert "introuvable" in page.content()
    page.close()
