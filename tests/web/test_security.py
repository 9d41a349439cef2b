"""Accounts and security: logins, CSRF, rate limiting, who sees what, escaping."""

from __future__ import annotations

from tests.web.conftest import PASSWORD, XSS_IMG, XSS_SCRIPT


def test_pages_require_login(web):
    for path in ("/enseignant", "/eleve", "/enseignant/seances", f"/enseignant/seances/{web.ids['session']}"):
        resp = web.session().get(web.url + path, follow_redirects=False)
        assert resp.status_code == 303 and resp.headers["location"].startswith("/connexion")


def test_login_sets_a_secure_session_cookie_and_wrong_password_fails(web):
    http = web.session()
    token = web.csrf(http)
    bad = http.post(web.url + "/connexion", data={"username": "prof.martin", "password": "faux", "csrf_token": token})
    assert bad.status_code == 401 and "incorrect" in bad.text
    http = web.login("prof.martin")
    cookie = next(c for c in http.cookies.jar if c.name == "negociation_session")
    assert cookie.has_nonstandard_attr("HttpOnly") or "httponly" in str(cookie._rest).lower()
    assert http.get(web.url + "/enseignant").status_code == 200


def test_passwords_are_hashed_with_argon2(web):
    from sqlalchemy import select

    from bot.storage.models import User

    with web.db() as s:
        user = s.scalar(select(User).where(User.username == "prof.martin"))
        assert user.password_hash.startswith("$argon2") and PASSWORD not in user.password_hash


def test_forms_without_csrf_token_are_refused(web):
    http = web.session()
    http.get(web.url + "/connexion")
    resp = http.post(web.url + "/connexion", data={"username": "prof.martin", "password": PASSWORD})
    assert resp.status_code == 400 and "expiré" in resp.text
    teacher = web.login("prof.martin")
    resp = teacher.post(web.url + "/enseignant/classes", data={"name": "Classe pirate"})
    assert resp.status_code == 403
    resp = teacher.post(web.url + "/enseignant/jetons", data={"name": "x", "csrf_token": "faux"})
    assert resp.status_code == 403


def test_login_is_rate_limited(web):
    http = web.session()
    token = web.csrf(http)
    codes = [
        http.post(
            web.url + "/connexion", data={"username": "eve.garcia", "password": f"faux{i}", "csrf_token": token}
        ).status_code
        for i in range(7)
    ]
    assert codes[:5] == [401] * 5 and codes[5:] == [429, 429]
    blocked = http.post(
        web.url + "/connexion", data={"username": "eve.garcia", "password": PASSWORD, "csrf_token": token}
    )
    assert blocked.status_code == 429 and "Trop de tentatives" in blocked.text


def test_a_teacher_sees_only_their_classes(web):
    martin = web.login("prof.martin")
    durand = web.login("prof.durand")
    assert "NDRC 1 A" in martin.get(web.url + "/enseignant").text
    assert "NDRC 1 A" not in durand.get(web.url + "/enseignant").text
    assert durand.get(web.url + f"/enseignant/classes/{web.ids['group1']}").status_code == 404
    assert durand.get(web.url + f"/enseignant/seances/{web.ids['session']}").status_code == 404
    assert durand.get(web.url + f"/enseignant/seances/{web.ids['session']}/fiche.pdf").status_code == 404
    assert durand.get(web.url + "/enseignant/eleves/alice.dupont").status_code == 404
    assert "alice.dupont" not in durand.get(web.url + "/enseignant/export.csv").text
    assert "alice.dupont" not in durand.get(web.url + "/enseignant/seances").text
    assert martin.get(web.url + f"/enseignant/seances/{web.ids['session']}").status_code == 200
    admin = web.login("admin")
    assert admin.get(web.url + f"/enseignant/seances/{web.ids['session']}").status_code == 200


def test_a_student_sees_only_their_own_sessions(web):
    bob = web.login("bob.leroy")
    assert bob.get(web.url + f"/eleve/seances/{web.ids['session']}").status_code == 404
    assert bob.get(web.url + "/enseignant").status_code == 403
    assert bob.get(web.url + f"/enseignant/seances/{web.ids['session']}").status_code == 403
    alice = web.login("alice.dupont")
    page = alice.get(web.url + f"/eleve/seances/{web.ids['session']}")
    # the scores come after the student's own self-assessment (tests/web/test_debrief_pages.py)
    assert page.status_code == 200 and "auto-évaluation" in page.text and "C1.2.1-b" not in page.text


def test_transcripts_are_escaped_everywhere(web):
    pages = [
        (web.login("prof.martin"), f"/enseignant/seances/{web.ids['session']}"),
        (web.login("alice.dupont"), f"/eleve/seances/{web.ids['session']}"),
    ]
    for http, path in pages:
        html = http.get(web.url + path).text
        assert "<script>window.__xss" not in html and "<img src=x onerror" not in html
        assert "&lt;script&gt;window.__xss = 1&lt;/script&gt;" in html
        assert "&lt;img src=x onerror=" in html
    assert XSS_SCRIPT and XSS_IMG


def test_security_headers(web):
    resp = web.session().get(web.url + "/connexion")
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'self'" in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_students_join_a_class_with_its_code(web):
    from sqlalchemy import select

    from bot.storage.models import Group

    with web.db() as s:
        code = s.scalar(select(Group.code).where(Group.name == "NDRC 1 A"))
    http = web.session()
    token = web.csrf(http, "/inscription")
    bad = http.post(
        web.url + "/inscription",
        data={"code": "ZZZZZZ", "first_name": "Chloé", "last_name": "Petit", "password": PASSWORD, "csrf_token": token},
    )
    assert bad.status_code == 400 and "Code de classe inconnu" in bad.text
    ok = http.post(
        web.url + "/inscription",
        data={
            "code": code.lower(),
            "first_name": "Chloé",
            "last_name": "Petit",
            "password": PASSWORD,
            "csrf_token": token,
        },
    )
    assert ok.status_code == 200 and "chloe.petit" in ok.text
    teacher = web.login("prof.martin")
    assert "Chloé Petit" in teacher.get(web.url + f"/enseignant/classes/{web.ids['group1']}").text


def test_roster_import_creates_student_accounts(web):
    teacher = web.login("prof.martin")
    token = web.csrf(teacher, f"/enseignant/classes/{web.ids['group1']}")
    roster = "nom;prenom;identifiant;mot_de_passe\nNguyen;Léa;;\nMartin;Hugo;hugo.m;hugopasse123\n;;;\n"
    resp = teacher.post(
        web.url + f"/enseignant/classes/{web.ids['group1']}/import",
        data={"csrf_token": token},
        files={"roster": ("classe.csv", roster.encode("utf-8"), "text/csv")},
    )
    assert resp.status_code == 200 and "lea.nguyen" in resp.text and "hugo.m" in resp.text
    assert web.login("hugo.m", "hugopasse123").get(web.url + "/eleve").status_code == 200


def test_a_student_gets_a_telegram_link_code(web):
    alice = web.login("alice.dupont")
    token = web.csrf(alice, "/eleve")
    page = alice.post(web.url + "/eleve/telegram", data={"csrf_token": token})
    assert page.status_code == 200 and "/lier " in page.text
    from sqlalchemy import select

    from bot.storage.models import LinkCode

    with web.db() as s:
        assert s.scalar(select(LinkCode.learner_id).order_by(LinkCode.created_at.desc())) == "alice.dupont"
