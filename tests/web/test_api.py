"""Results API (contract.md §6): JSON shape, 401 and 403, token lifecycle."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

from bot import cli
from bot.storage import accounts
from bot.storage.models import User

API = "/api/v1/learners/{}/sessions"


def token_for(web, username: str) -> str:
    from sqlalchemy import select

    with web.db() as s:
        user = s.scalar(select(User).where(User.username == username))
        token = accounts.create_api_token(s, user, "test")
        s.commit()
    return token


def get(web, learner: str, token: str | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return web.session().get(web.url + API.format(learner), headers=headers)


def test_without_a_valid_token_the_api_answers_401(web):
    assert get(web, "alice.dupont").status_code == 401
    assert get(web, "alice.dupont", "nc_not-a-token").status_code == 401
    resp = web.session().get(web.url + API.format("alice.dupont"), headers={"Authorization": "Basic abc"})
    assert resp.status_code == 401 and resp.headers["WWW-Authenticate"] == "Bearer"


def test_a_token_reaches_only_its_owners_learners(web):
    durand = token_for(web, "prof.durand")
    assert get(web, "alice.dupont", durand).status_code == 403
    assert get(web, "bob.leroy", durand).status_code == 200
    assert get(web, "unknown.learner", durand).status_code == 403


def test_session_json_has_the_contract_shape(web):
    resp = get(web, "alice.dupont", token_for(web, "prof.martin"))
    assert resp.status_code == 200
    sessions = resp.json()
    assert isinstance(sessions, list) and len(sessions) == 1
    s = sessions[0]
    for key in (
        "session_id",
        "learner_id",
        "scenario_id",
        "started_at",
        "ended_at",
        "outcome",
        "grade_20",
        "criteria",
        "turns",
    ):
        assert key in s
    assert s["learner_id"] == "alice.dupont" and s["scenario_id"] == "air-plasturgie"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", s["started_at"])
    assert s["outcome"] in {"won", "lost", "open"} and s["grade_20"] == 12.5
    crit = s["criteria"]["C1.2.1-b"]
    assert crit == {"score": 1, "level": "I", "evidence": [{"turn": 3, "text": crit["evidence"][0]["text"]}]}
    assert s["criteria"]["C2.2-a"] == {"score": None, "level": "na", "evidence": []}
    assert [t["n"] for t in s["turns"]] == [1, 2, 3, 4]
    learner = s["turns"][0]
    assert learner["speaker"] == "learner" and learner["intent"] == "greet" and learner["confidence"] == 0.9
    assert s["turns"][1] == {"n": 2, "speaker": "client", "text": "Bonjour, asseyez-vous."}


def test_revoked_tokens_stop_working(web):
    from sqlalchemy import select

    from bot.storage.models import ApiToken

    token = token_for(web, "prof.martin")
    assert get(web, "alice.dupont", token).status_code == 200
    with web.db() as s:
        user = s.scalar(select(User).where(User.username == "prof.martin"))
        row = s.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())).first()
        assert accounts.revoke_token(s, user, row.id)
        s.commit()
    assert get(web, "alice.dupont", token).status_code == 401


def test_make_api_token_prints_an_admin_token(web):
    env = {"DATABASE_URL": web.db_url, "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-m", "bot.cli", "api-token"],
        env=env,
        cwd=cli.ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    token = out.stdout.strip().splitlines()[-1]
    assert token.startswith("nc_")
    assert get(web, "bob.leroy", token).status_code == 200
    assert get(web, "alice.dupont", token).status_code == 200


def test_teachers_create_and_revoke_tokens_in_the_dashboard(web):
    teacher = web.login("prof.martin")
    csrf = web.csrf(teacher, "/enseignant/jetons")
    page = teacher.post(web.url + "/enseignant/jetons", data={"name": "ENT", "csrf_token": csrf})
    token = re.search(r'id="new-token">([^<]+)<', page.text).group(1)
    assert get(web, "alice.dupont", token).status_code == 200
    token_id = re.findall(r"/enseignant/jetons/(\d+)/revoquer", page.text)[0]
    teacher.post(web.url + f"/enseignant/jetons/{token_id}/revoquer", data={"csrf_token": csrf})
    assert "révoqué" in teacher.get(web.url + "/enseignant/jetons").text
