"""A teacher writes a small scenario in the browser editor, checks it, saves, tries and publishes it;
a student plays it against the real Rasa and action servers (which read it from the database,
without a restart or a retraining) and gets a debrief. Debian's Chromium driven by Playwright;
screenshots in ``results/screenshots/`` (``editor-*``)."""

from __future__ import annotations

import sqlite3
from typing import Any, Iterator, Tuple

import pytest

from tests.e2e.browsing import login, send, shot
from tests.e2e.debrief_page import rate_self_then_read
from tests.web.conftest import start_web
from tests.web.small_scenario import small

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

SCENARIO = small()
KEY = "vente-imprimantes@1"
LEARNER = [
    "Bonjour Madame Lefort, je suis Léa de Bureau Plus, merci de me recevoir.",
    "Quels problèmes rencontrez-vous avec vos imprimantes actuelles ?",
    "Combien de pages imprimez-vous chaque mois ?",
    "Qu'attendez-vous de votre futur matériel ?",
    "Je vous propose notre imprimante laser réseau IMP-1, fiable, avec un dépannage rapide.",
    "Son prix est de 890 € HT.",
]


@pytest.fixture(scope="module")
def editor_web(rasa_stack, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("editor-browser")
    port = int(rasa_stack.url.split(":")[2].split("/")[0])
    app = start_web(tmp, rasa_port=port, db_url=f"sqlite:///{rasa_stack.db_path}")
    try:
        yield app
    finally:
        app.process.terminate()
        app.process.wait(timeout=15)


def entries(value: Any, path: str = "") -> Iterator[Tuple[str, Any]]:
    """(form field path, value) for every leaf the form shows: « facts[2].open », « cgv.terms »..."""
    if isinstance(value, dict) and path not in ("motivations",):
        for k, v in value.items():
            yield from entries(v, f"{path}.{k}" if path else k)
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        for i, item in enumerate(value, 1):
            yield from entries(item, f"{path}[{i}]")
    else:
        yield path, value


def fill(page, path: str, value: Any) -> None:
    field = page.locator(f'[data-path="{path}"]')
    tag = field.evaluate("e => e.tagName + ':' + (e.type || '')")
    if tag == "INPUT:checkbox":
        field.set_checked(bool(value))
    elif tag.startswith("SELECT"):
        field.select_option(str(value))
    elif isinstance(value, dict):
        field.fill("\n".join(f"{k} : {v}" for k, v in value.items()))
    elif isinstance(value, list):
        field.fill(("\n" if tag.startswith("TEXTAREA") else ", ").join(str(v) for v in value))
    else:
        field.fill(str(value))


def test_teacher_writes_publishes_and_a_student_plays_it(editor_web, browser):
    url = editor_web.url
    desk = browser.new_context(viewport={"width": 1366, "height": 900}, bypass_csp=True)
    page = desk.new_page()
    errors: list = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, url, "prof.martin")
    page.wait_for_url(url + "/enseignant")
    page.goto(url + "/enseignant/scenarios")
    page.click("text=Éditeur de scénarios")
    page.click("#new-scenario")
    page.wait_for_selector("#section-personas")
    for section, items in (("personas", 1), ("facts", 3), ("objections", 1), ("catalogue", 1), ("signals", 1)):
        for _ in range(len(SCENARIO[section])):
            page.click(f"#section-{section} > button.add")
        assert page.locator(f"#section-{section} > fieldset.item").count() == items
    # a mistake first: the check names the field, in French
    page.fill('[data-path="catalogue[1].price"]', "huit cents")
    page.wait_for_selector('.field-error[data-for="catalogue[1].price"]:has-text("un nombre est attendu")')
    shot(page, "editor-01-erreurs")
    for path, value in entries(SCENARIO):
        fill(page, path, value)
    page.wait_for_selector("#status.ok:has-text('Scénario valide.')", timeout=30_000)
    assert "Fiche de préparation : Imprimantes pour une agence immobilière" in page.inner_text("#preview")
    assert page.locator(".field-error:not(:empty)").count() == 0
    shot(page, "editor-02-valide")
    page.select_option("#visibility", "school")
    page.click("#save")
    page.wait_for_selector("#status:has-text('Enregistré : version 1.')")
    page.click("#publish")
    page.wait_for_selector("#status:has-text('Publié : les élèves peuvent jouer la version 1.')")
    shot(page, "editor-03-publie")
    # « jouer en test »: the draft against the real stack, in a session of the teacher's own
    page.click("#try")
    page.wait_for_selector(".msg.coach", timeout=90_000)
    assert "Imprimantes pour une agence immobilière" in page.inner_text("#messages")
    send(page, LEARNER[0])
    assert page.locator(".msg.client").count() >= 1
    shot(page, "editor-04-essai")
    assert not errors, errors
    desk.close()

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, bypass_csp=True)
    page = phone.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, url, "alice.dupont")
    page.wait_for_url(url + "/eleve")
    page.click(f"a[href='/eleve/scenarios/{KEY}']")
    assert "Mme Lefort" in page.content()
    page.click("text=Commencer l'entraînement")
    page.wait_for_selector(".msg.coach", timeout=90_000)
    for text in LEARNER:
        send(page, text)
    said = page.inner_text("#messages")
    # facts written in the editor, revealed by the action server
    assert "panne chaque semaine" in said or "3 000 pages" in said or "dépannage rapide" in said, said
    shot(page, "editor-05-eleve-simulation")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#end")
    page.wait_for_selector("#debrief-link", timeout=120_000)
    page.click("#debrief-link")
    rate_self_then_read(page)
    assert "Imprimantes pour une agence immobilière" in page.content()
    shot(page, "editor-06-eleve-bilan")
    session_id = page.url.rsplit("/", 1)[1]
    assert not errors, errors
    phone.close()
    with sqlite3.connect(editor_web.db_url.removeprefix("sqlite:///")) as db:
        (scenario_id,) = db.execute("SELECT scenario_id FROM sessions WHERE id = ?", (session_id,)).fetchone()
    assert scenario_id == KEY  # the session names the version played
