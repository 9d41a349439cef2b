"""The web app under uvicorn and an emulated LMS on the loopback, the platform registered by the admin."""

from __future__ import annotations

import re
from typing import Any, Callable, Dict
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from bot import devstack
from tests.lti.platform import Platform
from tests.web.conftest import CSRF_RE, WebApp, start_web


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    app = start_web(tmp_path_factory.mktemp("lti"))
    yield app
    devstack.stop({"web": app.process})


@pytest.fixture(scope="module")
def platform(web: WebApp):
    lms = Platform(web.url)
    admin = web.login("admin")
    resp = admin.post(web.url + "/admin/lti", data={**lms.registration, "csrf_token": web.csrf(admin, "/admin/lti")})
    assert resp.status_code == 200 and lms.url in resp.text, resp.text[:500]
    yield lms
    lms.stop()


def form_token(page: str) -> str:
    match = CSRF_RE.search(page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" value="([^"]+)"', page)
    assert match, f"no field {name}"
    return match.group(1)


class Launcher:
    """Drives a browser through the OIDC login and the launch, as Moodle's redirects would."""

    def __init__(self, web: WebApp, platform: Platform):
        self.web, self.platform = web, platform

    def login(self, http: requests.Session, sub: str) -> Dict[str, str]:
        resp = http.get(
            self.web.url + "/lti/login",
            params={
                "iss": self.platform.url,
                "login_hint": sub,
                "target_link_uri": self.web.url + "/lti/launch",
                "client_id": self.platform.client_id,
                "lti_message_hint": "hint-1",
            },
            allow_redirects=False,
        )
        assert resp.status_code == 302, resp.text[:300]
        location = resp.headers["location"]
        assert location.startswith(self.platform.url + "/auth?")
        query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        assert query["redirect_uri"] == self.web.url + "/lti/launch"
        assert query["client_id"] == self.platform.client_id and query["lti_message_hint"] == "hint-1"
        return query

    def launch(
        self,
        http: requests.Session,
        sub: str,
        message: Dict[str, Any],
        change: Callable[[Dict[str, Any]], None] | None = None,
        **sign: Any,
    ) -> requests.Response:
        query = self.login(http, sub)
        claims = self.platform.claims(sub, message, query["nonce"])
        if change:
            change(claims)
        token = self.platform.id_token(claims, **sign)
        resp = http.post(query["redirect_uri"], data={"id_token": token, "state": query["state"]})
        resp.launch_form = {"id_token": token, "state": query["state"]}  # to replay it
        return resp


@pytest.fixture(scope="module")
def launcher(web, platform) -> Launcher:
    return Launcher(web, platform)
