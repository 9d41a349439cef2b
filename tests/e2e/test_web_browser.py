"""A real headless Chromium (Debian's) driven by Playwright against the real stack.

A student logs in on a phone-sized screen, plays a short negotiation against the real
Rasa and action servers and reads the debrief; a teacher opens that transcript,
overrides a score and downloads the CSV and the PDF. Screenshots of every page are
kept in ``results/screenshots/`` (test artifacts).
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pypdf
import pytest

from bot import cli
from tests.e2e.scripts import SCRIPTS
from tests.web.conftest import PASSWORD, start_web

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = cli.ROOT / "results" / "screenshots"
ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


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


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def shot(page, name: str) -> None:
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def login(page, url: str, username: str) -> None:
    page.goto(url + "/connexion")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def send(page, text: str) -> None:
    before = page.locator(".msg").count()
    page.fill("#text", text)
    page.click("#send")
    # the learner bubble, then at least one answer, and the composer free again
    page.wait_for_function(f"document.querySelectorAll('.msg').length >= {before + 2}", timeout=90_000)
    page.wait_for_function("!document.getElementById('send').disabled", timeout=90_000)


def test_student_plays_and_teacher_reviews(stack_web, browser):
    url = stack_web.url
    script = SCRIPTS["air-plasturgie"]
    # bypass_csp: Playwright's waits evaluate scripts; it also proves that escaping alone stops XSS
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, bypass_csp=True)
    page = phone.new_page()
    errors: list = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, url, "alice.dupont")
    page.wait_for_url(url + "/eleve")
    shot(page, "01-eleve-accueil")
    page.click("a[href='/eleve/scenarios/air-plasturgie']")
    assert "Fiche de préparation" in page.content()
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
    page.wait_for_selector("#auto-evaluation")  # the student rates themself before seeing the scores
    for radio in page.locator("#auto-evaluation input[value='2']").all():
        radio.check()
    page.click("#auto-evaluation button[type=submit]")
    page.wait_for_selector("table.criteria")
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
