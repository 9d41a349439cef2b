"""The Compose deployment as a school's admin runs it (`make test-deploy`, docs/deployment-test.md).

The real docker/rasa.Dockerfile and docker-compose.yml, unchanged, built and started with
`docker compose up --detach --build`; then what the admin, a student and the results API
do, a `down` / `up`, and everything removed. On a machine that cannot pull images the
official base images are stand-ins built by docker/standins/build.sh.

The tests run in file order on one stack (module scope): each step uses what the one
before it made, as on a real server.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from typing import Any, Dict, List

import psycopg2
import pytest
import requests
import yaml

from bot.assessment.rubric import load_rubric
from bot.devstack import free_port
from tests.deploy.stack import JOB, ROOT, Stack

pytestmark = pytest.mark.e2e

TRANSCRIPT = ROOT / "tests" / "transcripts" / "air-plasturgie-excellent.yml"
STUDENT, ADMIN = "eleve.deploiement", "admin.deploiement"
PASSWORD = secrets.token_urlsafe(12)
SERVERS = ("action-server", "rasa", "web")
USERS = {"postgres": "postgres", "redis": "redis", **{s: "1001:0" for s in (JOB, *SERVERS)}}
CSRF_FORM = re.compile(r'name="csrf_token" value="([^"]+)"')
CSRF_CHAT = re.compile(r'data-csrf="([^"]+)"')

played: Dict[str, Any] = {}  # what a step leaves for the next ones


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    stack = Stack.create(tmp_path_factory.mktemp("deploy"), web_port=free_port(), rasa_port=free_port())
    stack.compose("down", "--volumes", "--remove-orphans", check=False)  # a run that was killed
    try:
        start = time.monotonic()
        stack.compose("up", "--detach", "--build", timeout=3600)
        stack.wait_healthy()
        print(f"\n[deploy] build + up until every service is healthy: {time.monotonic() - start:.0f} s")
        yield stack
    finally:
        if os.environ.get("DEPLOY_TEST_KEEP"):
            print(f"\n[deploy] kept: docker compose -p {stack.project} --env-file {stack.env_file} …")
        else:
            stack.remove(build_cache=not os.environ.get("DEPLOY_TEST_KEEP_CACHE"))
            left = {kind: names for kind, names in stack.leftovers().items() if names}
            assert not left, f"left behind: {left}"


def web(stack: Stack, path: str) -> str:
    return f"http://127.0.0.1:{stack.web_port}{path}"


def login(stack: Stack, username: str) -> requests.Session:
    http = requests.Session()
    token = CSRF_FORM.search(http.get(web(stack, "/connexion"), timeout=30).text).group(1)
    resp = http.post(
        web(stack, "/connexion"),
        data={"username": username, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
        timeout=30,
    )
    assert resp.status_code == 303, resp.text[:500]
    return http


def results(stack: Stack, learner: str, token: str) -> List[Dict[str, Any]]:
    resp = requests.get(
        web(stack, f"/api/v1/learners/{learner}/sessions"), headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert resp.status_code == 200, resp.text[:500]
    return resp.json()


def test_every_service_is_healthy_and_the_migration_ran_first(stack):
    services = stack.wait_healthy()
    assert set(services) == {"postgres", "redis", JOB, *SERVERS}
    assert services[JOB]["ExitCode"] == 0
    migrated = stack.finished_at(JOB)
    for name in SERVERS:
        assert stack.started_at(name) > migrated, f"{name} started before the migration ended"
    assert "database upgrade done" in stack.compose("logs", "--no-color", JOB).stdout
    # non-root, as the compose file says and as the processes really run
    for name, user in USERS.items():
        assert stack.inspect(name)["Config"]["User"] == user, name
    for name in ("postgres", "redis", *SERVERS):
        assert stack.exec(name, "id", "-u").strip() not in ("", "0"), name


def test_only_the_web_app_and_rasa_are_published_on_the_loopback(stack):
    published = {
        name: sorted(
            (p["URL"], p["PublishedPort"], p["TargetPort"]) for p in row.get("Publishers") or [] if p["PublishedPort"]
        )
        for name, row in stack.services().items()
    }
    assert published == {
        "postgres": [], "redis": [], JOB: [], "action-server": [],
        "web": [("127.0.0.1", stack.web_port, 8000)],
        "rasa": [("127.0.0.1", stack.rasa_port, 5005)],
    }  # fmt: skip
    for name in ("postgres", "redis", "action-server"):
        ports = stack.inspect(name)["NetworkSettings"]["Ports"]
        # exposed but unbound, or (on the internal network) not even exposed: never reachable from the host
        assert all(binding is None for binding in ports.values()), (name, ports)
    assert requests.get(web(stack, "/health"), timeout=10).status_code == 200
    assert requests.get(f"http://127.0.0.1:{stack.rasa_port}/", timeout=10).status_code == 200
    # the stack's database does not answer on the host, with its own credentials
    with pytest.raises(psycopg2.OperationalError):
        psycopg2.connect(
            host="127.0.0.1", port=5432, user="nego", password=stack.secrets["POSTGRES_PASSWORD"], dbname="nego",
            connect_timeout=5,
        ).close()  # fmt: skip
    # … while inside the Compose network the servers reach each other by name
    assert '"status":"ok"' in stack.exec("rasa", "curl", "-fsS", "http://action-server:5055/health").replace(" ", "")
    stack.exec("web", "curl", "-fsS", "-o", "/dev/null", "http://rasa:5005/")


def test_accounts_are_created_with_the_documented_command(stack):
    for username, role in ((ADMIN, "admin"), (STUDENT, "student")):
        out = stack.exec(
            "web", "python", "-m", "bot.cli", "create-user", username, "--role", role, "--name", "Déploiement Test",
            env={"NEW_USER_PASSWORD": PASSWORD},
        )  # fmt: skip
        assert f"« {username} » créé" in out
    home = login(stack, STUDENT).get(web(stack, "/eleve"), timeout=30)
    assert home.status_code == 200 and "Déploiement Test" in home.text


def test_a_scenario_played_through_the_web_chat_is_scored(stack):
    transcript = yaml.safe_load(TRANSCRIPT.read_text(encoding="utf-8"))
    http = login(stack, STUDENT)
    page = http.get(web(stack, f"/eleve/simulation?scenario={transcript['scenario']}"), timeout=30)
    headers = {"X-CSRF-Token": CSRF_CHAT.search(page.text).group(1)}

    def post(path: str, payload: Dict[str, Any]) -> Dict[str, Any]:
        resp = http.post(web(stack, f"/eleve/api/{path}"), json=payload, headers=headers, timeout=120)
        assert resp.status_code == 200, resp.text[:500]
        return resp.json()

    start = post("start", {"scenario_id": transcript["scenario"]})
    assert [m["kind"] for m in start["messages"]] == ["briefing", "welcome"]  # the session is recorded from turn 1
    clients, sessions = 0, set()
    for _intent, text in transcript["turns"]:
        reply = post("message", {"text": text})
        assert reply["messages"], text
        sessions.add(reply["session_id"])
        clients += sum(1 for m in reply["messages"] if m["speaker"] == "client")
        if reply["ended"]:
            break
    assert clients >= len(transcript["turns"]) // 2  # the client answered the student
    end = post("end", {})
    assert end["ended"] and sessions == {end["session_id"]}
    assert isinstance(end["grade_20"], float)
    debrief = http.get(web(stack, f"/eleve/seances/{end['session_id']}"), timeout=30)
    assert debrief.status_code == 200
    played.update(session_id=end["session_id"], grade_20=end["grade_20"], texts=[t for _, t in transcript["turns"]])


def test_the_results_api_answers(stack):
    assert played, "the previous step played no scenario"
    token = stack.exec("web", "python", "-m", "bot.cli", "api-token", "--user", ADMIN).strip().splitlines()[-1]
    unauthorised = requests.get(web(stack, f"/api/v1/learners/{STUDENT}/sessions"), timeout=30)
    assert unauthorised.status_code == 401
    sessions = results(stack, STUDENT, token)
    assert [s["session_id"] for s in sessions] == [played["session_id"]]
    session = sessions[0]
    assert session["grade_20"] == played["grade_20"] and session["ended_at"]
    assert set(session["criteria"]) == {c.id for c in load_rubric().criteria}
    scored = [c for c in session["criteria"].values() if c["score"] is not None]
    assert scored and any(c["evidence"] for c in scored)
    said = [t["text"] for t in session["turns"] if t["speaker"] == "learner" and not t["text"].startswith("/")]
    assert said == played["texts"][: len(said)] and len(said) >= 10  # commands (/start_scenario…) aside
    played.update(token=token, api=sessions)


def test_the_data_survives_down_and_up(stack):
    assert "api" in played, "the previous step did not read the results API"
    stack.compose("down", "--timeout", "30", timeout=300)
    assert stack.services() == {}
    volumes = stack.compose("config", "--volumes").stdout.split()
    assert sorted(stack.leftovers()["volumes"]) == sorted(f"{stack.project}_{v}" for v in volumes)
    start = time.monotonic()
    stack.compose("up", "--detach", timeout=1800)
    stack.wait_healthy()
    print(f"\n[deploy] up again (no build) until healthy: {time.monotonic() - start:.0f} s")
    migrated = stack.finished_at(JOB)
    assert all(stack.started_at(name) > migrated for name in SERVERS)
    assert results(stack, STUDENT, played["token"]) == played["api"]
    assert login(stack, STUDENT).get(web(stack, f"/eleve/seances/{played['session_id']}"), timeout=30).ok
