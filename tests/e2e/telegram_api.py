"""A local stand-in for the Telegram Bot API that records every call (aiogram talks to it).

Started once per test session before the shared Rasa stack (tests/e2e/conftest.py), which
is configured with ``TELEGRAM_API_URL`` pointing here.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List

TOKEN = "123456:TEST-token_e2e"
SECRET = "e2e-webhook-secret"
WEBHOOK_URL = "https://coach.example.test/webhooks/telegram/webhook"
BOT_USERNAME = "coach_nego_test_bot"


class FakeTelegramAPI:
    """``/bot<token>/<method>`` of the Bot API, enough for aiogram; every call is recorded."""

    def __init__(self) -> None:
        self.calls: List[Dict[str, Any]] = []
        #: chats that blocked the bot: ``sendMessage`` answers 403
        self.blocked: set = set()
        self.lock = threading.Lock()
        self.message_ids = itertools.count(1)
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8")
                if "json" in (self.headers.get("Content-Type") or ""):
                    params = json.loads(body or "{}")
                else:
                    params = {k: v[-1] for k, v in urllib.parse.parse_qs(body, keep_blank_values=True).items()}
                match = re.fullmatch(r"/bot(?P<token>[^/]+)/(?P<method>\w+)", self.path)
                if not match or match["token"] != TOKEN:
                    return self.reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
                method = match["method"]
                with api.lock:
                    api.calls.append({"method": method, "params": params})
                if method == "sendMessage" and str(params.get("chat_id")) in api.blocked:
                    blocked = {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
                    return self.reply(403, blocked)
                self.reply(200, {"ok": True, "result": api.result(method, params)})

            def reply(self, status: int, payload: Dict[str, Any]) -> None:
                data = json.dumps(payload).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def result(self, method: str, params: Dict[str, Any]) -> Any:
        if method == "getMe":
            return {"id": 123456, "is_bot": True, "first_name": "Coach négo", "username": BOT_USERNAME}
        if method == "sendMessage":
            chat_id = int(params["chat_id"])
            return {
                "message_id": next(self.message_ids),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private"},
                "text": params.get("text", ""),
            }
        return True  # setWebhook, sendChatAction…

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def since(self, index: int, method: str | None = None) -> List[Dict[str, Any]]:
        with self.lock:
            calls = self.calls[index:]
        return [c for c in calls if method is None or c["method"] == method]
