"""The catalogue in Debian's Chromium on a phone screen: a student filters, a teacher gets a class link.

The web app alone (no Rasa: the catalogue needs none), served by uvicorn; screenshots in
``results/screenshots/``.
"""

from __future__ import annotations

import pytest

from tests.e2e.browsing import login, shot
from tests.web.conftest import start_web

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@pytest.fixture(scope="module")
def web_alone(tmp_path_factory):
    app = start_web(tmp_path_factory.mktemp("catalogue"))
    try:
        yield app
    finally:
        app.process.terminate()
        app.process.wait(timeout=15)


def test_student_filters_the_catalogue_and_teacher_gets_a_class_link(web_alone, browser):
    student = browser.new_page(viewport={"width": 390, "height": 844})
    login(student, web_alone.url, "alice.dupont")
    student.click("a[href='/catalogue']")
    student.wait_for_selector("#filters")
    total = student.locator(".catalogue > li.card").count()
    assert total >= 15
    student.select_option("select[name=competence]", "C2")
    student.select_option("select[name=niveau]", "examen")
    student.click("#filters button[type=submit]")
    student.wait_for_url("**/catalogue?*competence=C2*")
    kept = student.locator(".catalogue > li.card").count()
    assert 0 < kept < total
    assert "Examen (" in student.content() and "Découverte (" not in student.content()
    shot(student, "catalogue-student-phone")
    student.click("#sc-appel-entrant-mecontent a.button")
    student.wait_for_selector(".levels")
    assert student.locator(".levels li.card").count() == 3
    shot(student, "scenario-levels-phone")

    teacher = browser.new_page(viewport={"width": 1280, "height": 900})
    login(teacher, web_alone.url, "prof.martin")
    teacher.goto(web_alone.url + "/catalogue")
    teacher.fill("#sc-cvc-ehpad input[name=variante]", "7")
    teacher.click("#sc-cvc-ehpad button[type=submit]")
    teacher.wait_for_selector("#class-link")
    assert "variante=7" in teacher.inner_text("#class-link")
    shot(teacher, "catalogue-teacher-class-link")
