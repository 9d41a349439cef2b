"""One command line for the project: ``python -m bot.cli {run,web,shell,eval-nlu,scenarios,api-token,…}``.

Here: the process environment, the servers (``run``, ``web``) and the argument parser; the
administration commands live in bot/cli_admin.py, the terminal game in bot/cli_shell.py and the
scenario check in bot/cli_scenarios.py."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Dict, List

from bot.cli_admin import (
    cmd_api_token,
    cmd_create_user,
    cmd_db,
    cmd_export_corrections,
    cmd_lti_key,
    cmd_purge,
    cmd_rebuild,
)
from bot.cli_scenarios import cmd_scenarios
from bot.cli_shell import cmd_shell
from bot.config import Settings

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


def cmd_eval_nlu(args: argparse.Namespace) -> int:
    from bot.nlu_eval import evaluate

    return evaluate(Path(args.model), Path(args.data), Path(args.out), min_macro_f1=args.min_f1)


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
