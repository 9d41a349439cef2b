"""A student on a phone fills in and submits the preparation sheet, plays an exam, and reads C1.1 scored from it.

Real Debian Chromium driven by Playwright, real uvicorn, Rasa and action servers (the fixtures of
``test_web_browser``). Screenshots in ``results/screenshots/`` (``11-`` to ``15-``).
"""

from __future__ import annotations

import pytest

from tests.e2e.scripts import SCRIPTS
from tests.e2e.test_web_browser import browser, login, send, shot, stack_web  # noqa: F401 - fixtures

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth + 1"


def test_phone_student_fills_the_sheet_then_sees_c11_scored_from_it(stack_web, browser):  # noqa: F811
    url = stack_web.url
    script = SCRIPTS["air-plasturgie"]
    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    errors: list = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, url, "bob.leroy")
    page.wait_for_url(url + "/eleve")
    page.goto(url + "/eleve/scenarios/air-plasturgie")
    assert page.locator(".briefing-sections section").count() >= 6
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the briefing scrolls sideways on a phone"
    shot(page, "11-eleve-dossier-sections")
    # exam mode is refused until the sheet is submitted: the form opens with the reason
    page.click("text=Mode examen (sans aide)")
    page.wait_for_url("**/preparation?examen=1")
    assert "validez votre fiche de préparation" in page.content()
    page.fill("textarea[name='objectives.optimal']", "Vendre le VSD-45 à 29 800 € sans remise")
    page.fill("textarea[name='objectives.realistic']", "Signer à 28 900 € avec le contrat de maintenance")
    page.fill("textarea[name='objectives.fallback']", "3 % de remise au plus contre 3 ans de maintenance")
    page.fill("textarea[name='objectives.breaking_point']", "Pas en dessous de 27 500 €, paiement à 60 jours au plus")
    page.select_option("select[name='questions.0.topic']", "contrainte")
    page.fill("input[name='questions.0.question']", script["discovery"][0])
    page.select_option("select[name='questions.1.topic']", "decision")
    page.fill("input[name='questions.1.question']", script["discovery"][4])
    page.fill("input[name='documents.0.document']", "Fiche technique du VSD-45")
    page.click("text=Enregistrer le brouillon")
    page.wait_for_selector("text=Brouillon enregistré.")
    assert page.input_value("input[name='questions.1.question']") == script["discovery"][4]
    page.select_option("select[name='questions.2.topic']", "financement")
    page.fill("input[name='questions.2.question']", script["discovery"][3])
    page.fill("input[name='concessions.0.concession']", "Remise de 2 %")
    page.fill("input[name='concessions.0.counterpart']", "Contrat de maintenance de 3 ans")
    page.fill("input[name='arguments.0.need']", "Fiabilité de la production")
    page.select_option("select[name='arguments.0.motive']", "securite")
    page.fill("input[name='arguments.0.advantage']", "Moins d'arrêts de production")
    page.fill("input[name='objections.0.objection']", "C'est plus cher que le devis concurrent")
    page.fill("input[name='objections.0.answer']", "Coût global sur 5 ans, économies d'énergie")
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the sheet scrolls sideways on a phone"
    shot(page, "12-eleve-fiche-preparation")
    page.click("text=Valider ma fiche")
    page.wait_for_selector("text=Fiche de préparation validée")
    page.click("text=Mode examen (sans aide)")
    page.wait_for_selector(".msg.coach", timeout=90_000)
    for text in script["opening"] + script["discovery"][:5]:
        send(page, text)
    shot(page, "13-eleve-examen")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#end")
    page.wait_for_selector("#debrief-link", timeout=120_000)
    page.click("#debrief-link")
    page.wait_for_selector("details.criterion")
    assert page.locator(".summary-card").count() == 1
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the debrief scrolls sideways on a phone"
    shot(page, "14-eleve-bilan-resume")
    for cid in ("C1.1.1-a", "C1.1.1-b", "C1.1.2-a"):
        item = page.locator(f"#crit-{cid.replace('.', chr(92) + '.')}")
        item.locator("summary").click()
        assert "Fiche de préparation" in item.inner_text(), cid
    environment = page.locator("#crit-C1\\.1\\.1-a").inner_text()
    assert "contraintes et opportunités prévues" in environment
    shot(page, "15-eleve-bilan-c11")
    assert not errors, errors
    phone.close()
