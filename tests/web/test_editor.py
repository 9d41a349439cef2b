"""The scenario editor against the real app and database: checks per field, versions frozen once
published or played, visibility, the library the action server reads, YAML export and import."""

from __future__ import annotations

from datetime import datetime

import pytest
import yaml

from bot.storage import authored
from bot.storage.models import SimSession
from tests.web.small_scenario import small

BASE = "/enseignant/scenarios/editeur"


def teacher(web, username: str = "prof.martin"):
    http = web.login(username)
    http.headers["X-CSRF-Token"] = web.csrf(http, BASE)
    return http


def post(web, http, path: str, payload):
    return http.post(web.url + BASE + path, json=payload)


def test_the_check_answers_per_field_in_french_with_the_students_sheet(web):
    http = teacher(web)
    ok = post(web, http, "/api/valider", {"scenario": small()}).json()
    assert ok["ok"] and ok["errors"] == []
    assert "Fiche de préparation : Imprimantes pour une agence immobilière" in ok["preview"]
    body = small()
    body["facts"][1]["open"] = ""
    body["catalogue"][0]["price"] = "huit cents"
    body["objections"][0]["trigger"] = "demain"
    bad = post(web, http, "/api/valider", {"scenario": body}).json()
    found = {e["path"]: e["message"] for e in bad["errors"]}
    assert not bad["ok"]
    assert found["facts[2].open"] == "champ obligatoire manquant"
    assert found["catalogue[1].price"] == "un nombre est attendu"
    assert found["objections[1].trigger"].startswith("valeur non autorisée")
    spoiler = small()
    spoiler["briefing"]["known"] = ["L'agence imprime 3 000 pages par mois."]
    leaked = post(web, http, "/api/valider", {"scenario": spoiler}).json()
    assert leaked["errors"] == [
        {"path": "briefing", "message": "la fiche de préparation dévoile le fait « volume » : le chiffre « 3000 »"}
    ]
    assert post(web, http, "/api/valider", {"scenario": "id: x"}).json()["ok"] is False


def test_a_draft_is_offered_to_students_only_once_published_and_each_version_is_frozen(web):
    http = teacher(web)
    saved = post(web, http, "/api/enregistrer", {"scenario": small(), "visibility": "private"})
    assert saved.status_code == 200, saved.text
    assert saved.json()["key"] == "vente-imprimantes@1"
    # a second save of an unpublished, unplayed draft changes it in place
    assert post(web, http, "/api/enregistrer", {"scenario": small(), "visibility": "school"}).json()["version"] == 1
    student = web.login("alice.dupont")
    assert "vente-imprimantes@1" not in student.get(web.url + "/eleve").text
    assert student.get(web.url + "/eleve/scenarios/vente-imprimantes@1").status_code == 404
    library = authored.current_library(web.db_url)
    assert "vente-imprimantes@1" in library.scenarios and "vente-imprimantes@1" not in library.scenario_ids

    assert post(web, http, "/api/publier", {"slug": "vente-imprimantes"}).json()["key"] == "vente-imprimantes@1"
    assert "/eleve/scenarios/vente-imprimantes@1" in student.get(web.url + "/eleve").text
    sheet = student.get(web.url + "/eleve/scenarios/vente-imprimantes@1").text
    assert "Imprimantes pour une agence immobilière" in sheet and "Mme Lefort" in sheet

    # published: an edit is version 2, students keep version 1 until it is published
    edited = small(title="Imprimantes et scanners")
    assert post(web, http, "/api/enregistrer", {"scenario": edited, "visibility": "school"}).json()["version"] == 2
    home = student.get(web.url + "/eleve").text
    assert "vente-imprimantes@1" in home and "vente-imprimantes@2" not in home
    post(web, http, "/api/publier", {"slug": "vente-imprimantes"})
    home = student.get(web.url + "/eleve").text
    assert "vente-imprimantes@2" in home and "vente-imprimantes@1" not in home
    library = authored.current_library(web.db_url)
    assert library.scenario("vente-imprimantes@1").title == "Imprimantes pour une agence immobilière"
    assert library.scenario("vente-imprimantes@2").title == "Imprimantes et scanners"


def test_a_played_draft_is_frozen_too(web):
    http = teacher(web)
    body = small(id="essai-joue", title="Joué")
    assert post(web, http, "/api/enregistrer", {"scenario": body, "visibility": "private"}).json()["version"] == 1
    with web.db() as s:
        s.add(SimSession(id="played-essai-joue", learner_id="alice.dupont", scenario_id="essai-joue@1",
                         started_at=datetime(2026, 12, 1, 9, 0)))  # fmt: skip
        s.commit()
    assert post(web, http, "/api/enregistrer", {"scenario": body, "visibility": "private"}).json()["version"] == 2


def test_visibility_and_ownership(web):
    martin, durand = teacher(web), teacher(web, "prof.durand")
    body = small(id="prive-martin", title="Privé")
    post(web, martin, "/api/enregistrer", {"scenario": body, "visibility": "private"})
    assert durand.get(web.url + BASE + "/prive-martin").status_code == 404
    assert "prive-martin" not in durand.get(web.url + BASE).text
    refused = post(web, durand, "/api/enregistrer", {"scenario": body, "visibility": "private"})
    assert refused.status_code == 422
    assert refused.json()["detail"] == "L'identifiant « prive-martin » est déjà utilisé par un autre enseignant."
    assert post(web, durand, "/api/publier", {"slug": "prive-martin"}).status_code == 404
    post(web, martin, "/api/enregistrer", {"scenario": body, "visibility": "school"})
    page = durand.get(web.url + BASE + "/prive-martin").text
    assert "Scénario d'un collègue" in page
    builtin = post(web, martin, "/api/enregistrer", {"scenario": small(id="air-plasturgie"), "visibility": "private"})
    assert "scénario intégré" in builtin.json()["detail"]
    odd = post(web, martin, "/api/enregistrer", {"scenario": small(id="../Etc"), "visibility": "private"})
    assert odd.json()["detail"].startswith("Identifiant invalide")
    student = web.login("alice.dupont")
    assert student.get(web.url + BASE).status_code == 403


def test_export_import_and_duplicate(web):
    http = teacher(web)
    post(web, http, "/api/enregistrer", {"scenario": small(id="export-test"), "visibility": "private"})
    exported = http.get(web.url + BASE + "/export-test/export.yml")
    assert exported.status_code == 200 and "export-test-v1.yml" in exported.headers["content-disposition"]
    assert yaml.safe_load(exported.text)["facts"][0]["open"] == "Elles tombent en panne chaque semaine, c'est usant."
    token = web.csrf(http, BASE)
    page = http.post(
        web.url + BASE + "/importer",
        data={"csrf_token": token},
        files={"scenario_file": ("mon-scenario.yml", exported.content, "application/x-yaml")},
    )
    assert page.status_code == 200 and "Fichier « mon-scenario.yml » ouvert" in page.text
    assert "Elles tombent en panne chaque semaine" in page.text
    bomb = b"a: &a [x, x]\nb: [*a, *a]\n"
    refused = http.post(
        web.url + BASE + "/importer", data={"csrf_token": token}, files={"scenario_file": ("b.yml", bomb, "text/yaml")}
    )
    assert refused.status_code == 400 and "ancres et alias" in refused.text
    copy = http.get(web.url + BASE + "/nouveau?depuis=air-plasturgie").text
    assert "air-plasturgie-copie" in copy
    assert "export-test-copie" in http.get(web.url + BASE + "/nouveau?depuis=export-test@1").text
    assert http.get(web.url + BASE + "/nouveau?depuis=..%2Fsecrets").status_code == 404


@pytest.mark.parametrize(
    "path", ["/enseignant/scenarios/essai/inconnu@1", "/enseignant/scenarios/essai/air-plasturgie"]
)
def test_trial_needs_a_saved_editor_scenario(web, path):
    assert teacher(web).get(web.url + path).status_code == 404


def test_the_trial_debrief_page_renders_for_its_teacher(web):
    """The « jouer en test » debrief reuses the student's debrief page (it failed to import after the
    debrief page moved to its own routes module: the whole app did not start)."""
    from bot.storage.models import CriterionScore, Learner, User

    http = teacher(web)
    with web.db() as s:
        martin = s.query(User).filter_by(username="prof.martin").one()
        trial = f"essai-enseignant-{martin.id}"
        if s.get(Learner, trial) is None:
            s.add(Learner(id=trial, display_name="Essai"))
        start = datetime(2026, 12, 1, 10, 0)
        s.add(SimSession(id="trial-debrief", learner_id=trial, scenario_id="air-plasturgie", started_at=start,
                         ended_at=start, outcome="won", grade_20=13.0, scored_at=start))  # fmt: skip
        s.add(CriterionScore(session_id="trial-debrief", criterion_id="C1.2.1-a", score=2, level="S",
                             explanation="Présentation claire.", advice="", evidence_turns=[]))  # fmt: skip
        s.commit()
    page = http.get(web.url + "/enseignant/scenarios/essai/bilan/trial-debrief")
    assert page.status_code == 200, page.text[:300]
    assert "13,0" in page.text and "Présentation claire." in page.text
    assert "/auto-evaluation" not in page.text  # the students' step, a route a teacher cannot post to
    assert (
        teacher(web, "prof.durand").get(web.url + "/enseignant/scenarios/essai/bilan/trial-debrief").status_code == 404
    )


def test_an_assignment_keeps_the_version_its_students_play(web):
    """Issue 15 item 4: a teacher's scenario used by an assignment is frozen in its version. Once a newer
    version is published, the assigned one is no longer listed but the « À faire » still opens it."""
    from datetime import timedelta

    from bot.storage.models import Assignment

    http = teacher(web)
    body = small(id="devoir-versionne", title="Devoir en version 1")
    post(web, http, "/api/enregistrer", {"scenario": body, "visibility": "school"})
    assert post(web, http, "/api/publier", {"slug": "devoir-versionne"}).json()["key"] == "devoir-versionne@1"
    now = datetime.utcnow()
    with web.db() as s:
        s.add(Assignment(group_id=int(web.ids["group1"]), scenario_id="devoir-versionne@1", mode="training",
                         opens_at=now - timedelta(hours=1), due_at=now + timedelta(days=1), attempts_allowed=1))  # fmt: skip
        s.commit()
    post(web, http, "/api/enregistrer", {"scenario": small(id="devoir-versionne", title="V2"), "visibility": "school"})
    assert post(web, http, "/api/publier", {"slug": "devoir-versionne"}).json()["key"] == "devoir-versionne@2"
    post(web, http, "/api/enregistrer", {"scenario": small(id="devoir-versionne", title="V3"), "visibility": "school"})

    student = web.login("alice.dupont")
    home = student.get(web.url + "/eleve").text
    assert "/eleve/simulation?scenario=devoir-versionne@1&amp;mode=training" in home
    assert "Devoir en version 1" in home  # its title, not its key
    assert student.get(web.url + "/eleve/scenarios/devoir-versionne@1").status_code == 200
    assert student.get(web.url + "/eleve/simulation?scenario=devoir-versionne@1").status_code == 200
    # a draft is never opened by a student
    assert student.get(web.url + "/eleve/scenarios/devoir-versionne@3").status_code == 404
    assert student.get(web.url + "/eleve/scenarios/devoir-versionne@3/preparation").status_code == 404
    assert student.get(web.url + "/eleve/scenarios/devoir-versionne@1/preparation").status_code == 200
    assert student.get(web.url + "/eleve/simulation?scenario=devoir-versionne@3").status_code == 404
    token = web.csrf(student, "/eleve")
    draft = student.post(web.url + "/eleve/api/start", json={"scenario_id": "devoir-versionne@3"},
                         headers={"X-CSRF-Token": token})  # fmt: skip
    assert draft.status_code == 404 and draft.json()["detail"] == "Scénario inconnu."
