"""Accounts, classes and who may see whom.

Passwords are hashed with argon2; API tokens are random and only their SHA-256 is
stored. Access rules live here, in one place, for the pages and the API alike.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable, List, Sequence

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.storage.models import ApiToken, Group, Learner, User

ROLES = ("admin", "teacher", "student")
#: the roles of the school's staff: they see the teacher pages (an admin is a teacher too)
STAFF_ROLES = frozenset({"admin", "teacher"})
_hasher = PasswordHasher()
#: verified against when the user does not exist, so timing does not reveal usernames
_DUMMY_HASH = _hasher.hash("not-a-password")
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,62}$")
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
MAX_ROSTER_ROWS = 200


class AccountError(ValueError):
    """A readable French message for the person filling a form."""


class AccountDisabled(AccountError):
    """The password was right but the admin deactivated the account."""

    def __init__(self) -> None:
        super().__init__("Ce compte a été désactivé : adressez-vous à l'administrateur de l'établissement.")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password_strength(password: str) -> None:
    if len(password) < 8:
        raise AccountError("Le mot de passe doit contenir au moins 8 caractères.")
    if len(password) > 200:
        raise AccountError("Le mot de passe est trop long (200 caractères au plus).")


def slug(text: str) -> str:
    """``Émilie Dupont`` → ``emilie.dupont`` (a login name)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", ".", ascii_text.lower()).strip(".")[:60] or "eleve"


def random_password(length: int = 10) -> str:
    return "".join(secrets.choice(ALPHABET.lower() + "23456789") for _ in range(length))


def class_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(6))


def create_user(
    db: Session,
    username: str,
    password: str,
    role: str,
    display_name: str = "",
    group: Group | None = None,
    temporary: bool = False,
) -> User:
    """Create an account; a student gets a learner record of the same id.

    ``temporary``: the password was chosen by someone else (the admin), to change at the first login.
    """
    username = username.strip().lower()
    if role not in ROLES:
        raise AccountError(f"Rôle inconnu : {role}.")
    if not USERNAME_RE.match(username):
        raise AccountError(
            "Identifiant invalide : lettres minuscules, chiffres, point, tiret ou souligné (2 à 63 caractères)."
        )
    check_password_strength(password)
    if db.scalar(select(User).where(User.username == username)) is not None:
        raise AccountError(f"L'identifiant « {username} » existe déjà.")
    if role == "student" and db.get(Learner, username) is not None:
        # a learner record without an account (played over REST, Telegram, a deleted account):
        # a new account must not inherit its sessions and scores
        raise AccountError(
            f"L'identifiant « {username} » est déjà pris par un autre apprenant : choisissez-en un autre."
        )
    user = User(
        username=username, display_name=display_name.strip() or username, role=role, must_change_password=temporary
    )
    user.password_hash = hash_password(password)
    if role == "student":
        learner = Learner(id=username, display_name=user.display_name)
        db.add(learner)
        if group is not None:
            learner.group_id = group.id
        user.learner_id = learner.id
    db.add(user)
    db.flush()
    return user


def free_username(db: Session, base: str) -> str:
    """``base``, else ``base2``, ``base3``… : the first id used by no account and no learner record."""
    username, n = base, 1
    while (
        db.scalar(select(User.id).where(User.username == username)) is not None or db.get(Learner, username) is not None
    ):
        n += 1
        username = f"{base}{n}"
    return username


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(db: Session, username: str, password: str) -> User | None:
    """The account if the password is right; :class:`AccountDisabled` if it is but the account is off
    (said only to whoever knows the password, so it reveals nothing to a guesser)."""
    user = db.scalar(select(User).where(User.username == username.strip().lower()))
    if not password_matches(user.password_hash if user else _DUMMY_HASH, password) or user is None:
        return None
    if not user.active:
        raise AccountDisabled()
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = datetime.utcnow()
    return user


def create_group(db: Session, name: str, teacher: User) -> Group:
    name = name.strip()
    if not name:
        raise AccountError("Donnez un nom à la classe.")
    group = Group(name=name[:120], code=class_code(), teacher_id=teacher.id)
    db.add(group)
    db.flush()
    return group


@dataclass
class RosterRow:
    username: str
    display_name: str
    password: str
    created: bool
    problem: str = ""


def import_roster(db: Session, group: Group, text: str) -> List[RosterRow]:
    """Import a CSV roster (``nom;prenom[;identifiant][;mot_de_passe]``, ``,`` or ``;``).

    Missing logins are built from the names, missing passwords generated; the
    generated passwords are returned once, for the teacher to hand out.
    """
    text = text.lstrip("\ufeff")
    try:
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    if rows and {c.strip().lower() for c in rows[0]} & {"nom", "prenom", "prénom", "identifiant"}:
        header = [c.strip().lower().replace("é", "e") for c in rows[0]]
        rows = rows[1:]
    else:
        header = ["nom", "prenom", "identifiant", "mot_de_passe"]
    rows = [raw for raw in rows if any(c.strip() for c in raw)]
    if len(rows) > MAX_ROSTER_ROWS:
        # one argon2 hash per row: a huge file would keep a core busy for hours
        raise AccountError(
            f"Trop de lignes ({len(rows)}) : {MAX_ROSTER_ROWS} élèves au plus par import ; découpez le fichier."
        )
    out: List[RosterRow] = []
    for raw in rows:
        if not any(c.strip() for c in raw):
            continue
        values = {header[i]: c.strip() for i, c in enumerate(raw) if i < len(header)}
        last, first = values.get("nom", ""), values.get("prenom", "")
        display = f"{first} {last}".strip()
        username = (values.get("identifiant") or slug(f"{first}.{last}")).lower()
        password = values.get("mot_de_passe") or random_password()
        try:
            create_user(db, username, password, "student", display_name=display, group=group)
            out.append(RosterRow(username, display, password, True))
        except AccountError as exc:
            out.append(RosterRow(username, display, "", False, str(exc)))
    return out


def join_group_by_code(db: Session, code: str) -> Group | None:
    return db.scalar(select(Group).where(Group.code == code.strip().upper()))


# --- who may see whom --------------------------------------------------------------


def groups_of(db: Session, user: User) -> List[Group]:
    query = select(Group).order_by(Group.name)
    if user.role != "admin":
        query = query.where(Group.teacher_id == user.id)
    return list(db.scalars(query))


def visible_learner_ids(db: Session, user: User) -> Sequence[str] | None:
    """The learners ``user`` may see; ``None`` means all (admin)."""
    if user.role == "admin":
        return None
    if user.role == "student":
        return [user.learner_id] if user.learner_id else []
    return list(
        db.scalars(select(Learner.id).join(Group, Learner.group_id == Group.id).where(Group.teacher_id == user.id))
    )


def can_see_learner(db: Session, user: User, learner_id: str) -> bool:
    visible = visible_learner_ids(db, user)
    return visible is None or learner_id in visible


def can_manage_group(user: User, group: Group) -> bool:
    return user.role == "admin" or group.teacher_id == user.id


# --- API tokens ----------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_api_token(db: Session, user: User, name: str = "") -> str:
    """A new bearer token; the clear value is returned once and never stored."""
    token = "nc_" + secrets.token_urlsafe(32)
    db.add(ApiToken(user_id=user.id, name=name.strip()[:120], token_hash=_digest(token), prefix=token[:10]))
    db.flush()
    return token


def user_for_token(db: Session, token: str) -> User | None:
    """The owner of a live token; found by its public prefix, then its digest compared in constant time."""
    digest = _digest(token)
    candidates = db.scalars(
        select(ApiToken).where(ApiToken.prefix == token[:10], ApiToken.revoked_at.is_(None)).limit(20)
    )
    row = next((c for c in candidates if hmac.compare_digest(c.token_hash, digest)), None)
    if row is None or not row.user.active or row.user.role == "student":
        return None
    row.last_used_at = datetime.utcnow()
    return row.user


def tokens_of(db: Session, user: User) -> Iterable[ApiToken]:
    return db.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc()))


def revoke_token(db: Session, user: User, token_id: int) -> bool:
    row = db.get(ApiToken, token_id)
    if row is None or (row.user_id != user.id and user.role != "admin") or row.revoked_at is not None:
        return False
    row.revoked_at = datetime.utcnow()
    return True


def staff_accounts(db: Session) -> List[User]:
    """Every teacher and admin account, by username: the admin's list of teachers."""
    return list(db.scalars(select(User).where(User.role.in_(STAFF_ROLES)).order_by(User.username)))
