"""The preparation sheet on the web: the form, its JSON API, exam mode, the teacher's view and the PDF."""

from __future__ import annotations

import io
import re
from datetime import datetime

import pypdf

from bot.storage.models import PreparationSheetRow
from bot.web.security import widget_token
from tests.unit.test_preparation_sheet import FULL

PAGE = "/eleve/scenarios/air-plasturgie/preparation"
API = "/eleve/api/preparation/air-plasturgie"


def test_form_saves_a_draft_then_submits(web):
    alice = web.login("alice.dupont")
    html = alice.get(web.url + PAGE).text
    assert "Objectifs SMART" in html and "Plan de découverte" in html and "le circuit de décision" in html
    token = web.csrf(alice, PAGE)
    form = {
        "csrf_token": token,
        "action": "draft",
        "objectives.optimal": "29 800 € sans remise",
        "questions.0.topic": "contrainte",
        "questions.0.question": "Quelles normes vos clients imposent-ils ?",
        "questions.1.topic": "budget",
        "questions.1.question": "",  # an empty line is dropped
    }
    resp = alice.post(web.url + PAGE, data=form)
    assert resp.status_code == 200 and "Brouillon enregistré." in resp.text and "brouillon" in resp.text
    assert "Quelles normes vos clients imposent-ils ?" in resp.text
    incomplete = alice.post(web.url + PAGE, data={**form, "action": "submit"})
    assert (
        incomplete.status_code == 422 and "Point de rupture : à remplir avant de valider la fiche." in incomplete.text
    )
    full = {
        **form,
        "action": "submit",
        "objectives.realistic": "28 900 €",
        "objectives.fallback": "3 % contre 3 ans de maintenance",
        "objectives.breaking_point": "27 500 €",
    }
    done = alice.post(web.url + PAGE, data=full, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("?fiche=validee")
    briefing = alice.get(web.url + done.headers["location"]).text
    assert "Fiche de préparation validée" in briefing and "<table" in briefing and "VSD-45" in briefing
    sheet = alice.get(web.url + API).json()
    assert sheet["status"] == "validée" and sheet["sheet"]["questions"][0]["topic"] == "contrainte"


def test_json_api_get_put_and_french_errors(web):
    bob = web.login("bob.leroy")
    token = web.csrf(bob, PAGE)
    assert bob.get(web.url + API).json()["status"] == "nouvelle"
    headers = {"X-CSRF-Token": token}
    assert bob.put(web.url + API, json={"sheet": FULL}).status_code == 403  # no CSRF token
    bad = bob.put(web.url + API, json={"sheet": {"questions": [{"topic": "meteo", "question": "?"}]}}, headers=headers)
    assert bad.status_code == 422 and "thème inconnu « meteo »" in bad.json()["errors"][0]
    draft = bob.put(web.url + API, json={"sheet": FULL}, headers=headers)
    assert draft.status_code == 200 and draft.json()["status"] == "brouillon" and draft.json()["missing"] == []
    done = bob.put(web.url + API, json={"sheet": FULL, "submit": True}, headers=headers).json()
    assert done["status"] == "validée" and done["submitted_at"]
    assert web.session().get(web.url + API).status_code == 401
    assert bob.get(web.url + "/eleve/api/preparation/inconnu").status_code == 404


def test_widget_api_with_the_bearer_token(web):
    http = web.session()
    auth = {"Authorization": "Bearer " + widget_token("test-widget-secret", "eve.garcia")}
    url = web.url + "/widget/api/preparation/cvc-ehpad"
    assert http.get(url).status_code == 401
    resp = http.put(url, json={"sheet": {"documents": ["Fiche technique"]}}, headers=auth)
    assert resp.status_code == 200 and resp.json()["sheet"]["documents"] == ["Fiche technique"]
    assert http.get(url, headers=auth).json()["status"] == "brouillon"


def test_exam_needs_a_submitted_sheet(web):
    eve = web.login("eve.garcia")
    token = web.csrf(eve, "/eleve")
    start = {"scenario_id": "info-cabinet", "mode": "exam"}
    refused = eve.post(web.url + "/eleve/api/start", json=start, headers={"X-CSRF-Token": token})
    assert refused.status_code == 409 and "fiche de préparation" in refused.json()["detail"]
    page = eve.get(web.url + "/eleve/simulation?scenario=info-cabinet&mode=exam", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].endswith("/preparation?examen=1")
    assert "Mode examen : remplissez et validez" in eve.get(web.url + page.headers["location"]).text
    eve.put(web.url + "/eleve/api/preparation/info-cabinet", json={"sheet": FULL, "submit": True},
            headers={"X-CSRF-Token": token})  # fmt: skip
    # the sheet no longer blocks the start (Rasa is not running in these tests: any answer but 409)
    assert eve.post(web.url + "/eleve/api/start", json=start, headers={"X-CSRF-Token": token}).status_code != 409
    training = eve.post(web.url + "/eleve/api/start", json={"scenario_id": "cvc-ehpad", "mode": "training"},
                        headers={"X-CSRF-Token": token})  # fmt: skip
    assert training.status_code != 409


def test_teacher_sees_sheet_beside_transcript_and_in_the_pdf(web):
    hostile = {**FULL, "documents": ["<script>window.__xss = 3</script>Étude ROI"]}
    with web.db() as s:
        s.add(
            PreparationSheetRow(
                learner_id="alice.dupont", scenario_id="air-plasturgie", session_id=web.ids["session"],
                content=hostile, submitted_at=datetime(2026, 11, 20, 8, 50), updated_at=datetime(2026, 11, 20, 8, 50),
            )
        )  # fmt: skip
        s.commit()
    teacher = web.login("prof.martin")
    html = teacher.get(web.url + f"/enseignant/seances/{web.ids['session']}").text
    assert 'id="fiche-preparation"' in html and "split wide three" in html
    assert "Qui d&#39;autre participe à la décision ?" in html and "<script>window.__xss = 3" not in html
    pdf = teacher.get(web.url + f"/enseignant/seances/{web.ids['session']}/fiche.pdf")
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Fiche de préparation rédigée par le candidat" in text and "Pas en dessous de 27 500" in text
    other = web.login("prof.durand")
    assert other.get(web.url + f"/enseignant/seances/{web.ids['session']}").status_code == 404


def test_debrief_is_a_summary_card_then_criteria_that_unfold(web):
    alice = web.login("alice.dupont")
    page = web.url + f"/eleve/seances/{web.ids['session']}"
    html = alice.get(page).text
    # the self-assessment comes first: no grade before it (the debrief's order)
    assert 'id="auto-evaluation"' in html and 'class="card summary-card"' not in html
    blocks = sorted(set(re.findall(r'name="(bloc-[^"]+)"', html)))
    assert blocks
    form = {name: "2" for name in blocks}
    form["csrf_token"] = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert alice.post(page + "/auto-evaluation", data=form, follow_redirects=False).status_code == 303
    html = alice.get(page).text
    assert 'class="card summary-card"' in html and '<span class="grade-final">12,5</span> / 20' in html
    assert html.count('<details class="criterion"') >= 19 and '<table class="criteria"' not in html
