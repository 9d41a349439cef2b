"""LTI 1.3 end to end: the real web app (pylti1p3 inside) against an LMS emulated on the loopback.

Deep linking, launches, roster, grade passback and key rotation, then every bad token refused
with a French page (tests/lti/platform.py is the platform).
"""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime, timedelta
from types import SimpleNamespace

import requests
from sqlalchemy import select

from bot import cli
from bot.assessment.rubric import default_rubric
from bot.lti import grades
from bot.storage.lti_models import LtiAccount, LtiCourse, LtiGrade
from bot.storage.models import Group, SimSession, User
from tests.lti.conftest import form_token, hidden
from tests.lti.platform import LTI, rsa_key
from tests.web.conftest import PASSWORD

SCENARIO = "air-plasturgie"
TEACHER, LEA, HUGO = "moodle-teacher-7", "moodle-student-11", "moodle-student-12"


def wait_for(predicate, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def lms_user(web, platform, sub: str) -> SimpleNamespace:
    """The account linked to the LMS user ``sub`` (read while the database session is open)."""
    with web.db() as db:
        user = db.scalar(select(User).join(LtiAccount, LtiAccount.user_id == User.id).where(LtiAccount.subject == sub))
        group = user.learner.group_id if user.learner else None
        return SimpleNamespace(id=user.id, role=user.role, display_name=user.display_name,
                               learner_id=user.learner_id, group_id=group)  # fmt: skip


def test_admin_page_shows_the_values_to_paste_and_refuses_a_bad_url(web, platform):
    admin = web.login("admin")
    page = admin.get(web.url + "/admin/lti").text
    for path in ("/lti/launch", "/lti/login", "/lti/jwks"):
        assert f"<code>{web.url}{path}</code>" in page
    assert "Moodle émulé" in page and platform.client_id in page
    bad = {**platform.registration, "key_set_url": "certs.php", "csrf_token": form_token(page)}
    resp = admin.post(web.url + "/admin/lti", data=bad)
    assert resp.status_code == 400 and "URL des clés publiques (JWKS) : une adresse complète est attendue" in resp.text
    student = web.login("alice.dupont")
    assert student.get(web.url + "/admin/lti").status_code == 403


def test_deep_linking_lets_the_teacher_pick_scenario_and_mode(web, platform, launcher):
    http = requests.Session()
    page = launcher.launch(http, TEACHER, platform.deep_linking_request())
    assert page.status_code == 200 and page.url == web.url + "/lti/activite", page.text[:300]
    assert "Choisir la simulation" in page.text and SCENARIO in page.text
    resp = http.post(
        web.url + "/lti/activite", data={"scenario": SCENARIO, "mode": "exam", "csrf_token": form_token(page.text)}
    )
    assert resp.status_code == 200
    assert f'action="{platform.url}/deep-link-return"' in resp.text
    assert f"form-action 'self' {platform.url}" in resp.headers["content-security-policy"]
    returned = requests.post(platform.url + "/deep-link-return", data={"JWT": hidden(resp.text, "JWT")}, timeout=10)
    assert returned.status_code == 200  # the platform verified the tool's signature with the tool's JWKS
    item = platform.deep_link_items[-1]
    assert item["type"] == "ltiResourceLink" and item["url"] == web.url + "/lti/launch"
    assert item["custom"] == {"scenario": SCENARIO, "mode": "exam"}
    assert item["lineItem"]["scoreMaximum"] == 20
    teacher = lms_user(web, platform, TEACHER)
    assert teacher.role == "teacher" and teacher.display_name == "Claire Moreau"
    # the choice is made once: the launch is forgotten
    again = http.post(web.url + "/lti/activite", data={"scenario": SCENARIO, "csrf_token": form_token(page.text)})
    assert again.status_code == 403 and "Ouvrez cette page depuis Moodle" in again.text


def test_teacher_launch_opens_the_class_filled_from_the_roster(web, platform, launcher):
    http = requests.Session()
    resp = launcher.launch(
        http, TEACHER, platform.resource_request("link-exam", {"scenario": SCENARIO, "mode": "exam"})
    )
    assert resp.status_code == 200 and "/enseignant/classes/" in resp.url, resp.text[:300]
    assert "Léa Martin" in resp.text and "Hugo Bernard" in resp.text
    with web.db() as db:
        course = db.scalar(select(LtiCourse).where(LtiCourse.context_id == platform.course))
        group = db.get(Group, course.group_id)
        teacher = lms_user(web, platform, TEACHER)
        assert group.name == "BTS NDRC 1re année" and group.teacher_id == teacher.id
        names = sorted(lr.display_name for lr in group.learners)
        assert names == ["Hugo Bernard", "Léa Martin"] and course.roster_synced_at is not None
    # NRPS went through the token endpoint with the tool's signed assertion
    assert not platform.refused


def _ended_session(web, learner_id: str, scenario: str, mode: str, grade: float) -> str:
    from bot.storage.models import CriterionScore

    start = datetime.utcnow() - timedelta(minutes=30)
    session_id = f"lti-{learner_id}-{mode}-{grade}"
    with web.db() as db:
        db.add(SimSession(id=session_id, learner_id=learner_id, scenario_id=scenario, mode=mode, started_at=start,
                          ended_at=start + timedelta(minutes=20), outcome="won", grade_20=grade, scored_at=start))  # fmt: skip
        for cid, score in (("C1.2.1-a", 2), ("C1.2.1-b", 1), ("C1.2.2-a", 2), ("C2.2-a", None)):
            level = {None: "na", 1: "I", 2: "S"}[score]
            db.add(CriterionScore(session_id=session_id, criterion_id=cid, score=score, level=level))
        db.commit()
    return session_id


def test_student_launch_grade_passback_and_override_resend(web, platform, launcher, monkeypatch):
    http = requests.Session()
    custom = {"scenario": SCENARIO, "mode": "training"}
    resp = launcher.launch(http, LEA, platform.resource_request("link-training", custom, lineitem=7))
    assert resp.status_code == 200, resp.text[:300]
    assert resp.url == f"{web.url}/eleve/simulation?scenario={SCENARIO}&mode=training"
    lea = lms_user(web, platform, LEA)
    assert lea.role == "student" and lea.group_id is not None  # the roster's account, not a second one
    with web.db() as db:
        assert len(db.scalars(select(User).where(User.display_name == "Léa Martin")).all()) == 1

    # a session of the activity ends: the action server records it and the gradebook hears of it
    session_id = _recorded_session(web, lea.learner_id, monkeypatch)
    first = wait_for(lambda: [s for s in platform.scores if s["userId"] == LEA])[-1]
    with web.db() as db:
        session = db.get(SimSession, session_id)
        assert first["scoreGiven"] == session.grade_20 and first["scoreMaximum"] == 20
    assert first["lineitem"] == "/lineitems/7/lineitem"
    assert first["activityProgress"] == "Completed" and first["gradingProgress"] == "FullyGraded"
    assert "Prise de contact et découverte : " in first["comment"] and "Communication (T-1)" in first["comment"]

    # the teacher overrides a criterion: the new grade is sent again
    admin = web.login("admin")
    page = admin.get(f"{web.url}/enseignant/seances/{session_id}").text
    resp = admin.post(
        f"{web.url}/enseignant/seances/{session_id}/correction-note",
        data={"criterion_id": "C1.2.1-a", "score": "3", "comment": "Très bon cadrage.", "csrf_token": form_token(page)},
    )
    assert resp.status_code == 200
    second = wait_for(lambda: [s for s in platform.scores if s["userId"] == LEA][1:])[-1]
    with web.db() as db:
        expected, comment = grades.graded(db, db.get(SimSession, session_id), default_rubric())
        assert second["scoreGiven"] == expected != first["scoreGiven"]
        assert second["comment"] == comment
        row = db.scalar(select(LtiGrade).where(LtiGrade.session_id == session_id))
        assert row.sent_at is not None and row.error == "" and row.grade_20 == expected


def _recorded_session(web, learner_id: str, monkeypatch) -> str:
    """A session recorded by the actions' recorder (``bot.actions.recording.save``) from tracker events:
    a start, two learner turns, the simulation's final state."""
    from rasa_sdk import Tracker

    from bot.actions import recording
    from bot.config import get_settings
    from bot.engine import simulation
    from bot.engine.library import default_library
    from bot.storage import db

    monkeypatch.setenv("DATABASE_URL", web.db_url)
    get_settings.cache_clear()
    db.get_engine.cache_clear()
    library = default_library()
    state = simulation.start(library, SCENARIO, seed=1)
    simulation.finish(state)
    t = time.time()

    def said(at: float, text: str, intent: str) -> dict:
        parse = {"intent": {"name": intent, "confidence": 0.9}, "entities": []}
        return {"event": "user", "timestamp": at, "text": text, "parse_data": parse}

    events = [
        said(t, f'/start_scenario{{"scenario_id": "{SCENARIO}"}}', "start_scenario"),
        said(t + 1, "Bonjour Monsieur Garnier", "greet"),
        said(t + 2, "Je suis Léa, d'AirTech Industrie", "introduce_self"),
        {"event": "slot", "timestamp": t + 3, "name": "sim_state", "value": state.to_dict()},
    ]
    data = recording.save(library, Tracker(learner_id, {}, {}, events, False, None, None, None), None)
    assert data is not None and data.assessment is not None
    return data.id


def test_key_rotation_keeps_the_previous_key_published(web, platform):
    before = [k["kid"] for k in requests.get(web.url + "/lti/jwks", timeout=10).json()["keys"]]
    env = {**cli.environment(), "DATABASE_URL": web.db_url}
    for _ in range(2):
        out = subprocess.run([sys.executable, "-m", "bot.cli", "lti-key", "--rotate"], env=env, capture_output=True,
                             text=True, check=True).stdout  # fmt: skip
    keys = requests.get(web.url + "/lti/jwks", timeout=10).json()["keys"]
    assert len(keys) == 2 and keys[0]["kid"] in out and before[0] not in [k["kid"] for k in keys]
    assert all(k["kty"] == "RSA" and k["alg"] == "RS256" and k["use"] == "sig" and k["e"] == "AQAB" for k in keys)


def _refused(resp, words: str, status: int = 403) -> None:
    assert resp.status_code == status, resp.text[:300]
    assert "Lancement refusé" in resp.text and words in resp.text


def test_bad_tokens_are_refused_with_a_french_page(web, platform, launcher):
    message = platform.resource_request("link-training", {"scenario": SCENARIO, "mode": "training"})
    http = requests.Session()
    _refused(launcher.launch(http, LEA, message, key=rsa_key()), "La signature du jeton de lancement est invalide")

    def wrong_audience(claims):
        claims["aud"] = "another-tool"

    _refused(launcher.launch(http, LEA, message, wrong_audience), "audience")

    def expired(claims):
        claims["iat"], claims["exp"] = int(time.time()) - 600, int(time.time()) - 60

    _refused(launcher.launch(http, LEA, message, expired), "Le jeton de lancement a expiré")

    def unknown_deployment(claims):
        claims[LTI + "deployment_id"] = "deployment-unknown"

    _refused(launcher.launch(http, LEA, message, unknown_deployment), "Ce déploiement")

    good = launcher.launch(http, LEA, message)
    assert good.status_code == 200 and "/eleve/simulation" in good.url
    replay = http.post(web.url + "/lti/launch", data=good.launch_form)
    _refused(replay, "déjà servi")
    unknown = requests.get(web.url + "/lti/login", params={"iss": "https://inconnu.example", "login_hint": "x"})
    _refused(unknown, "pas enregistrée", 400)


def test_a_student_logged_in_on_the_web_app_keeps_one_history(web, platform, launcher):
    """Hugo first played from Moodle (an account the LMS opened), then logs in with his web account and
    opens the activity again: he confirms, his Moodle sessions join his web account."""
    from bot.storage import accounts

    hugo_lms = lms_user(web, platform, HUGO)  # created by the roster
    lms_session = _ended_session(web, hugo_lms.learner_id, SCENARIO, "training", 12.0)
    with web.db() as db:
        group = db.get(Group, hugo_lms.group_id)
        accounts.create_user(db, "hugo.web", PASSWORD, "student", display_name="Hugo B.", group=group)
        db.commit()
    browser = web.login("hugo.web")
    message = platform.resource_request("link-training", {"scenario": SCENARIO, "mode": "training"})
    page = launcher.launch(browser, HUGO, message)
    assert page.status_code == 200 and page.url == web.url + "/lti/rattacher", page.text[:300]
    assert "Hugo Bernard" in page.text and "hugo.web" in page.text
    resp = browser.post(web.url + "/lti/rattacher", data={"choice": "moi", "csrf_token": form_token(page.text)})
    assert resp.url == f"{web.url}/eleve/simulation?scenario={SCENARIO}&mode=training"
    hugo = lms_user(web, platform, HUGO)
    with web.db() as db:
        assert db.get(User, hugo.id).username == "hugo.web"
        assert db.get(SimSession, lms_session).learner_id == hugo.learner_id  # one history
    teacher = web.login("admin")
    history = teacher.get(f"{web.url}/enseignant/eleves/{hugo.learner_id}")
    assert history.status_code == 200 and lms_session in history.text
    # another student's browser session is not taken over without the confirmation
    other = requests.Session()
    landed = launcher.launch(other, LEA, message)
    assert "/eleve/simulation" in landed.url and lms_user(web, platform, LEA).id != hugo.id
