"""Assignments and attempts in Debian's Chromium (Playwright), against the web app under uvicorn.

A teacher sets an exam and a training for her class with the form, a student sees them
in « À faire » with their deadlines, then the teacher follows the class, compares two
attempts of the student and reads the class's progression. No Rasa needed: the sessions
are written as the action server writes them. Screenshots in ``results/screenshots/``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.e2e.browsing import login, shot
from tests.web.conftest import start_web

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from bot.storage.models import CriterionScore, SimSession

    app = start_web(tmp_path_factory.mktemp("assign-browser"))
    start = datetime.utcnow() - timedelta(days=6)
    attempts = [
        ("alice-try-1", start, {"C1.2.1-a": (2, "Bonjour, je suis Alice."), "C1.2.1-b": (1, "Vous voulez acheter ?")}),
        ("alice-try-2", start + timedelta(days=3),
         {"C1.2.1-a": (2, "Bonjour, Alice Dupont, Air Pro, merci de me recevoir."),
          "C1.2.1-b": (3, "Comment utilisez-vous l'air comprimé aujourd'hui ?")}),
    ]  # fmt: skip
    with app.db() as db:
        for sid, started, scores in attempts:
            db.add(
                SimSession(id=sid, learner_id="alice.dupont", scenario_id="impaye-relance", mode="training",
                           started_at=started, ended_at=started + timedelta(minutes=12), outcome="won",
                           grade_20=9.0 if sid.endswith("1") else 14.5, scored_at=started + timedelta(minutes=12))
            )  # fmt: skip
            for cid, (score, text) in scores.items():
                db.add(
                    CriterionScore(session_id=sid, criterion_id=cid, score=score, level=["TI", "I", "S", "TS"][score],
                                   explanation="", advice="", evidence_turns=[{"turn": 3, "text": text}])
                )  # fmt: skip
        db.commit()
    try:
        yield app
    finally:
        app.process.terminate()
        app.process.wait(timeout=15)


def test_teacher_assigns_student_sees_to_do_teacher_compares(app, browser):
    url, group = app.url, app.ids["group1"]
    desk = browser.new_context(viewport={"width": 1366, "height": 900}, bypass_csp=True)
    page = desk.new_page()
    errors: list = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, url, "prof.martin")
    page.wait_for_url(url + "/enseignant")
    page.goto(url + f"/enseignant/classes/{group}")
    page.click("text=Devoirs")
    page.wait_for_selector("form.assign-form")
    now = datetime.now()
    # a bad form first: no scenario chosen
    page.fill("input[name=opens_at]", (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=due_at]", (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))
    page.click("form.assign-form button[type=submit]")
    page.wait_for_selector("p.error")
    assert "Choisissez au moins un scénario" in page.inner_text("p.error")
    page.check("input[name=scenario_id][value=air-plasturgie]")
    page.check("input[name=scenario_id][value=cvc-ehpad]")
    page.select_option("select[name=mode]", "exam")
    page.fill("input[name=opens_at]", (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=due_at]", (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"))
    page.fill("input[name=attempts_allowed]", "2")
    page.click("form.assign-form button[type=submit]")
    page.wait_for_selector("section.assignment")
    assert page.locator("section.assignment").count() == 2
    assert page.locator("section.assignment >> text=Alice Dupont").count() == 2
    assert "à faire" in page.inner_text("section.assignment table.follow")
    shot(page, "20-enseignant-devoirs")
    desk.close()

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, bypass_csp=True)
    student = phone.new_page()
    student.on("pageerror", lambda exc: errors.append(str(exc)))
    login(student, url, "alice.dupont")
    student.wait_for_url(url + "/eleve")
    todo = student.inner_text("section.todo")
    assert "À faire" in todo and "examen" in todo and "0 / 2" in todo
    assert (now + timedelta(days=7)).strftime("%d/%m/%Y") in todo
    shot(student, "21-eleve-a-faire")
    phone.close()

    desk = browser.new_context(viewport={"width": 1366, "height": 900}, bypass_csp=True)
    page = desk.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, url, "prof.martin")
    page.wait_for_url(url + "/enseignant")
    page.goto(url + "/enseignant/eleves/alice.dupont")
    page.click("text=Comparer deux tentatives")
    page.select_option("select[name=scenario]", "impaye-relance")
    page.click("form.filters button[type=submit]")
    page.wait_for_selector("table.compare")
    row = page.locator("#crit-C1\\.2\\.1-b")
    assert "progrès" in row.inner_text() and "Vous voulez acheter ?" in row.inner_text()
    assert "Comment utilisez-vous" in row.inner_text()
    assert "stable" in page.locator("#crit-C1\\.2\\.1-a").inner_text()
    shot(page, "22-enseignant-comparaison")
    page.goto(url + f"/enseignant/classes/{group}/progression")
    assert "Alice Dupont 1→3" in page.locator("#crit-C1\\.2\\.1-b").inner_text()
    shot(page, "23-enseignant-progression-classe")
    desk.close()
    assert not errors, errors
