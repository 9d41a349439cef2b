"""Assignments, the exam lock, the students' « À faire », attempts compared and the class progression.

In process (TestClient) on a throw-away SQLite database; sessions are written as the
action server writes them (the Rasa side does not know about assignments).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.storage import assignments as work
from bot.storage.models import Assignment, CriterionScore, Learner, SimSession

NOW = datetime.utcnow()


def add_session(web, sid: str, learner: str, scenario: str, mode: str, started: datetime, scores: dict) -> None:
    """A finished, scored session; ``scores``: criterion -> (score, evidence text). Written once."""
    with web.db() as db:
        if db.get(SimSession, sid) is not None:
            return
        db.add(
            SimSession(
                id=sid, learner_id=learner, scenario_id=scenario, mode=mode, started_at=started,
                ended_at=started + timedelta(minutes=15), outcome="won", grade_20=10.0 + len(sid) % 5,
                scored_at=started + timedelta(minutes=15),
            )
        )  # fmt: skip
        for cid, (score, text) in scores.items():
            level = {0: "TI", 1: "I", 2: "S", 3: "TS"}[score]
            db.add(
                CriterionScore(
                    session_id=sid, criterion_id=cid, score=score, level=level, explanation=f"Niveau {level}.",
                    advice="", evidence_turns=[{"turn": 3, "text": text}],
                )
            )  # fmt: skip
        db.commit()


def form(**values):
    base = {"mode": "training", "attempts_allowed": "1"}
    base.update(values)
    return base


def post_assignment(web, teacher, data) -> object:
    page = f"/enseignant/classes/{web.ids['group1']}/devoirs"
    data = dict(data, csrf_token=web.csrf(teacher, page))
    return teacher.post(web.url + page, data=data, follow_redirects=False)


def fmt(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def test_bad_assignment_forms_get_a_french_answer(web):
    teacher = web.login("prof.martin")
    cases = [
        (form(opens_at=fmt(NOW), due_at=fmt(NOW + timedelta(days=1))), "Choisissez au moins un scénario"),
        (
            form(scenario_id="air-plasturgie", opens_at=fmt(NOW), due_at=fmt(NOW - timedelta(days=1))),
            "La date limite doit être après la date",
        ),
        (form(scenario_id="nope", opens_at=fmt(NOW), due_at=fmt(NOW + timedelta(days=1))), "Scénario inconnu"),
        (form(scenario_id="air-plasturgie", opens_at="demain", due_at=""), "Indiquez la date"),
        (
            form(
                scenario_id="air-plasturgie",
                opens_at=fmt(NOW),
                due_at=fmt(NOW + timedelta(days=1)),
                attempts_allowed="0",
            ),
            "Nombre de tentatives : de 1 à 20",
        ),  # fmt: skip
    ]
    for data, message in cases:
        resp = post_assignment(web, teacher, data)
        assert resp.status_code == 400 and message in resp.text, (data, resp.text[:300])
    with web.db() as db:
        assert db.query(Assignment).count() == 0


def test_other_teachers_cannot_see_or_set_work_for_a_class(web):
    other = web.login("prof.durand")
    assert other.get(web.url + f"/enseignant/classes/{web.ids['group1']}/devoirs").status_code == 404
    page = f"/enseignant/classes/{web.ids['group2']}/devoirs"
    token = web.csrf(other, page)
    resp = other.post(
        web.url + f"/enseignant/classes/{web.ids['group1']}/devoirs",
        data=form(scenario_id="air-plasturgie", opens_at=fmt(NOW), due_at=fmt(NOW + timedelta(days=1)),
                  csrf_token=token),
        follow_redirects=False,
    )  # fmt: skip
    assert resp.status_code == 404
    student = web.login("alice.dupont")
    assert student.get(web.url + f"/enseignant/classes/{web.ids['group1']}/devoirs").status_code == 403
    # no CSRF token: refused, nothing created
    owner = web.login("prof.martin")
    resp = owner.post(
        web.url + f"/enseignant/classes/{web.ids['group1']}/devoirs",
        data=form(scenario_id="air-plasturgie", opens_at=fmt(NOW), due_at=fmt(NOW + timedelta(days=1))),
        follow_redirects=False,
    )
    assert resp.status_code == 403


@pytest.fixture(scope="module")
def exam(web):
    """An open exam on one scenario (one attempt) and a training on two, past due, for group 1."""
    teacher = web.login("prof.martin")
    resp = post_assignment(
        web, teacher,
        form(scenario_id="air-plasturgie", mode="exam", opens_at=fmt(NOW - timedelta(hours=2)),
             due_at=fmt(NOW + timedelta(days=2)), attempts_allowed="1"),
    )  # fmt: skip
    assert resp.status_code == 303
    resp = post_assignment(
        web, teacher,
        {"scenario_id": ["air-plasturgie", "cvc-ehpad"], "mode": "training", "attempts_allowed": "3",
         "opens_at": fmt(NOW - timedelta(days=10)), "due_at": fmt(NOW - timedelta(days=3))},
    )  # fmt: skip
    assert resp.status_code == 303
    with web.db() as db:
        rows = db.query(Assignment).order_by(Assignment.id).all()
        assert [(a.scenario_id, a.mode) for a in rows] == [
            ("air-plasturgie", "exam"), ("air-plasturgie", "training"), ("cvc-ehpad", "training"),
        ]  # fmt: skip
        return rows[0].id


def test_student_sees_to_do_with_deadlines(web, exam):
    student = web.login("alice.dupont")
    html = student.get(web.url + "/eleve").text
    assert "À faire" in html
    assert "examen" in html and "entraînement" in html
    # the training closed three days ago, nothing done: missing
    assert "non rendu" in html and "à faire" in html
    assert (NOW + timedelta(days=2)).strftime("%d/%m/%Y") in html
    # a student of the other class has nothing to do
    assert "À faire" not in web.login("bob.leroy").get(web.url + "/eleve").text


def test_exam_is_locked_once_submitted(web, exam):
    student = web.login("alice.dupont")
    page = "/eleve/simulation?scenario=air-plasturgie&mode=exam"
    assert student.get(web.url + page).status_code == 200
    # a training session does not use the exam attempt
    add_session(web, "alice-training-1", "alice.dupont", "air-plasturgie", "training", NOW - timedelta(hours=1), {})
    assert student.get(web.url + page).status_code == 200
    add_session(web, "alice-exam-1", "alice.dupont", "air-plasturgie", "exam", NOW - timedelta(minutes=30), {})
    resp = student.get(web.url + page)
    assert resp.status_code == 403 and "Examen déjà rendu" in resp.text
    token = web.csrf(student, "/eleve")
    resp = student.post(
        web.url + "/eleve/api/start",
        json={"scenario_id": "air-plasturgie", "mode": "exam"},
        headers={"X-CSRF-Token": token},
    )
    assert resp.status_code == 403 and "ne pouvez plus le recommencer" in resp.json()["detail"]
    # training stays open
    assert student.get(web.url + "/eleve/simulation?scenario=air-plasturgie&mode=training").status_code == 200
    html = student.get(web.url + "/eleve").text
    assert "examen rendu" in html


def test_exam_not_open_yet_is_refused(web):
    with web.db() as db:
        learner = db.get(Learner, "alice.dupont")
        db.add(
            Assignment(group_id=learner.group_id, scenario_id="cvc-ehpad", mode="exam",
                       opens_at=NOW + timedelta(days=1), due_at=NOW + timedelta(days=2), attempts_allowed=1)
        )  # fmt: skip
        db.flush()
        with pytest.raises(work.AssignmentError, match="Cet examen ouvre le"):
            work.check_start(db, learner, "cvc-ehpad", "exam")
        work.check_start(db, learner, "cvc-ehpad", "training")  # training: always allowed
        db.rollback()


def test_teacher_follows_who_did_what(web, exam):
    add_session(web, "alice-exam-1", "alice.dupont", "air-plasturgie", "exam", NOW - timedelta(minutes=30), {})
    add_session(web, "alice-late-1", "alice.dupont", "cvc-ehpad", "training", NOW - timedelta(days=1), {})
    teacher = web.login("prof.martin")
    html = teacher.get(web.url + f"/enseignant/classes/{web.ids['group1']}/devoirs").text
    section = html.split(f'id="devoir-{exam}"')[1].split("</section>")[0]
    assert "Alice Dupont" in section and "rendu" in section and "1 / 1" in section
    # the training on cvc-ehpad was handed in after its deadline
    assert "rendu en retard" in html and "non rendu" not in section


def test_two_attempts_side_by_side(web):
    base = NOW - timedelta(days=5)
    add_session(web, "alice-cmp-1", "alice.dupont", "impaye-relance", "training", base,
                {"C1.2.1-b": (1, "Vous voulez acheter ?"), "C1.2.1-a": (2, "Bonjour, je suis Alice.")})  # fmt: skip
    add_session(web, "alice-cmp-2", "alice.dupont", "impaye-relance", "training", base + timedelta(days=2),
                {"C1.2.1-b": (3, "Comment utilisez-vous l'air comprimé aujourd'hui ?"),
                 "C1.2.1-a": (2, "Bonjour, Alice Dupont, Air Pro.")})  # fmt: skip
    teacher = web.login("prof.martin")
    resp = teacher.get(web.url + "/enseignant/eleves/alice.dupont/comparer?scenario=impaye-relance")
    assert resp.status_code == 200, resp.text[:300]
    row = resp.text.split('id="crit-C1.2.1-b"')[1].split("</tr>")[0]
    assert "progrès" in row and "Vous voulez acheter ?" in row
    assert "Comment utilisez-vous l&#39;air comprimé aujourd&#39;hui ?" in row
    assert row.index("lvl-I") < row.index("lvl-TS")
    assert "C1.2.1-b I → TS" in resp.text and "1 critère(s) en progrès" in resp.text
    assert "stable" in resp.text.split('id="crit-C1.2.1-a"')[1].split("</tr>")[0]
    # an attempt of someone else is refused; another teacher cannot see the learner
    resp = teacher.get(web.url + "/enseignant/eleves/alice.dupont/comparer?scenario=impaye-relance&a=seeded-x")
    assert resp.status_code == 404 and "Tentative introuvable" in resp.text
    other = web.login("prof.durand")
    assert other.get(web.url + "/enseignant/eleves/alice.dupont/comparer?scenario=impaye-relance").status_code == 404


def test_class_progression_first_to_last(web):
    teacher = web.login("prof.martin")
    html = teacher.get(web.url + f"/enseignant/classes/{web.ids['group1']}/progression?scenario=impaye-relance").text
    row = html.split('id="crit-C1.2.1-b"')[1].split("</tr>")[0]
    assert "<td>1</td>" in row and "Alice Dupont 1→3" in row
    assert "<td>1.0</td>" in row and "<td>3.0</td>" in row


def test_session_lists_are_paged(web):
    """A year of sessions is listed 100 at a time, newest first, with links between the pages."""
    base = NOW - timedelta(days=200)
    for n in range(101):
        add_session(web, f"eve-page-{n:03d}", "eve.garcia", "cvc-ehpad", "training", base + timedelta(hours=n), {})
    teacher = web.login("prof.durand")
    first = teacher.get(web.url + f"/enseignant/classes/{web.ids['group2']}").text
    assert first.count(">Transcription</a>") == 100
    assert "eve-page-100" in first and "eve-page-000" not in first
    assert "Séances plus anciennes" in first and "Séances plus récentes" not in first
    second = teacher.get(web.url + f"/enseignant/classes/{web.ids['group2']}?page=2").text
    assert second.count(">Transcription</a>") == 1 and "eve-page-000" in second
    assert "Séances plus récentes" in second and "Séances plus anciennes" not in second
    listing = teacher.get(web.url + "/enseignant/seances?page=2&scenario=cvc-ehpad").text
    assert "eve-page-000" in listing
    assert teacher.get(web.url + "/enseignant/seances?page=abc").status_code == 200


def test_best_grade_and_attempts_compared_give_the_final_grade(web):
    """A teacher's override changes the grade everywhere (grading.final_grade): the assignment's
    « best grade » and the attempts compared read it too, not the automatic grade."""
    from bot.storage.models import ScoreOverride
    from bot.storage.results import session_grades

    scenario = "hausse-tarifaire"
    with web.db() as db:
        learner = db.get(Learner, "alice.dupont")
        db.add(Assignment(group_id=learner.group_id, scenario_id=scenario, mode="training", attempts_allowed=2,
                          opens_at=NOW - timedelta(days=9), due_at=NOW + timedelta(days=1)))  # fmt: skip
        db.commit()
    base = NOW - timedelta(days=8)
    add_session(web, "alice-ht-1", "alice.dupont", scenario, "training", base, {"C1.2.1-a": (1, "Bonjour.")})
    add_session(web, "alice-ht-2", "alice.dupont", scenario, "training", base + timedelta(days=1),
                {"C1.2.1-a": (1, "Bonjour, Alice.")})  # fmt: skip
    with web.db() as db:
        for sid in ("alice-ht-1", "alice-ht-2"):
            db.add(ScoreOverride(session_id=sid, criterion_id="C1.2.1-a", score=3, level="TS", comment="Très bien."))
        db.commit()
        sessions = [db.get(SimSession, "alice-ht-1"), db.get(SimSession, "alice-ht-2")]
        app = web.client.app
        grades = session_grades(db, sessions, app.state.rubric(), app.state.library().kinds)
    french = {sid: f"{g.final:.1f}".replace(".", ",") for sid, g in grades.items()}
    assert all(g.changed for g in grades.values()), "the override must change the grade for this test to mean anything"
    best = max(grades.values(), key=lambda g: g.final)
    teacher = web.login("prof.martin")
    page = teacher.get(web.url + f"/enseignant/classes/{web.ids['group1']}/devoirs").text
    section = next(
        part for part in page.split('<section class="card assignment"')[1:] if "Berthier" in part.split("</h3>")[0]
    )
    row = section.split("Alice Dupont")[1].split("</tr>")[0]
    assert f"<td>{best.final:.1f}</td>".replace(".", ",") in row, row
    compare_page = teacher.get(web.url + f"/enseignant/eleves/alice.dupont/comparer?scenario={scenario}").text
    assert f"Note : {french['alice-ht-1']} → {french['alice-ht-2']} /20" in compare_page
