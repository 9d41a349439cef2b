"""One command line for the project: ``python -m bot.cli {run,web,shell,eval-nlu,scenarios,api-token,…}``."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Dict, List

from bot.config import Settings, get_settings

# The processes (command lines, start, health, stop) live in bot.devstack, shared with the
# tests and the benchmarks; the names stay importable from here.
from bot.devstack import (  # noqa: F401 - re-exported
    MODEL,
    ROOT,
    VENV_BIN,
    migrate,
    server_commands,
    start_servers,
    start_web,
    stop,
    wait_for,
    web_command,
)
from bot.devstack import spawn as start_server  # noqa: F401 - one server, as `make run` starts it

#: the quiet defaults of Rasa, TensorFlow and SQLAlchemy for the child processes (the
#: project's own settings, URLs and ports, come from bot/config.py)
DEFAULTS = {
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "PYTHONWARNINGS": "ignore",
}


def environment() -> Dict[str, str]:
    """The process environment with the project's defaults filled in (children read the same)."""
    settings = Settings()  # not the cached one: the caller may have just changed os.environ
    env = dict(os.environ)
    for key, value in {**DEFAULTS, **settings.process_environment()}.items():
        env.setdefault(key, value)
    # rasa_sdk 3.6 has no --interface option: its ``run`` reads SANIC_HOST (default 0.0.0.0,
    # which let anyone on the network post a forged tracker to /webhook)
    env.setdefault("SANIC_HOST", env["ACTION_HOST"])
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    return env


def cmd_web(args: argparse.Namespace) -> int:
    import uvicorn

    from bot.web.settings import InsecureSettings
    from bot.web.settings import Settings as WebSettings

    env = environment()
    os.environ.update({k: v for k, v in env.items() if k in DEFAULTS})
    try:
        WebSettings.from_env().check()
    except InsecureSettings as exc:
        print(exc, file=sys.stderr)
        return 2
    uvicorn.run(
        "bot.web.app:create_app",
        factory=True,
        host=env["BIND_HOST"],
        port=int(env["WEB_PORT"]),
        # X-Forwarded-* are not read: bot/web/proxy.py trusts X-Real-IP from TRUSTED_PROXIES only
        proxy_headers=False,
        log_level="info",
    )
    return 0


def _db_session():
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
    with _db_session() as session:
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

    with _db_session() as session:
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
    from bot.storage.results import corrections
    from bot.storage.training import corrections_yaml

    with _db_session() as session:
        pairs = corrections(session)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(corrections_yaml(pairs), encoding="utf-8")
    print(f"{len(pairs)} correction(s) written to {out}")
    return 0


def _has_admin(env: Dict[str, str]) -> bool:
    from sqlalchemy import select

    from bot.storage import db
    from bot.storage.models import User

    with db.session_factory(env["DATABASE_URL"])() as session:
        return session.scalar(select(User.id).where(User.role == "admin").limit(1)) is not None


def cmd_run(args: argparse.Namespace) -> int:
    env = environment()
    if not MODEL.exists():
        print("No trained model: run `make train` first.", file=sys.stderr)
        return 1
    print("Starting the action server, the Rasa server and the web app (about 30 s)…", flush=True)
    procs = start_servers(env)
    procs["web"] = start_web(env)
    if not _has_admin(env):
        print("No admin account yet: create one with `make admin USERNAME=prenom.nom`.", flush=True)
    print(
        f"\nReady.\n  Web app (students, teachers): http://127.0.0.1:{env['WEB_PORT']}/\n"
        f"  Rasa REST channel : http://127.0.0.1:{env['RASA_PORT']}/webhooks/rest/webhook\n"
        f"  Action server     : http://127.0.0.1:{env['ACTION_PORT']}/health\n"
        f"  Database          : {env['DATABASE_URL']}\nCtrl-C stops everything.",
        flush=True,
    )
    try:
        while all(p.poll() is None for p in procs.values()):
            time.sleep(1)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        stop(procs)


def post(url: str, sender: str, message: str) -> List[dict]:
    body = json.dumps({"sender": sender, "message": message}).encode("utf-8")
    headers = {"Content-Type": "application/json"}
    if get_settings().rasa_rest_secret:
        headers["X-Coach-Secret"] = get_settings().rasa_rest_secret
    req = urllib.request.Request(url, data=body, headers=headers)
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read().decode("utf-8"))


def render(messages: List[dict]) -> str:
    colours = {"coach": "\033[33m", "client": "\033[36m"}
    out = []
    for m in messages:
        custom = m.get("custom") or {}
        speaker = custom.get("speaker", "client")
        name = custom.get("name") or ("Coach" if speaker == "coach" else "Client")
        out.append(f"{colours.get(speaker, '')}{name} :\033[0m {custom.get('text') or m.get('text', '')}")
    return "\n".join(out)


def cmd_shell(args: argparse.Namespace) -> int:
    env = environment()
    url = f"http://127.0.0.1:{env['RASA_PORT']}/webhooks/rest/webhook"
    procs: Dict[str, subprocess.Popen] = {}
    try:
        try:
            wait_for(f"http://127.0.0.1:{env['RASA_PORT']}/webhooks/rest/", timeout=1)
        except TimeoutError:
            print("Starting the servers (about 30 s)…", flush=True)
            (ROOT / "var" / "log").mkdir(parents=True, exist_ok=True)
            procs = start_servers(env, log_dir=ROOT / "var" / "log")
        sender = args.sender or f"shell-{os.getpid()}"
        print(render(post(url, sender, f'/start_scenario{{"scenario_id": "{args.scenario}"}}')))
        while True:
            try:
                text = input("\033[32mVous :\033[0m ")
            except EOFError:
                break
            if text.strip() in {"/quit", "/exit"}:
                break
            print(render(post(url, sender, text)))
        return 0
    except KeyboardInterrupt:
        return 0
    finally:
        stop(procs)


def cmd_eval_nlu(args: argparse.Namespace) -> int:
    from bot.nlu_eval import evaluate

    return evaluate(Path(args.model), Path(args.data), Path(args.out), min_macro_f1=args.min_f1)


def cmd_lti_key(args: argparse.Namespace) -> int:
    """The LTI tool's signing key id; ``--rotate``: a new key, the previous one stays in the JWKS."""
    from bot.lti import keys

    with _db_session() as db:
        key = keys.rotate(db) if args.rotate else keys.signing_key(db)
        published = [k["kid"] for k in keys.jwks(db)["keys"]]
    print(f"clé de signature : {key.kid}\nclés publiées (JWKS) : {', '.join(published)}")
    return 0


def cmd_db(args: argparse.Namespace) -> int:
    from bot.storage import db

    env = environment()
    if args.action == "upgrade":
        db.upgrade(env["DATABASE_URL"], args.revision or "head")
    else:
        db.downgrade(env["DATABASE_URL"], args.revision or "base")
    print(f"database {args.action} done: {db.database_url(env['DATABASE_URL']).split('@')[-1]}")
    return 0


def cmd_rebuild(args: argparse.Namespace) -> int:
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
    with _db_session() as db:
        report = purge(db, days, journal=settings.unsaved_messages_path, dry_run=args.dry_run)
        if args.dry_run:
            print(f"(simulation, rien n'est supprimé) {report.summary()}")
            return 0
        record_event(db, "purge", actor_name="bot.cli purge", target=f"{days} jours", detail=report.summary())
        db.commit()
    print(report.summary())
    return 0


def cmd_scenarios(args: argparse.Namespace) -> int:
    from bot.content.spoilers import leaks
    from bot.engine.desk_schema import is_desk
    from bot.engine.scenario import ScenarioError, parse_situation

    library = _library_or_none()
    status = int(library is None)
    for path in sorted(get_settings().scenarios_dir.glob("*.yml")):
        if path.name.startswith("_"):
            continue
        try:
            scenario = parse_situation(path)
        except ScenarioError as exc:
            status = 1
            print(f"ERREUR  {path.name}")
            for problem in exc.problems:
                print(f"        - {problem}")
            continue
        found = [] if is_desk(scenario) else leaks(scenario)  # a desk task shows the whole meeting on purpose
        errors = [leak for leak in found if leak.error]
        status = status or int(bool(errors))
        print(f"{'ERREUR' if errors else 'OK':8}{scenario.id:26} {scenario.title}")
        for leak in found:
            print(f"        - {'' if leak.error else 'à vérifier : '}{leak.message()}")
        status = _check_versions(library, scenario.id) or status
    return status


def _library_or_none():
    from bot.engine.library import load_library
    from bot.engine.scenario import ScenarioError

    try:
        return load_library(get_settings().data_dir)
    except ScenarioError as exc:
        if exc.path.name.startswith("_"):  # a scenario file is reported below, with its problems
            print(f"ERREUR  {exc}")
        return None
    except OSError as exc:
        print(f"ERREUR  bibliothèque illisible, niveaux et variantes non vérifiés : {exc}")
        return None


def _check_versions(library, scenario_id: str) -> int:
    """The three levels × the checked variants of one scenario (``make scenarios``); 1 when one breaks."""
    from bot.engine.desk_schema import is_desk
    from bot.engine.playable import CHECKED_VARIANTS, problems

    if library is None or scenario_id not in library.scenarios:
        return 0
    found = problems(library, scenario_id)
    if is_desk(library.scenarios[scenario_id]):
        print(f"        3 niveaux (tâche de rédaction, sans variante) : {'ERREUR' if found else 'jouables'}")
        for problem in found:
            print(f"        - {problem}")
        return int(bool(found))
    declared = library.scenarios[scenario_id].variants
    drawn = "variantes tirées" if declared.values or declared.objections or declared.temperaments else "sans plages"
    print(f"        3 niveaux × {CHECKED_VARIANTS + 1} variantes ({drawn}) : {'ERREUR' if found else 'jouables'}")
    for problem in found:
        print(f"        - {problem}")
    return int(bool(found))


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bot", description="Negotiation coach (Rasa)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="start the Rasa server and the action server").set_defaults(func=cmd_run)
    shell = sub.add_parser("shell", help="play a scenario in the terminal")
    shell.add_argument("--scenario", default="air-plasturgie")
    shell.add_argument("--sender", default="")
    shell.set_defaults(func=cmd_shell)
    ev = sub.add_parser("eval-nlu", help="evaluate the NLU on the held-out set")
    ev.add_argument("--model", default=str(MODEL), help="model archive to evaluate")
    ev.add_argument("--data", default=str(ROOT / "tests" / "nlu" / "heldout.yml"))
    ev.add_argument("--out", default=str(ROOT / "results" / "nlu"))
    ev.add_argument("--min-f1", type=float, default=0.0)
    ev.set_defaults(func=cmd_eval_nlu)
    sub.add_parser("scenarios", help="validate the scenario files").set_defaults(func=cmd_scenarios)
    dbp = sub.add_parser("db", help="migrate the project's tables")
    dbp.add_argument("action", choices=["upgrade", "downgrade"])
    dbp.add_argument("revision", nargs="?", default="")
    dbp.set_defaults(func=cmd_db)
    rb = sub.add_parser("rebuild", help="rebuild sessions, turns and scores from the tracker store")
    rb.add_argument("--learner", action="append", help="only this learner (repeatable)")
    rb.set_defaults(func=cmd_rebuild)
    pg = sub.add_parser("purge", help="delete learner data older than RETENTION_DAYS (RGPD)")
    pg.add_argument("--days", type=int, default=None, help="retention in days (default: RETENTION_DAYS)")
    pg.add_argument("--dry-run", action="store_true", help="only say what would be deleted")
    pg.set_defaults(func=cmd_purge)
    sub.add_parser("web", help="serve the web app (students, teachers, API)").set_defaults(func=cmd_web)
    cu = sub.add_parser("create-user", help="create an admin, teacher or student account")
    cu.add_argument("username")
    cu.add_argument("--role", choices=["admin", "teacher", "student"], default="admin")
    cu.add_argument("--name", default="")
    cu.add_argument(
        "--password-stdin", action="store_true", help="read the password from the first line of standard input"
    )
    cu.set_defaults(func=cmd_create_user)
    tk = sub.add_parser("api-token", help="print a new results-API token (admin by default)")
    tk.add_argument("--user", default="")
    tk.add_argument("--name", default="")
    tk.set_defaults(func=cmd_api_token)
    ec = sub.add_parser("export-corrections", help="teachers' move corrections as Rasa NLU data")
    ec.add_argument("--out", default=str(ROOT / "results" / "corrections" / "nlu_corrections.yml"))
    ec.set_defaults(func=cmd_export_corrections)
    lk = sub.add_parser("lti-key", help="show the LTI signing key; --rotate makes a new one (docs/lti.md)")
    lk.add_argument("--rotate", action="store_true")
    lk.set_defaults(func=cmd_lti_key)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
