"""The administration commands of ``python -m bot.cli``: accounts and API tokens, the database
(migrations, rebuild from the tracker store, RGPD retention purge), the LTI signing key and the
teachers' move corrections exported as NLU data. Each one opens the project's database itself."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.config import get_settings


def db_session():
    """A session on the project's database (``DATABASE_URL``), migrated first."""
    from bot.cli import environment
    from bot.storage import db

    env = environment()
    db.upgrade(env["DATABASE_URL"])
    return db.session_factory(env["DATABASE_URL"])()


NO_TERMINAL = """\
Erreur : pas de terminal pour saisir le mot de passe de « {username} ».
Donnez-le sur l'entrée standard ou dans la variable NEW_USER_PASSWORD :
  printf '%s\\n' "$MOT_DE_PASSE" | python -m bot.cli create-user {username} --password-stdin
  NEW_USER_PASSWORD="$MOT_DE_PASSE" python -m bot.cli create-user {username}
(No terminal to type the password: pass it with --password-stdin or NEW_USER_PASSWORD.)"""


def new_password(args: argparse.Namespace) -> str | None:
    """The new account's password: ``--password-stdin``, ``NEW_USER_PASSWORD`` or typed in a
    terminal; None (after saying how to give it) when there is no terminal to type it in."""
    import getpass

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    from_env = get_settings().new_user_password
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        print(NO_TERMINAL.format(username=args.username), file=sys.stderr)
        return None
    return getpass.getpass(f"Mot de passe pour {args.username} : ")


def cmd_create_user(args: argparse.Namespace) -> int:
    from bot.storage.accounts import AccountError, create_user

    password = new_password(args)
    if password is None:
        return 2
    with db_session() as session:
        try:
            create_user(session, args.username, password, args.role, display_name=args.name or args.username)
        except AccountError as exc:
            print(f"Erreur : {exc}", file=sys.stderr)
            return 1
        session.commit()
    print(f"Compte {args.role} « {args.username} » créé.")
    return 0


def cmd_api_token(args: argparse.Namespace) -> int:
    """Print a new results-API token for an admin (created as ``api-admin`` if none exists)."""
    import secrets

    from sqlalchemy import select

    from bot.storage.accounts import create_api_token, create_user
    from bot.storage.models import User

    with db_session() as session:
        query = select(User).where(User.role == "admin", User.active.is_(True)).order_by(User.id)
        if args.user:
            query = select(User).where(User.username == args.user)
        user = session.scalar(query)
        if user is None and args.user:
            print(f"Erreur : aucun compte « {args.user} ».", file=sys.stderr)
            return 1
        if user is None:
            user = create_user(session, "api-admin", secrets.token_urlsafe(24), "admin", display_name="API")
        token = create_api_token(session, user, args.name or "make api-token")
        session.commit()
    print(token)
    return 0


def cmd_export_corrections(args: argparse.Namespace) -> int:
    """Teachers' move corrections as Rasa NLU training data (YAML)."""
    from bot.storage.teacher_edits import corrections
    from bot.storage.training import corrections_yaml

    with db_session() as session:
        pairs = corrections(session)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(corrections_yaml(pairs), encoding="utf-8")
    print(f"{len(pairs)} correction(s) written to {out}")
    return 0


def cmd_lti_key(args: argparse.Namespace) -> int:
    """The LTI tool's signing key id; ``--rotate``: a new key, the previous one stays in the JWKS."""
    from bot.lti import keys

    with db_session() as db:
        key = keys.rotate(db) if args.rotate else keys.signing_key(db)
        published = [k["kid"] for k in keys.jwks(db)["keys"]]
    print(f"clé de signature : {key.kid}\nclés publiées (JWKS) : {', '.join(published)}")
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    from bot.cli import environment
    from bot.storage import db

    env = environment()
    if args.action == "upgrade":
        db.upgrade(env["DATABASE_URL"], args.revision or "head")
    else:
        db.downgrade(env["DATABASE_URL"], args.revision or "base")
    print(f"database {args.action} done: {db.database_url(env['DATABASE_URL']).split('@')[-1]}")
    return 0


def cmd_rebuild(args: argparse.Namespace) -> int:
    from bot.cli import environment
    from bot.storage import db
    from bot.storage.rebuild import rebuild

    env = environment()
    db.upgrade(env["DATABASE_URL"])
    counts = rebuild(env["DATABASE_URL"], senders=args.learner or ())
    print(f"rebuilt {counts['sessions']} session(s), {counts['turns']} turn(s) for {counts['learners']} learner(s)")
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    """Apply the retention limit (``RETENTION_DAYS``): RGPD storage limitation, run by cron or by hand."""
    from bot.storage.audit import record_event
    from bot.storage.erasure import purge

    settings = get_settings()
    days = settings.retention_days if args.days is None else args.days
    if days < 1:
        print("Erreur : la durée de conservation doit être d'au moins 1 jour.", file=sys.stderr)
        return 2
    with db_session() as db:
        report = purge(db, days, journal=settings.unsaved_messages_path, dry_run=args.dry_run)
        if args.dry_run:
            print(f"(simulation, rien n'est supprimé) {report.summary()}")
            return 0
        record_event(db, "purge", actor_name="bot.cli purge", target=f"{days} jours", detail=report.summary())
        db.commit()
    print(report.summary())
    return 0
