"""The LMS widget: a signed learner token instead of a cookie, frameable by the LMS."""

from __future__ import annotations

from bot.web.security import widget_token


def test_widget_page_is_frameable_and_the_script_is_served(web):
    page = web.session().get(web.url + "/widget?scenario=agri-cuma")
    assert page.status_code == 200 and 'data-scenario="agri-cuma"' in page.text
    assert "X-Frame-Options" not in page.headers
    assert "frame-ancestors 'self'" in page.headers["Content-Security-Policy"]  # + WIDGET_ALLOWED_ORIGINS
    assert "iframe" in web.session().get(web.url + "/static/widget.js").text


def test_widget_api_needs_a_valid_signed_token(web):
    url = web.url + "/widget/api/message"
    http = web.session()
    assert http.post(url, json={"text": "Bonjour"}).status_code == 401
    forged = widget_token("not-the-secret", "alice.dupont")
    assert http.post(url, json={"text": "Bonjour"}, headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    teacher = widget_token("test-widget-secret", "prof.martin")
    assert http.post(url, json={"text": "Bonjour"}, headers={"Authorization": f"Bearer {teacher}"}).status_code == 401


def test_widget_relays_for_the_token_s_learner_and_answers_in_french_when_rasa_is_down(web):
    token = widget_token("test-widget-secret", "alice.dupont")
    http = web.session()
    resp = http.post(
        web.url + "/widget/api/message", json={"text": "Bonjour"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert resp.status_code == 200
    body = resp.json()
    assert body["messages"][0]["speaker"] == "coach" and "Un instant" in body["messages"][0]["text"]
    bad = http.post(
        web.url + "/widget/api/start",
        json={"scenario_id": "../../etc/passwd"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert bad.status_code == 404 and "Scénario inconnu" in bad.json()["detail"]


def test_teacher_page_gives_the_widget_snippet(web):
    teacher = web.login("prof.martin")
    html = teacher.get(web.url + "/enseignant/eleves/alice.dupont").text
    assert "static/widget.js" in html and "data-token=" in html
