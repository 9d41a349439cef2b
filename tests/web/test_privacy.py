"""RGPD pages of the web app (issue 14): privacy notice, data export, audit trail, pseudonymised CSV, erasure.

The app runs in process on a seeded SQLite database (tests/web/conftest.py); the same
export and erasure code is checked on PostgreSQL with Rasa's tracker rows in
tests/unit/test_learner_data.py. The erasure test comes last: it removes Alice.
"""

from __future__ import annotations

import csv
import io

from pypdf import PdfReader
from sqlalchemy import select

from bot.storage.models import AuditEvent, Learner, SimSession, User
from tests.unit.test_learner_data import everything
from tests.web.test_api import get, token_for


def audit_rows(web, action: str):
    with web.db() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_privacy_page_is_public_french_and_linked(web):
    http = web.session()
    page = http.get(web.url + "/confidentialite")
    assert page.status_code == 200
    for words in ("Ce qui est conservé", "Combien de temps", "365 jours", "Qui les voit", "CNIL", "mineurs"):
        assert words in page.text
    assert 'href="/confidentialite"' in http.get(web.url + "/connexion").text


def test_a_student_downloads_own_data_and_only_it(web):
    http = web.login("alice.dupont")
    resp = http.get(web.url + "/eleve/mes-donnees.json")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("application/json")
    data = resp.json()
    assert [s["id"] for s in data["tables"]["sessions"]] == ["seeded-session-alice"]
    assert len(data["tables"]["turns"]) == 4 and data["tables"]["criterion_scores"]
    assert "bob.leroy" not in resp.text and "password_hash" not in resp.text
    pdf = http.get(web.url + "/eleve/mes-donnees.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Mes données" in text and "air-plasturgie" in text and "Quels sont vos besoins" in text
    assert http.get(web.url + "/eleve/mes-donnees.xml").status_code == 404
    assert http.get(web.url + "/enseignant/eleves/alice.dupont/donnees.json").status_code == 403
    exports = audit_rows(web, "export_json")
    assert exports and exports[-1].actor == "alice.dupont" and exports[-1].learner_id == "alice.dupont"


def test_teachers_export_the_learners_of_their_classes_only(web):
    martin = web.login("prof.martin")
    resp = martin.get(web.url + "/enseignant/eleves/alice.dupont/donnees.json")
    assert resp.status_code == 200 and resp.json()["learner_id"] == "alice.dupont"
    assert "attachment" in resp.headers["content-disposition"]
    pdf = martin.get(web.url + "/enseignant/eleves/alice.dupont/donnees.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    durand = web.login("prof.durand")
    assert durand.get(web.url + "/enseignant/eleves/alice.dupont/donnees.json").status_code == 404
    assert web.session().get(web.url + "/eleve/mes-donnees.json", follow_redirects=False).status_code == 303
    assert [e.actor for e in audit_rows(web, "export_data_pdf")][-1] == "prof.martin"


def test_views_overrides_and_login_failures_are_in_the_audit_trail(web):
    martin = web.login("prof.martin")
    assert martin.get(web.url + "/enseignant/eleves/alice.dupont").status_code == 200
    assert martin.get(web.url + f"/enseignant/seances/{web.ids['session']}").status_code == 200
    token = web.csrf(martin, f"/enseignant/seances/{web.ids['session']}")
    resp = martin.post(
        web.url + f"/enseignant/seances/{web.ids['session']}/correction-note",
        data={"criterion_id": "C1.2.1-a", "score": "3", "comment": "Très bon accueil.", "csrf_token": token},
        follow_redirects=False,
    )
    assert resp.status_code == 303
    assert martin.get(web.url + "/enseignant/seances/inconnue").status_code == 404  # not an access: not logged
    for action in ("view_learner", "view_session", "override"):
        event = audit_rows(web, action)[-1]
        assert (event.actor, event.learner_id) == ("prof.martin", "alice.dupont"), action
        assert event.actor_id is not None and event.ip
    assert not [e for e in audit_rows(web, "view_session") if "inconnue" in e.target]
    http = web.session()
    http.post(
        web.url + "/connexion",
        data={"username": "bob.leroy", "password": "pas-le-bon", "csrf_token": web.csrf(http)},
        follow_redirects=False,
    )
    assert audit_rows(web, "login_failed")[-1].actor == "bob.leroy"
    assert martin.get(web.url + "/admin/journal").status_code == 403
    page = web.login("admin").get(web.url + "/admin/journal")
    assert page.status_code == 200
    for words in (
        "Journal des accès",
        "consultation d&#39;une séance",
        "correction d&#39;un score",
        "échec de connexion",
    ):
        assert words in page.text
    filtered = web.login("admin").get(web.url + "/admin/journal?action=login_failed").text
    assert "échec de connexion" in filtered and "correction d&#39;un score</td>" not in filtered


def test_api_reads_are_in_the_audit_trail(web):
    token = token_for(web, "prof.martin")
    assert get(web, "alice.dupont", token).status_code == 200
    assert get(web, "bob.leroy", token).status_code == 403  # refused: not recorded as a read
    reads = audit_rows(web, "api_read")
    assert [(e.actor, e.learner_id) for e in reads] == [("prof.martin", "alice.dupont")]


def test_pseudonymised_csv_has_no_names_and_stable_pseudonyms(web):
    martin = web.login("prof.martin")
    url = web.url + f"/enseignant/export-pseudonymise.csv?classe={web.ids['group1']}"
    first, second = martin.get(url), martin.get(url)
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/csv")
    for forbidden in ("alice", "Alice", "Dupont", web.ids["session"]):
        assert forbidden not in first.text
    rows = list(csv.reader(io.StringIO(first.text.lstrip("\ufeff")), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert "pseudonyme" in header and "eleve" not in header and body
    pseudonyms = {row[header.index("pseudonyme")] for row in body}
    sessions = {row[header.index("session_id")] for row in body}
    assert len(pseudonyms) == 1 and next(iter(pseudonyms)).startswith("E-")  # one learner, one pseudonym
    assert len(sessions) == 1 and next(iter(sessions)).startswith("S-")
    again = list(csv.reader(io.StringIO(second.text.lstrip("\ufeff")), delimiter=";"))[1][header.index("pseudonyme")]
    assert again not in pseudonyms  # a new export cannot be joined with the previous one
    assert 'href="/enseignant/export-pseudonymise.csv' in martin.get(web.url + f"/enseignant/classes/{web.ids['group1']}").text  # fmt: skip
    assert audit_rows(web, "export_csv_pseudo")[-1].actor == "prof.martin"


def test_only_the_admin_erases_after_typing_the_learner_id(web):
    martin = web.login("prof.martin")
    token = web.csrf(martin, "/enseignant")
    resp = martin.post(web.url + "/admin/eleves/alice.dupont/effacer", data={"confirmation": "alice.dupont", "csrf_token": token})  # fmt: skip
    assert resp.status_code == 403
    admin = web.login("admin")
    page = admin.get(web.url + "/admin/eleves/alice.dupont/effacer")
    assert page.status_code == 200 and "irréversible" in page.text
    assert admin.post(web.url + "/admin/eleves/alice.dupont/effacer", data={"confirmation": "alice.dupont"}).status_code == 403  # fmt: skip
    token = web.csrf(admin, "/admin/eleves/alice.dupont/effacer")
    wrong = admin.post(web.url + "/admin/eleves/alice.dupont/effacer", data={"confirmation": "alice", "csrf_token": token})  # fmt: skip
    assert wrong.status_code == 400 and "Confirmation incorrecte" in wrong.text
    with web.db() as s:
        assert s.get(Learner, "alice.dupont") is not None
    done = admin.post(
        web.url + "/admin/eleves/alice.dupont/effacer",
        data={"confirmation": "alice.dupont", "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/admin/journal"
    assert "Élève effacé" in admin.get(web.url + "/admin/journal").text
    dump = everything(web.db_url)
    for trace in ("alice", "Alice", "Dupont", web.ids["session"]):
        assert trace not in dump, f"{trace!r} left in the database"
    with web.db() as s:
        assert s.get(SimSession, web.ids["session"]) is None
        assert s.scalar(select(User).where(User.username == "bob.leroy")) is not None
        erase = audit_rows(web, "erase")[-1]
        assert erase.actor == "admin" and "sessions 1" in erase.detail and erase.learner_id is None
    assert admin.get(web.url + "/admin/eleves/alice.dupont/effacer").status_code == 404
    assert "<td>effacement d&#39;un élève</td>" in admin.get(web.url + "/admin/journal?action=erase").text


def test_the_data_pdf_gives_the_final_grade(web):
    """The RGPD PDF lists the teacher's overrides: its grade is the final one (grading.final_grade),
    with the automatic one beside it, not the automatic grade alone."""
    from datetime import datetime

    from bot.storage.models import CriterionScore, Learner, ScoreOverride, SimSession

    start = datetime(2026, 11, 25, 9, 0)
    with web.db() as s:
        s.add(Learner(id="zoe.pdf", display_name="Zoé", group_id=int(web.ids["group1"])))
        s.add(SimSession(id="zoe-pdf-1", learner_id="zoe.pdf", scenario_id="air-plasturgie", started_at=start,
                         ended_at=start, outcome="won", grade_20=8.0, scored_at=start))  # fmt: skip
        for cid in ("C1.2.1-a", "C1.2.1-b"):
            s.add(CriterionScore(session_id="zoe-pdf-1", criterion_id=cid, score=1, level="I", explanation="",
                                 advice="", evidence_turns=[]))  # fmt: skip
        s.add(ScoreOverride(session_id="zoe-pdf-1", criterion_id="C1.2.1-b", score=3, level="TS", comment="Bien."))
        s.commit()
    martin = web.login("prof.martin")
    pdf = martin.get(web.url + "/enseignant/eleves/zoe.pdf/donnees.pdf")
    assert pdf.status_code == 200, pdf.text[:300]
    text = " ".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages).split())
    final = martin.get(web.url + "/enseignant/seances/zoe-pdf-1").text.split('<span class="grade-final">')[1]
    final = final.split("</span>")[0]
    assert final != "8,0"
    assert f"note {final} / 20 (proposée automatiquement : 8,0)" in text, text
