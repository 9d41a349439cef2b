"""The REST channel's defences, without a Rasa server (the e2e tests play them for real)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from sqlalchemy.exc import OperationalError

from bot.channels import rest
from bot.channels.rest import SpeakerRestInput, clean_text, command_parse, is_storage_error
from bot.config import get_settings


def handler(on_new_message):
    routes = {r.uri: r.handler for r in SpeakerRestInput().blueprint(on_new_message)._future_routes}
    return routes["/webhook"]


async def post(on_new_message, body):
    resp = await handler(on_new_message)(SimpleNamespace(json=body, headers={}, args={}, ip="127.0.0.1"))
    return resp.status, json.loads(resp.body)


def test_clean_text():
    assert clean_text(None) == ""
    assert clean_text(42) == "42"
    assert clean_text({"a": "é"}) == '{"a": "é"}'
    assert clean_text("a\x00b\x1b[1mc\x7f\x9b") == "ab[1mc"
    assert clean_text("l1\r\nl2\rl3\tx") == "l1\nl2\nl3\tx"
    assert clean_text("x\ud800y") == "x?y"
    assert clean_text("socie\u0301te\u0301") == "société"
    assert len(clean_text("a" * 20000)) == get_settings().message_max_chars == 5000
    assert clean_text("\u202eBonjour\u200b") == "\u202eBonjour\u200b"  # format characters stay


def test_command_parse():
    assert command_parse("/restart")["intent"]["name"] == "out_of_scope"
    assert command_parse(" /back ")["intent"]["name"] == "out_of_scope"
    assert command_parse("/session_start")["intent"]["name"] == "out_of_scope"
    assert command_parse('/start_scenario{"scenario_id": ' + "[" * 50 + "]" * 50 + "}")["intent"]["name"] == (
        "nlu_fallback"
    )
    assert command_parse('/start_scenario{"scenario_id": "air-plasturgie"}') is None
    assert command_parse("/request_debrief") is None
    assert command_parse("Bonjour") is None


def test_storage_error_is_recognised():
    assert is_storage_error(OperationalError("SELECT 1", {}, Exception("connection refused")))
    try:
        try:
            raise OperationalError("SELECT 1", {}, Exception("down"))
        except OperationalError as exc:
            raise RuntimeError("wrapped") from exc
    except RuntimeError as wrapped:
        assert is_storage_error(wrapped)
    assert not is_storage_error(ValueError("x"))


async def test_nlu_crash_is_stored_as_unreadable():
    seen = []

    async def on_new_message(message):
        seen.append(message.parse_data)
        if message.parse_data is None:
            raise RecursionError("the NLU could not read it")
        await message.output_channel.send_text_message(message.sender_id, "Coach : …", speaker="coach")

    status, reply = await post(on_new_message, {"sender": "lea", "message": "/odd"})
    assert status == 200
    assert seen[0] is None and seen[1]["intent"]["name"] == "nlu_fallback"
    assert reply[0]["custom"]["speaker"] == "coach"


async def test_pipeline_failure_gets_a_polite_answer():
    async def on_new_message(message):
        raise ConnectionError("action server down")

    status, reply = await post(on_new_message, {"sender": "lea", "message": "Bonjour"})
    assert status == 200 and reply[0]["custom"]["kind"] == "unavailable"
    assert "Un instant" in reply[0]["custom"]["text"]


async def test_tracker_store_down_asks_to_resend_and_journals(tmp_path, monkeypatch):
    journal = tmp_path / "unsaved.jsonl"
    monkeypatch.setenv("UNSAVED_MESSAGES_FILE", str(journal))

    async def on_new_message(message):
        raise OperationalError("SELECT", {}, Exception("could not connect to server"))

    status, reply = await post(on_new_message, {"sender": "lea", "message": "Quel est votre budget ?"})
    assert status == 200 and reply[0]["custom"]["kind"] == "unavailable"
    assert "Renvoyez-le" in reply[0]["custom"]["text"]
    line = json.loads(journal.read_text(encoding="utf-8"))
    assert line["sender"] == "lea" and line["text"] == "Quel est votre budget ?"


@pytest.mark.parametrize(
    "body", [None, [], {"message": "x"}, {"sender": "", "message": "x"}, {"sender": "x" * 300, "message": "x"}]
)
async def test_bad_requests(body):
    async def on_new_message(message):
        raise AssertionError("must not be called")

    status, reply = await post(on_new_message, body)
    assert status == 400 and "sender" in reply["error"]


async def test_fail_safe_tracker_store_is_not_believed(tmp_path, monkeypatch):
    """Rasa's fail-safe store swallows the database error and answers from a blank conversation."""
    from bot.storage import tracker_store

    monkeypatch.setenv("UNSAVED_MESSAGES_FILE", str(tmp_path / "unsaved.jsonl"))

    async def on_new_message(message):
        tracker_store._noted(OperationalError("SELECT", {}, Exception("could not connect to server")))
        await message.output_channel.send_text_message(message.sender_id, "Aucune simulation n'est en cours.")

    status, reply = await post(on_new_message, {"sender": "lea", "message": "Bonjour"})
    assert status == 200 and [m["custom"]["text"] for m in reply] == [rest.NOT_STORED]
    assert (tmp_path / "unsaved.jsonl").exists()
