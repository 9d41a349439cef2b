"""An LMS emulated on the loopback: it signs id tokens with its own RSA key and serves what Moodle serves.

Test code only (the tool side is the real pylti1p3 in the real web app). Endpoints:

- ``GET /jwks``: the platform's public key set;
- ``POST /token``: OAuth2 client credentials; the client assertion is verified against the
  *tool's* JWKS, fetched over HTTP from the web app, as Moodle does;
- ``GET /nrps/<course>``: the course roster (Names and Role Provisioning 2.0);
- ``POST /lineitems/<n>/lineitem/scores``: a score for the gradebook (Assignment and Grade Services);
- ``POST /deep-link-return``: the tool's signed deep-linking response (verified, content items kept).
"""

from __future__ import annotations

import json
import secrets
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List
from urllib.parse import parse_qs

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem(key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


@dataclass
class Person:
    sub: str
    name: str
    role: str  # Instructor or Learner

    def member(self) -> Dict[str, Any]:
        return {"user_id": self.sub, "name": self.name, "status": "Active", "roles": [ROLE + self.role]}


@dataclass
class Platform:
    """The emulated Moodle; ``tool_url`` is the web app's base URL."""

    tool_url: str
    client_id: str = "coach-client-id"
    deployment_id: str = "deployment-1"
    course: str = "course-42"
    people: Dict[str, Person] = field(default_factory=dict)
    scores: List[Dict[str, Any]] = field(default_factory=list)
    deep_link_items: List[Dict[str, Any]] = field(default_factory=list)
    tokens: Dict[str, List[str]] = field(default_factory=dict)
    refused: List[str] = field(default_factory=list)

    def __post_init__(self):
        self.key = rsa_key()
        self.kid = "platform-key-1"
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        for person in (
            Person("moodle-teacher-7", "Claire Moreau", "Instructor"),
            Person("moodle-student-11", "Léa Martin", "Learner"),
            Person("moodle-student-12", "Hugo Bernard", "Learner"),
        ):
            self.people[person.sub] = person

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # what the admin pastes into the tool
    @property
    def registration(self) -> Dict[str, str]:
        return {
            "name": "Moodle émulé",
            "issuer": self.url,
            "client_id": self.client_id,
            "deployment_ids": self.deployment_id,
            "auth_login_url": self.url + "/auth",
            "auth_token_url": self.url + "/token",
            "key_set_url": self.url + "/jwks",
        }

    def jwks(self) -> Dict[str, Any]:
        public = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        public.update(kid=self.kid, alg="RS256", use="sig")
        return {"keys": [public]}

    def lineitem(self, n: int = 1) -> str:
        return f"{self.url}/lineitems/{n}/lineitem"

    def claims(self, sub: str, message: Dict[str, Any], nonce: str) -> Dict[str, Any]:
        person = self.people[sub]
        now = int(time.time())
        body = {
            "iss": self.url,
            "aud": self.client_id,
            "sub": sub,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "name": person.name,
            LTI + "version": "1.3.0",
            LTI + "deployment_id": self.deployment_id,
            LTI + "roles": [ROLE + person.role],
            LTI + "context": {"id": self.course, "label": "NDRC1", "title": "BTS NDRC 1re année"},
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": f"{self.url}/nrps/{self.course}",
                "service_versions": ["2.0"],
            },
        }
        body.update(message)
        return body

    def deep_linking_request(self) -> Dict[str, Any]:
        return {
            LTI + "message_type": "LtiDeepLinkingRequest",
            "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings": {
                "deep_link_return_url": self.url + "/deep-link-return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["window"],
                "data": "moodle-opaque-data",
            },
        }

    def resource_request(self, link_id: str, custom: Dict[str, str], lineitem: int = 1) -> Dict[str, Any]:
        return {
            LTI + "message_type": "LtiResourceLinkRequest",
            LTI + "resource_link": {"id": link_id, "title": "Simulation"},
            LTI + "target_link_uri": self.tool_url + "/lti/launch",
            LTI + "custom": custom,
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": [LINEITEM_SCOPE, SCORE_SCOPE],
                "lineitem": self.lineitem(lineitem),
                "lineitems": self.url + "/lineitems",
            },
        }

    def id_token(self, claims: Dict[str, Any], key=None, kid: str | None = None) -> str:
        return jwt.encode(claims, pem(key or self.key), algorithm="RS256", headers={"kid": kid or self.kid})

    # the tool's keys, as the platform fetches them
    def verify_tool_jwt(self, token: str, audience: str) -> Dict[str, Any]:
        keys = requests.get(self.tool_url + "/lti/jwks", timeout=10).json()["keys"]
        kid = jwt.get_unverified_header(token)["kid"]
        jwk = next(k for k in keys if k["kid"] == kid)
        return jwt.decode(token, RSAAlgorithm.from_jwk(json.dumps(jwk)), algorithms=["RS256"], audience=audience)

    def _handler(self):
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _send(self, status: int, body: Any, content_type: str = "application/json") -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _scopes(self) -> List[str] | None:
                auth = self.headers.get("Authorization", "")
                return platform.tokens.get(auth.removeprefix("Bearer "))

            def do_GET(self):
                if self.path == "/jwks":
                    return self._send(200, platform.jwks())
                if self.path.startswith("/nrps/"):
                    if NRPS_SCOPE not in (self._scopes() or []):
                        platform.refused.append(self.path)
                        return self._send(401, {"error": "invalid token"})
                    members = [p.member() for p in platform.people.values()]
                    container = {"id": self.path, "context": {"id": platform.course}, "members": members}
                    return self._send(200, container, "application/vnd.ims.lti-nrps.v2.membershipcontainer+json")
                return self._send(404, {})

            def do_POST(self):
                body = self._body()
                if self.path == "/token":
                    form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
                    try:
                        claims = platform.verify_tool_jwt(form["client_assertion"], platform.url + "/token")
                        assert claims["iss"] == claims["sub"] == platform.client_id
                    except Exception as exc:  # noqa: BLE001 - any bad assertion is a 401
                        platform.refused.append(f"token: {exc}")
                        return self._send(401, {"error": "invalid_client"})
                    token = secrets.token_urlsafe(16)
                    platform.tokens[token] = form.get("scope", "").split()
                    return self._send(200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600})
                if self.path.startswith("/lineitems/") and self.path.endswith("/scores"):
                    if SCORE_SCOPE not in (self._scopes() or []):
                        platform.refused.append(self.path)
                        return self._send(401, {"error": "invalid token"})
                    if self.headers.get("Content-Type") != "application/vnd.ims.lis.v1.score+json":
                        return self._send(415, {})
                    platform.scores.append({"lineitem": self.path.removesuffix("/scores"), **json.loads(body)})
                    return self._send(200, {})
                if self.path == "/deep-link-return":
                    form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
                    claims = platform.verify_tool_jwt(form["JWT"], platform.url)
                    assert claims["iss"] == platform.client_id
                    assert claims[LTI + "message_type"] == "LtiDeepLinkingResponse"
                    assert claims["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "moodle-opaque-data"
                    platform.deep_link_items.extend(
                        claims["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
                    )
                    return self._send(200, {"ok": True}, "text/html")
                return self._send(404, {})

        return Handler


def new_nonce() -> str:
    return uuid.uuid4().hex
