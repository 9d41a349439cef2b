"""pylti1p3's tool configuration read from the database: the platforms the admin registered.

One issuer may hold several client ids (two Moodle registrations of the tool), so the
configuration answers "by params" (issuer + client id), the way pylti1p3 recommends.
"""

from __future__ import annotations

from typing import List
from urllib.parse import urlsplit

from pylti1p3.deployment import Deployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config.abstract import ToolConfAbstract
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.lti import keys
from bot.storage.lti_models import LtiPlatform


class PlatformError(ValueError):
    """A registration form the admin must correct (French message)."""


def find_platform(db: Session, issuer: str, client_id: str | None) -> LtiPlatform | None:
    query = select(LtiPlatform).where(LtiPlatform.issuer == issuer)
    if client_id:
        query = query.where(LtiPlatform.client_id == client_id)
    return db.scalars(query.order_by(LtiPlatform.id)).first()


def registration(db: Session, platform: LtiPlatform) -> Registration:
    """What pylti1p3 needs to verify a launch from ``platform`` and to sign for it."""
    key = keys.signing_key(db)
    return (
        Registration()
        .set_issuer(platform.issuer)
        .set_client_id(platform.client_id)
        .set_auth_login_url(platform.auth_login_url)
        .set_auth_token_url(platform.auth_token_url)
        .set_key_set_url(platform.key_set_url)
        .set_tool_private_key(key.private_pem)
        .set_tool_public_key(keys.public_pem(key.private_pem))
    )


class DatabaseToolConf(ToolConfAbstract):
    """The registered platforms, looked up at each launch (an admin's change applies at once)."""

    def __init__(self, db: Session):
        self.db = db
        self.issuers_relation_types = {}

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args, **kwargs) -> Registration | None:
        platform = find_platform(self.db, iss, None)
        return registration(self.db, platform) if platform else None

    def find_registration_by_params(self, iss: str, client_id: str, *args, **kwargs) -> Registration | None:
        platform = find_platform(self.db, iss, client_id) if client_id else None
        return registration(self.db, platform) if platform else None

    def find_deployment(self, iss: str, deployment_id: str) -> Deployment | None:
        return self.find_deployment_by_params(iss, deployment_id, None)

    def find_deployment_by_params(self, iss: str, deployment_id: str, client_id, *args, **kwargs):
        platform = find_platform(self.db, iss, client_id)
        if platform is None or deployment_id not in (platform.deployment_ids or []):
            return None
        return Deployment().set_deployment_id(deployment_id)


def _url(label: str, value: str) -> str:
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise PlatformError(f"{label} : une adresse complète est attendue (https://…).")
    return value


def save_platform(
    db: Session,
    *,
    name: str,
    issuer: str,
    client_id: str,
    deployment_ids: str,
    auth_login_url: str,
    auth_token_url: str,
    key_set_url: str,
) -> LtiPlatform:
    """Register a platform (or update the one with this issuer and client id)."""
    issuer, client_id = issuer.strip(), client_id.strip()
    if not issuer:
        raise PlatformError("L'identifiant de la plate-forme (issuer) est obligatoire.")
    if not client_id:
        raise PlatformError("L'identifiant client (client ID) est obligatoire.")
    deployments: List[str] = sorted({d.strip() for d in deployment_ids.replace(",", " ").split() if d.strip()})
    if not deployments:
        raise PlatformError("Indiquez au moins un identifiant de déploiement (deployment ID).")
    platform = find_platform(db, issuer, client_id) or LtiPlatform(issuer=issuer, client_id=client_id)
    platform.name = name.strip()[:120] or issuer[:120]
    platform.deployment_ids = deployments
    platform.auth_login_url = _url("URL d'authentification", auth_login_url)
    platform.auth_token_url = _url("URL du jeton d'accès", auth_token_url)
    platform.key_set_url = _url("URL des clés publiques (JWKS)", key_set_url)
    db.add(platform)
    db.commit()
    return platform
