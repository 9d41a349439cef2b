"""The tool's RSA signing keys: created on first need, rotated by a command, published as a JWKS.

The newest unretired key signs (deep-linking responses, service token requests). A rotation
creates a new key and retires all but the previous one, which stays in the JWKS so that a
platform holding a cached copy of the key set still verifies what was signed just before.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, List

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pylti1p3.registration import Registration
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage.lti_models import LtiKey

KEY_BITS = 2048
#: keys published at once: the signing key and the one it replaced
PUBLISHED_KEYS = 2


def _new_private_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")


def public_pem(private_pem: str) -> str:
    key = serialization.load_pem_private_key(private_pem.encode("ascii"), password=None)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )


def public_jwk(private_pem: str) -> Dict[str, Any]:
    """The public JWK (``kid`` = RFC 7638 thumbprint, as pylti1p3 puts it in the JWT headers)."""
    return dict(Registration.get_jwk(public_pem(private_pem)))


def _active(db: Session) -> List[LtiKey]:
    return list(db.scalars(select(LtiKey).where(LtiKey.retired_at.is_(None)).order_by(LtiKey.id.desc())))


def add_key(db: Session) -> LtiKey:
    pem = _new_private_pem()
    row = LtiKey(kid=public_jwk(pem)["kid"], private_pem=pem, created_at=datetime.utcnow())
    db.add(row)
    db.flush()
    return row


def signing_key(db: Session) -> LtiKey:
    """The key that signs now (created the first time the tool needs one)."""
    active = _active(db)
    if active:
        return active[0]
    row = add_key(db)
    db.commit()
    return row


def rotate(db: Session) -> LtiKey:
    """A new signing key; keys older than the previous one leave the JWKS."""
    row = add_key(db)
    now = datetime.utcnow()
    for old in _active(db)[PUBLISHED_KEYS:]:
        old.retired_at = now
    db.commit()
    return row


def jwks(db: Session) -> Dict[str, List[Dict[str, Any]]]:
    """``GET /lti/jwks``: the signing key and the one before it."""
    signing_key(db)
    return {"keys": [public_jwk(k.private_pem) for k in _active(db)[:PUBLISHED_KEYS]]}
