"""A real headless Chromium (Debian's) driven by Playwright against the real stack.

A student logs in on a phone-sized screen, plays a short negotiation against the real
Rasa and action servers and reads the debrief; a teacher opens that transcript,
overrides a score and downloads the CSV and the PDF. Screenshots of every page are
kept in ``results/screenshots/`` (test artifacts). A second student fills in the preparation sheet on the
phone, starts an exam once it is submitted, and reads C1.1 scored from it (screenshots 11 to 15).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pypdf
import pytest

from tests.e2e.browsing import PHONE, login, send, shot
from tests.e2e.debrief_page import rate_self_then_read
from tests.e2e.scripts import SCRIPTS
from tests.web.conftest import start_web

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@pytest.fixture(scope="module")
def stack_web(rasa_stack, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    port = int(rasa_stack.url.split(":")[2].split("/")[0])
    app = start_web(tmp, rasa_port=port, db_url=f"sqlite:///{rasa_stack.db_path}")
    try:
        yield app
    finally:
        app.process.terminate()
        app.process.wait(timeout=15)


def test_student_plays_and_teacher_reviews(stack_web, browser):
    url = stack_web.url
    script = SCRIPTS["air-plasturgie"]
    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    errors: list = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, url, "alice.dupont")
    page.wait_for_url(url + "/eleve")
    shot(page, "01-eleve-accueil")
    page.click("a[href='/eleve/scenarios/air-plasturgie']")
    assert "Extrait du catalogue" in page.content() and page.locator("#catalogue table").count() == 1
    shot(page, "02-eleve-fiche")
    page.click("text=Commencer l'entraînement")
    page.wait_for_selector(".msg.coach", timeout=90_000)
    for text in script["opening"] + script["discovery"][:3] + [script["solution"], script["price"]]:
        send(page, text)
    send(page, '<img src=x onerror="window.__xss = 1"> <script>window.__xss = 2</script>')
    assert page.evaluate("window.__xss") is None
    assert page.locator(".msg.client").count() >= 5
    assert page.locator("#phases li.current").count() == 1
    page.click("#hint")
    page.wait_for_function("!document.getElementById('hint').disabled", timeout=90_000)
    shot(page, "03-eleve-simulation")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#end")
    page.wait_for_selector("#debrief-link", timeout=120_000)
    shot(page, "04-eleve-fin")
    page.click("#debrief-link")
    rate_self_then_read(page)
    content = page.content()
    assert "C1.2.1-b" in content and "Très" in content or "satisfaisant" in content
    assert page.locator("svg.radar").count() == 1
    shot(page, "05-eleve-bilan")
    session_id = page.url.rsplit("/", 1)[1]
    assert not errors, errors
    phone.close()

    desk = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True, bypass_csp=True)
    page = desk.new_page()
    login(page, url, "prof.martin")
    page.wait_for_url(url + "/enseignant")
    shot(page, "06-enseignant-accueil")
    page.click(f"a[href='/enseignant/classes/{stack_web.ids['group1']}']")
    page.wait_for_selector("table.heatmap")
    shot(page, "07-enseignant-classe")
    page.click(f"a[href='/enseignant/seances/{session_id}']")
    page.wait_for_selector("ol.transcript")
    assert page.evaluate("window.__xss") is None
    assert page.locator(".turn.learner .tag.intent").count() >= 8
    assert page.locator(".turn.client").count() >= 5 and page.locator(".turn.coach").count() >= 1
    shot(page, "08-enseignant-transcription")
    row = page.locator("#crit-C1\\.2\\.1-b")
    row.locator("select[name=score]").select_option("3")
    row.locator("input[name=comment]").fill("Questionnement riche, je relève.")
    row.locator("button").click()
    page.wait_for_selector("text=Questionnement riche, je relève.")
    shot(page, "09-enseignant-correction")
    with page.expect_download() as dl:
        page.click("text=Fiche d'évaluation (PDF)")
    pdf_text = "\n".join(p.extract_text() for p in pypdf.PdfReader(dl.value.path()).pages)
    assert "Fiche d'évaluation" in pdf_text and "Alice Dupont" in pdf_text and "Questionnement riche" in pdf_text
    page.goto(url + f"/enseignant/classes/{stack_web.ids['group1']}")
    with page.expect_download() as dl:
        page.click("text=Exporter les scores (CSV)")
    rows = list(csv.reader(io.StringIO(Path(dl.value.path()).read_text(encoding="utf-8-sig")), delimiter=";"))
    header = rows[0]
    mine = [r for r in rows[1:] if r[0] == session_id]
    assert len(mine) == 19
    overridden = next(r for r in mine if r[header.index("critere")] == "C1.2.1-b")
    assert overridden[header.index("score_enseignant")] == "3"
    page.goto(url + "/enseignant/eleves/alice.dupont")
    page.wait_for_selector("svg.lines")
    shot(page, "10-enseignant-progression")
    desk.close()


NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth + 1"


def test_phone_student_fills_the_sheet_then_sees_c11_scored_from_it(stack_web, browser):
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
    rate_self_then_read(page)
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
