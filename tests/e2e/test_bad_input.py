"""Hostile or odd learner messages over the REST channel, during a running simulation.

For every kind of message: a clear answer in French (never silence, never an English
Rasa default), no process dies, the simulation goes on (a normal message afterwards gets
the client's answer), and the message is stored, in order, both in Rasa's tracker store
(``events``, a ``user`` event) and in the learner's record (``turns``, speaker ``learner``).

"Stored" means the text as the channel hands it to Rasa: control characters and unpaired
surrogates removed, clipped at 5,000 characters, surrounding blanks stripped (Rasa strips).
So an empty or blank message is stored as an empty learner turn (the learner did send
something; the coach answers that the message is empty).
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
import urllib.request
from dataclasses import dataclass
from typing import Any, Dict, List

import pytest

pytestmark = pytest.mark.e2e

START = '/start_scenario{"scenario_id": "air-plasturgie"}'
BEFORE = "Bonjour Monsieur Garnier."
AFTER = "Je suis Léa Martin, technico-commerciale chez AirTech Industrie, merci de me recevoir."

FRENCH = re.compile(
    r"[àâçéèêîôûùœ«»]|\b(vous|votre|nous|je|le|la|les|des|est|pas|une?|et|pour|avec|oui|non|bien|d'accord|"
    r"dommage|merci|bonjour|entendu|alors|allez-y)\b",
    re.IGNORECASE,
)
RASA_DEFAULTS = re.compile(r"sorry|i didn't|i did not|please rephrase|utter_|default_|\bI'm\b", re.IGNORECASE)
LONG_FRENCH = ("Nous cherchons une solution fiable pour notre atelier de plasturgie. " * 400)[:20000]
DEEP_JSON = "[" * 2400 + "]" * 2400


@dataclass
class Case:
    id: str
    message: Any  # what the learner's client sends as "message" (any JSON value)
    stored: str | None = None  # what Rasa stores, if not the message itself stripped
    repeat: int = 1


CASES = [
    Case("empty", "", stored=""),
    Case("spaces_only", "      ", stored=""),
    Case("newlines_and_tabs", "\n\n\t \r\n  ", stored=""),
    Case("null_message", None, stored=""),
    Case("number_instead_of_text", 12345, stored="12345"),
    Case("object_instead_of_text", {"texte": "Bonjour"}, stored='{"texte": "Bonjour"}'),
    Case("20000_chars_of_french", LONG_FRENCH, stored=LONG_FRENCH[:5000].strip()),
    Case("20000_chars_one_word", "a" * 20000, stored="a" * 5000),
    Case("emoji_only", "😀🤝💶🔥👍"),
    Case("emoji_in_sentence", "Bonjour Monsieur Garnier 😀 ravi de vous rencontrer 🤝"),
    Case("arabic_right_to_left", "مرحبا، أنا مهتم بالضواغط الخاصة بكم"),
    Case("hebrew_right_to_left", "שלום, אני רוצה לדבר על מדחסי אוויר"),
    Case("bidi_override_characters", "\u202eBonjour Monsieur Garnier\u202c"),
    Case("zero_width_inside_words", "Bon\u200bjour Mon\u200dsieur Gar\ufeffnier"),
    Case("zero_width_only", "\u200b\u200c\u200d\u2060"),
    Case("control_characters", "Bonjour\x00 Monsieur\x07 Garnier\x1b[31m", stored="Bonjour Monsieur Garnier[31m"),
    Case("only_control_characters", "\x00\x01\x02\x1b\x7f\x9b", stored=""),
    Case("unpaired_surrogate", "Bonjour \ud800 Monsieur", stored="Bonjour ? Monsieur"),
    Case(
        "combining_accents",
        "Je souhaite pre\u0301senter notre socie\u0301te\u0301",
        stored="Je souhaite présenter notre société",
    ),
    Case(
        "crlf_header_injection", "Bonjour\r\nX-Injected: oui\r\n\r\n<html>", stored="Bonjour\nX-Injected: oui\n\n<html>"
    ),
    Case("html_script", "<script>alert('xss')</script>"),
    Case("html_img_onerror", '<img src=x onerror="alert(1)"> Bonjour'),
    Case("sql_drop_table", "'; DROP TABLE turns; --"),
    Case("sql_union_select", "Bonjour' OR '1'='1' UNION SELECT * FROM events --"),
    Case("json_object_as_text", '{"sender": "autre-apprenant", "message": "/restart"}'),
    Case("json_array_as_text", "[1, 2, 3, null, true]"),
    Case("format_placeholders", "Bonjour {client} {0} %s %(name)s {scenarios} ${DATABASE_URL}"),
    Case("markdown_javascript_link", "[Cliquez ici](javascript:alert(1)) **Bonjour**"),
    Case("path_traversal_text", "../../../../etc/passwd"),
    Case("scenario_id_path_traversal", '/start_scenario{"scenario_id": "../../etc/passwd"}'),
    Case("scenario_id_absolute_path", '/start_scenario{"scenario_id": "/etc/passwd"}'),
    Case("scenario_id_huge", '/start_scenario{"scenario_id": "' + "x" * 4000 + '"}'),
    Case("scenario_id_number", '/start_scenario{"scenario_id": 42}'),
    Case("scenario_id_list_and_object", '/start_scenario{"scenario_id": ["../x", {"$ne": null}]}'),
    Case("scenario_id_null", '/start_scenario{"scenario_id": null}'),
    Case("scenario_id_deeply_nested", '/start_scenario{"scenario_id": ' + DEEP_JSON + "}"),
    Case("intent_malformed_json", '/start_scenario{"scenario_id": '),
    Case("intent_unknown", "/hack_the_bot"),
    Case("intent_restart", "/restart"),
    Case("intent_back", "/back"),
    Case("intent_session_start", "/session_start"),
    Case("intent_forced_confidence", "/propose_close@99"),
    Case("intent_slot_injection", '/greet{"sim_state": {"outcome": "won"}, "outcome": "won"}'),
    Case("english", "Hello, could you please tell me what you need for your company?"),
    Case("german", "Guten Tag, ich möchte Ihnen heute unseren neuen Kompressor vorstellen."),
    Case("chinese", "你好，我想和您谈谈压缩空气系统。"),
    Case("only_punctuation", "?!?!...;;;:::"),
    Case("only_digits", "0123456789"),
    Case("repeated_identical_x5", "Comment se passe la production d'air comprimé aujourd'hui ?", repeat=5),
    Case("repeated_nonsense_x5", "azerty", repeat=5),
]


def post(stack, sender: str, message: Any) -> List[Dict[str, Any]]:
    body = json.dumps({"sender": sender, "message": message}).encode("utf-8")
    req = urllib.request.Request(stack.url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as resp:
        return json.loads(resp.read().decode("utf-8"))


def texts(reply: List[Dict[str, Any]]) -> List[str]:
    return [(m.get("custom") or {}).get("text") or m.get("text") or "" for m in reply]


def assert_french_answer(reply: List[Dict[str, Any]]) -> None:
    said = texts(reply)
    assert said and all(t.strip() for t in said), reply
    assert all(m["custom"]["speaker"] in ("client", "coach") for m in reply), reply
    assert any(FRENCH.search(t) for t in said), said
    assert not any(RASA_DEFAULTS.search(t) for t in said), said


def assert_alive(stack) -> None:
    for name, proc in stack.procs.items():
        assert proc.poll() is None, f"{name} died (exit code {proc.returncode})"


def learner_turns(stack, sender: str) -> List[str]:
    with sqlite3.connect(stack.db_path) as db:
        rows = db.execute(
            "SELECT t.text FROM turns t JOIN sessions s ON s.id = t.session_id "
            "WHERE s.learner_id = ? AND t.speaker = 'learner' ORDER BY s.started_at, t.n",
            (sender,),
        ).fetchall()
    return [text for (text,) in rows]


def stored_text(case: Case) -> str:
    if case.stored is not None:
        return case.stored
    assert isinstance(case.message, str)
    return case.message.strip()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(rasa_stack, case):
    sender = f"bad-{case.id}"
    assert rasa_stack.send(sender, START)[0]["custom"]["kind"] == "briefing"
    turn_before = rasa_stack.state(sender)["turn"]
    for _ in range(case.repeat):
        reply = post(rasa_stack, sender, case.message)
        assert_french_answer(reply)
    assert_alive(rasa_stack)
    # the simulation goes on, same scenario
    reply = rasa_stack.send(sender, AFTER)
    assert_french_answer(reply)
    assert "client" in [m["custom"]["speaker"] for m in reply], reply
    state = rasa_stack.state(sender)
    assert state["scenario_id"] == "air-plasturgie" and not state["ended"]
    assert state["turn"] > turn_before
    # stored, in order, in the tracker store and in the learner's record
    expected = [START] + [stored_text(case)] * case.repeat + [AFTER]
    assert rasa_stack.user_texts(sender) == expected
    assert learner_turns(rasa_stack, sender) == expected


def test_odd_id_never_starts_anything(rasa_stack):
    """A path as scenario id is only looked up in the scenario dictionary: the coach says it is unknown."""
    sender = "bad-scenario-answer"
    rasa_stack.send(sender, START)
    reply = rasa_stack.send(sender, '/start_scenario{"scenario_id": "../../etc/passwd"}')
    assert [m["custom"]["kind"] for m in reply] == ["menu"]
    assert "Je ne connais pas le scénario « ../../etc/passwd »" in reply[0]["custom"]["text"]
    assert "root:" not in reply[0]["custom"]["text"]
    assert "simulation en cours continue" in reply[0]["custom"]["text"]


def test_rasa_commands_are_not_obeyed(rasa_stack):
    """``/restart`` would wipe the simulation from Rasa's memory: the coach answers instead."""
    sender = "bad-restart"
    rasa_stack.send(sender, START)
    rasa_stack.send(sender, BEFORE)
    before = rasa_stack.state(sender)
    reply = rasa_stack.send(sender, "/restart")
    assert reply[0]["custom"]["kind"] == "redirect"
    assert "n'est pas une commande" in reply[0]["custom"]["text"]
    assert rasa_stack.state(sender) == before


def test_message_in_the_middle_of_a_debrief(rasa_stack):
    """A message sent while the debrief is being computed waits for it, is answered and stored."""
    sender = "bad-mid-debrief"
    rasa_stack.send(sender, START)
    rasa_stack.send(sender, BEFORE)
    rasa_stack.send(sender, AFTER)
    replies: Dict[str, List[Dict[str, Any]]] = {}

    def send(key: str, text: str, delay: float) -> None:
        time.sleep(delay)
        replies[key] = rasa_stack.send(sender, text)

    threads = [
        threading.Thread(target=send, args=("debrief", "/request_debrief", 0.0)),
        threading.Thread(target=send, args=("during", "Attendez, une dernière question !", 0.05)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert set(replies) == {"debrief", "during"}
    for reply in replies.values():
        assert_french_answer(reply)
    kinds = [m["custom"]["kind"] for r in replies.values() for m in r]
    assert "debrief" in kinds
    assert_alive(rasa_stack)
    stored = rasa_stack.user_texts(sender)
    assert stored[:3] == [START, BEFORE, AFTER]
    assert sorted(stored[3:]) == sorted(["/request_debrief", "Attendez, une dernière question !"])
    # after the debrief: asked again, it answers; the learner can start a new simulation
    assert_french_answer(rasa_stack.send(sender, "/request_debrief"))
    assert_french_answer(rasa_stack.send(sender, "Et maintenant ?"))
    assert rasa_stack.send(sender, START)[0]["custom"]["kind"] == "briefing"
    reply = rasa_stack.send(sender, BEFORE)
    assert "client" in [m["custom"]["speaker"] for m in reply]
    expected = stored + ["/request_debrief", "Et maintenant ?", START, BEFORE]
    assert rasa_stack.user_texts(sender) == expected
    assert learner_turns(rasa_stack, sender) == expected


@pytest.mark.parametrize(
    "body",
    [b"", b"not json", b"[]", b'{"message": "Bonjour"}', b'{"sender": "", "message": "x"}',
     json.dumps({"sender": "x" * 300, "message": "Bonjour"}).encode()],
    ids=["no_body", "not_json", "json_list", "no_sender", "empty_sender", "sender_too_long"],
)  # fmt: skip
def test_malformed_requests_get_a_french_400(rasa_stack, body):
    req = urllib.request.Request(rasa_stack.url, data=body, headers={"Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=30)
    assert err.value.code == 400
    assert_alive(rasa_stack)
