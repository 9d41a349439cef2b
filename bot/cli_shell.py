"""``python -m bot.cli shell``: play a scenario in the terminal over Rasa's REST channel, starting
the servers when none answers."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import urllib.request
from typing import Dict, List

from bot.config import get_settings
from bot.devstack import ROOT, start_servers, stop, wait_for


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
    from bot.cli import environment

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
