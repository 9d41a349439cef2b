"""The catalogue page and the start form's level and variant (TestClient, Rasa unreachable)."""

from __future__ import annotations

import json

import pytest

from bot.engine.library import default_library

CARD = 'class="card" id="sc-'


@pytest.fixture(scope="module")
def student(web):
    return web.login("alice.dupont")


@pytest.fixture(scope="module")
def teacher(web):
    return web.login("prof.martin")


def test_the_catalogue_lists_every_scenario_with_levels_and_criteria(web, student):
    page = student.get(web.url + "/catalogue")
    assert page.status_code == 200
    assert page.text.count(CARD) == len(default_library().scenario_ids)
    assert "Découverte" in page.text and "Examen" in page.text and "45 messages" in page.text
    assert "Critères travaillés" in page.text and "C1.2.1-b" in page.text
    assert 'href="/eleve/scenarios/cvc-ehpad"' in page.text and "Obtenir le lien" not in page.text


def test_the_filters_keep_the_matching_scenarios(web, student):
    library = default_library()
    c2 = student.get(web.url + "/catalogue", params={"competence": "C2"}).text
    assert c2.count(CARD) == sum(
        1 for s in library.scenarios.values() if any(c.startswith("C2") for c in s.competences)
    )
    assert 'id="sc-appel-entrant-mecontent"' in c2 and 'id="sc-air-plasturgie"' not in c2
    short = student.get(web.url + "/catalogue", params={"duree": "court"}).text
    assert 'id="sc-relance-devis"' in short and 'id="sc-cvc-ehpad"' not in short
    sector = library.scenario("cvc-ehpad").sector
    one = student.get(web.url + "/catalogue", params={"secteur": sector}).text
    same = sum(1 for s in library.scenarios.values() if s.sector == sector)  # the desk task of the same world
    assert one.count(CARD) == same and 'id="sc-cvc-ehpad"' in one and 'id="sc-air-plasturgie"' not in one
    exam = student.get(web.url + "/catalogue", params={"niveau": "examen"}).text
    assert "Examen (" in exam and "Découverte (" not in exam


def test_bad_filters_get_a_french_answer(web, student):
    assert "Niveau inconnu" in student.get(web.url + "/catalogue", params={"niveau": "expert"}).text
    assert student.get(web.url + "/catalogue", params={"duree": "<script>"}).status_code == 400


def test_a_teacher_gets_the_link_of_a_fixed_variant_for_the_class(web, teacher):
    page = teacher.get(web.url + "/catalogue", params={"lien": "cvc-ehpad", "variante": "7"})
    assert page.status_code == 200
    assert "/eleve/simulation?scenario=cvc-ehpad&amp;mode=exam&amp;niveau=examen&amp;variante=7" in page.text
    assert "/scenario cvc-ehpad examen variante 7" in page.text  # the same start on Telegram
    assert teacher.get(web.url + "/catalogue", params={"lien": "cvc-ehpad", "variante": "-1"}).status_code == 400
    assert teacher.get(web.url + "/catalogue", params={"lien": "nope", "variante": "1"}).status_code == 404


def test_the_catalogue_is_linked_from_both_home_pages(web, student, teacher):
    assert 'href="/catalogue"' in student.get(web.url + "/eleve").text
    assert 'href="/catalogue"' in teacher.get(web.url + "/enseignant").text


def test_the_briefing_page_offers_the_three_levels(web, student):
    page = student.get(web.url + "/eleve/scenarios/cvc-ehpad").text
    for link in ("niveau=decouverte", "niveau=standard", "mode=exam&amp;niveau=examen"):
        assert link in page
    chat = student.get(
        web.url + "/eleve/simulation", params={"scenario": "cvc-ehpad", "niveau": "examen", "variante": "7"}
    )
    assert 'data-level="examen"' in chat.text and 'data-variant="7"' in chat.text
    bad = student.get(web.url + "/eleve/simulation", params={"scenario": "cvc-ehpad", "niveau": "expert"})
    assert bad.status_code == 400 and "Niveau inconnu" in bad.text


def test_the_start_message_carries_level_and_variant(web):
    from starlette.requests import Request

    from bot.web.routes.student import start_command

    request = Request({"type": "http", "app": web.client.app, "headers": []})
    db = web.db()
    command = json.loads(start_command(request, db, "cvc-ehpad", "exam").removeprefix("/start_scenario"))
    assert command == {"scenario_id": "cvc-ehpad", "mode": ["exam", "level:examen", "variant:auto"]}
    command = json.loads(
        start_command(request, db, "cvc-ehpad", None, "decouverte", "12").removeprefix("/start_scenario")
    )
    assert command["mode"] == ["training", "level:decouverte", "variant:12"]
    db.close()


def test_a_bad_level_or_variant_at_the_start_is_refused_in_french(web, student):
    token = web.csrf(student, "/eleve/simulation?scenario=cvc-ehpad")
    headers = {"X-CSRF-Token": token}
    for payload, detail in (
        ({"scenario_id": "cvc-ehpad", "level": "expert"}, "Niveau inconnu"),
        ({"scenario_id": "cvc-ehpad", "variant": "abc"}, "Variante invalide"),
        ({"scenario_id": "cvc-ehpad", "variant": True}, "Variante invalide"),
    ):
        resp = student.post(web.url + "/eleve/api/start", json=payload, headers=headers)
        assert resp.status_code == 400 and detail in resp.json()["detail"], payload


def test_the_desk_tasks_are_listed_under_c3_with_their_page_and_no_sheet_for_the_exam(web, student):
    c3 = student.get(web.url + "/catalogue", params={"competence": "C3"}).text
    assert c3.count(CARD) == 2 and 'id="sc-cr-visite-ehpad"' in c3 and 'id="sc-cdc-facturation-electronique"' in c3
    assert "rédaction" in c3 and "C3.1-c" in c3 and "Lire la consigne" in c3 and "C1.2.1-b" not in c3
    page = student.get(web.url + "/eleve/scenarios/cdc-facturation-electronique")
    assert page.status_code == 200 and "La consigne" in page.text and "M. Julien Carré" in page.text
    assert "fiche de préparation" not in page.text.lower()
    exam = student.get(web.url + "/eleve/simulation", params={"scenario": "cr-visite-ehpad", "mode": "exam"})
    assert exam.status_code == 200 and "preparation" not in str(exam.url)  # no sheet to fill for a desk task
