"""The debrief pages in Debian's Chromium on a phone screen (issue 12): a poor session teaches the key
facts not discovered and the expected answers to the objections; an excellent one shows its strengths.

The sessions are played through the real engine from graded transcripts and stored as the chat
stores them (``tests/web/played.py``); the web app runs under uvicorn. No Rasa server is needed.
Screenshots: ``results/screenshots/debrief-*.png``.
"""

from __future__ import annotations

import pytest

from bot.assessment import teaching
from bot.assessment.rubric import default_rubric
from bot.engine.library import load_library
from bot.storage import db
from tests.e2e.browsing import PHONE, login, shot
from tests.web.conftest import start_web
from tests.web.played import store_played

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    app = start_web(tmp_path_factory.mktemp("debrief"))
    library = load_library()
    with db.session_factory(app.db_url)() as s:
        poor = store_played(s, library, "alice.dupont", "cvc-ehpad-poor", "browser-poor")
        excellent = store_played(s, library, "alice.dupont", "air-plasturgie-excellent", "browser-excellent")
    try:
        yield app, library, {"poor": poor, "excellent": excellent}
    finally:
        app.process.terminate()
        app.process.wait(timeout=15)


@pytest.fixture(scope="module")
def phone(browser):
    """One phone-sized page for the module: the student stays logged in from one test to the next."""
    context = browser.new_context(**{**PHONE, "bypass_csp": False})
    yield context.new_page()
    context.close()


def _login_and_open(page, url: str, session_id: str, level: str) -> str:
    if "/eleve" not in page.url:
        login(page, url, "alice.dupont")
        page.wait_for_url(url + "/eleve")
    page.goto(url + f"/eleve/seances/{session_id}")
    page.wait_for_selector("#auto-evaluation")
    assert page.locator("details.criterion").count() == 0  # no score before the self-assessment
    for radio in page.locator(f"#auto-evaluation input[value='{level}']").all():
        radio.check()
    page.click("#auto-evaluation button[type=submit]")
    page.wait_for_selector("section.debrief")
    return page.inner_text("main")


def test_a_poor_sessions_debrief_teaches_the_missed_facts_and_the_expected_answers(site, phone):
    app, library, played = site
    text = _login_and_open(phone, app.url, "browser-poor", "2")
    scenario, assessment = library.scenario("cvc-ehpad"), played["poor"].assessment
    missed = teaching.missed_key_facts(scenario, assessment)
    assert missed and "Informations clés non découvertes" in text
    for fact in missed:
        assert fact.label in text
    expected = [r.expected for r in teaching.objection_reports(scenario, assessment) if r.expected]
    assert expected and all(answer in text for answer in expected)
    assert "éponse attendue" in text and default_rubric().grade_label in text
    shot(phone, "debrief-poor")


def test_an_excellent_sessions_debrief_shows_its_strengths(site, phone):
    app, library, played = site
    text = _login_and_open(phone, app.url, "browser-excellent", "3")
    assessment = played["excellent"].assessment
    strengths = teaching.strengths(assessment)
    assert len(strengths) >= 3 and "Vos points forts" in text
    rubric_labels = {c.id: c.label for c in default_rubric().criteria}
    for cid in strengths:
        assert rubric_labels[cid] in text
    assert "Pas encore de point fort net" not in text
    shot(phone, "debrief-excellent")
