"""The debrief page (issue 12): self-assessment before the scores, the teacher's word final on every
surface, the model transcript only once released. In process (TestClient) on the seeded database."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pypdf
from markupsafe import escape
from sqlalchemy import select

from bot.assessment import teaching
from bot.assessment.grading import final_grade, french
from bot.assessment.rubric import default_rubric
from bot.engine.library import load_library
from bot.storage.debrief_records import model_released, self_assessment
from bot.storage.models import CriterionScore, ScoreOverride, SimSession
from bot.web.routes.student import session_groups
from tests.web.played import store_played
from tests.web.test_api import API, token_for

RUBRIC = default_rubric()
BLOCKS = session_groups(RUBRIC, "negotiation")  # the blocks of a sale (the seeded sessions are sales)


def _self_assess(web, http, session_id: str, level: str = "2"):
    page = f"/eleve/seances/{session_id}"
    data = {f"bloc-{b}": level for b in BLOCKS}
    data["csrf_token"] = web.csrf(http, page)
    return http.post(web.url + page + "/auto-evaluation", data=data, follow_redirects=False)


def test_the_student_rates_themself_before_seeing_the_scores(web):
    alice = web.login("alice.dupont")
    page = f"/eleve/seances/{web.ids['session']}"
    html = alice.get(web.url + page).text
    assert "D'abord, votre auto-évaluation" in html and "C1.2.1-b" not in html and "12,5" not in html
    for block in BLOCKS:
        assert f'name="bloc-{block}"' in html
    # an incomplete form gets a clear French answer and stores nothing
    token = web.csrf(alice, page)
    partial = {f"bloc-{BLOCKS[0]}": "2", "csrf_token": token}
    resp = alice.post(web.url + page + "/auto-evaluation", data=partial, follow_redirects=False)
    assert resp.status_code == 400 and "Choisissez votre niveau" in resp.text
    forged = alice.post(web.url + page + "/auto-evaluation", data={f"bloc-{b}": "2" for b in BLOCKS})
    assert forged.status_code == 403
    with web.db() as s:
        assert self_assessment(s, web.ids["session"]) == {}
    assert _self_assess(web, alice, web.ids["session"]).status_code == 303
    html = alice.get(web.url + page).text
    assert "C1.2.1-b" in html and "Votre auto-évaluation et l'évaluation automatique" in html
    assert RUBRIC.grade_label in html and "CCST" in html
    # the first answer was given blind: a second one does not replace it
    assert _self_assess(web, alice, web.ids["session"], "0").status_code == 303
    with web.db() as s:
        assert set(self_assessment(s, web.ids["session"]).values()) == {2}
    teacher = web.login("prof.martin").get(web.url + f"/enseignant/seances/{web.ids['session']}").text
    assert "Auto-évaluation de l'élève" in teacher and "pas encore auto-évalué" not in teacher
    # and on the fiche the teacher prints for the interview
    pdf = web.login("prof.martin").get(web.url + f"/enseignant/seances/{web.ids['session']}/fiche.pdf").content
    text = " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "Auto-évaluation de l'élève" in text and f"{RUBRIC.groups[BLOCKS[0]]['label']} : l'élève S" in text


def test_a_student_cannot_self_assess_another_students_session(web):
    bob = web.login("bob.leroy")
    token = web.csrf(bob, "/eleve")
    data = {**{f"bloc-{b}": "3" for b in BLOCKS}, "csrf_token": token}
    resp = bob.post(web.url + f"/eleve/seances/{web.ids['session']}/auto-evaluation", data=data)
    assert resp.status_code == 404


def test_the_teachers_score_changes_the_grade_everywhere(web):
    teacher = web.login("prof.martin")
    page = f"/enseignant/seances/{web.ids['session']}"
    token = web.csrf(teacher, page)
    resp = teacher.post(
        web.url + page + "/correction-note",
        data={"criterion_id": "C1.2.1-b", "score": "3", "comment": "Bonnes questions", "csrf_token": token},
        follow_redirects=False,
    )
    assert resp.status_code == 303
    with web.db() as s:
        autos = {c.criterion_id: c.score for c in s.scalars(select(CriterionScore))}
        overs = {o.criterion_id: o.score for o in s.scalars(select(ScoreOverride))}
    expected = final_grade(RUBRIC, "air-plasturgie", "negotiation", 12.5, autos, overs)
    assert expected.final is not None and expected.final > 12.5
    final, automatic = french(expected.final), french(12.5)
    # the teacher's page
    html = teacher.get(web.url + page).text
    assert f'<span class="grade-final">{final}</span>' in html and f"automatique {automatic}" in html
    # the session lists
    assert f'<span class="grade-final">{final}</span>' in teacher.get(web.url + "/enseignant/seances").text
    # the CSV: final grade and automatic grade side by side
    rows = list(
        csv.reader(
            io.StringIO(teacher.get(web.url + "/enseignant/export.csv").content.decode("utf-8-sig")), delimiter=";"
        )
    )
    header, body = rows[0], rows[1:]
    assert {r[header.index("note_20")] for r in body} == {str(expected.final)}
    assert {r[header.index("note_20_auto")] for r in body} == {"12.5"}
    # the PDF fiche
    pdf = teacher.get(web.url + page + "/fiche.pdf").content
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert f"situation de négociation : {final} / 20" in text.replace("\n", " ")
    assert f"Note automatique : {automatic} / 20" in text and "NDRC" in text
    # the results API
    sessions = (
        web.session()
        .get(web.url + API.format("alice.dupont"), headers={"Authorization": f"Bearer {token_for(web, 'prof.martin')}"})
        .json()
    )
    assert sessions[0]["grade_20"] == expected.final and sessions[0]["grade_20_automatic"] == 12.5
    # the student's debrief page and list
    alice = web.login("alice.dupont")
    _self_assess(web, alice, web.ids["session"])
    assert (
        f'<span class="grade-final">{final}</span>' in alice.get(web.url + f"/eleve/seances/{web.ids['session']}").text
    )
    assert f'<span class="grade-final">{final}</span>' in alice.get(web.url + "/eleve").text


def test_the_model_transcript_is_shown_only_once_released(web):
    model = load_library().scenario("air-plasturgie").model_transcript
    assert model
    alice = web.login("alice.dupont")
    _self_assess(web, alice, web.ids["session"])
    page = f"/eleve/seances/{web.ids['session']}"
    assert "Le corrigé publié" not in alice.get(web.url + page).text
    # another class's teacher cannot release it
    durand = web.login("prof.durand")
    token = web.csrf(durand, "/enseignant")
    resp = durand.post(web.url + f"/enseignant/seances/{web.ids['session']}/corrige", data={"csrf_token": token})
    assert resp.status_code in (403, 404)
    teacher = web.login("prof.martin")
    teacher_page = f"/enseignant/seances/{web.ids['session']}"
    assert "Publier le corrigé" in teacher.get(web.url + teacher_page).text
    with web.db() as s:  # a later attempt of the same student, on the same scenario
        s.add(SimSession(id="later-alice", learner_id="alice.dupont", scenario_id="air-plasturgie",
                         started_at=datetime(2026, 11, 27, 9, 0)))  # fmt: skip
        s.commit()
    token = web.csrf(teacher, teacher_page)
    resp = teacher.post(
        web.url + teacher_page + "/corrige", data={"portee": "seance", "csrf_token": token}, follow_redirects=False
    )
    assert resp.status_code == 303
    html = alice.get(web.url + page).text
    assert "Le corrigé publié par votre enseignant" in html and model[0].text.split(",")[0] in html
    with web.db() as s:
        assert not model_released(s, s.get(SimSession, "later-alice"))
    resp = teacher.post(
        web.url + teacher_page + "/corrige", data={"portee": "classe", "csrf_token": token}, follow_redirects=False
    )
    with web.db() as s:
        assert model_released(s, s.get(SimSession, "later-alice"))
        assert "Corrigé publié" in teacher.get(web.url + teacher_page).text


def test_a_poor_session_page_teaches_what_was_missed_and_the_expected_answers(web):
    library = load_library()
    with web.db() as s:
        played = store_played(s, library, "alice.dupont", "cvc-ehpad-poor", "poor-cvc")
    scenario = library.scenario("cvc-ehpad")
    alice = web.login("alice.dupont")
    _self_assess(web, alice, "poor-cvc", "3")
    html = alice.get(web.url + "/eleve/seances/poor-cvc").text
    assert "Le bilan du coach" in html and "Informations clés non découvertes" in html
    missed = teaching.missed_key_facts(scenario, played.assessment)
    assert missed and all(escape(f.label) in html for f in missed)
    expected = [r.expected for r in teaching.objection_reports(scenario, played.assessment) if r.expected]
    assert expected and all(escape(text) in html for text in expected)
    assert "vous vous êtes surestimé·e" in html  # a self-assessment of TS beside a poor session
