"""Odd input in the engine's screening and in the learner's record."""

from __future__ import annotations

from bot.engine.inputs import asks_debrief, screen
from bot.storage.record import split_sessions, storable


def test_other_languages_in_latin_script():
    assert screen("Guten Tag, ich möchte Ihnen heute unseren neuen Kompressor vorstellen.") == "other_language"
    assert screen("Hola, quiero presentar nuestros productos por favor") == "other_language"
    assert screen("Buongiorno, vorrei presentare il nostro prodotto") == "other_language"
    assert screen("Je suis Léa Martin, technico-commerciale chez AirTech Industrie") is None
    assert screen("Das ist gut") is None  # too short to tell


def test_debrief_needs_words_that_ask_for_it():
    for text in ("bilan", "Je veux mon débrief", "J'ai terminé la vente", "Stop", "Donne-moi ma note",
                 "Tu peux me dire ce que j'ai bien fait et moins bien fait ?", "Quitter et voir le bilan"):  # fmt: skip
        assert asks_debrief(text), text
    for text in ("Je souhaite présenter notre société", "Attendez, je n'ai pas fini !", "😀", ""):
        assert not asks_debrief(text), text


def test_storable_text():
    assert storable("a\x00b") == "ab"
    assert storable("x\ud800") == "x?"
    assert storable(None) == ""


def _user(text, ts, intent="inform"):
    return {"event": "user", "text": text, "timestamp": ts, "parse_data": {"intent": {"name": intent}, "entities": []}}


def _state(ts, turn):
    value = {"scenario_id": "air-plasturgie", "turn": turn, "mode": "training"}
    return {"event": "slot", "name": "sim_state", "value": value, "timestamp": ts}


def _bot(text, ts):
    return {"event": "bot", "text": f"Coach : {text}", "timestamp": ts, "metadata": {"speaker": "coach", "body": text}}


def test_a_start_that_opens_nothing_is_a_turn_of_the_running_simulation():
    events = [
        _user('/start_scenario{"scenario_id": "air-plasturgie"}', 1.0, "start_scenario"),
        _bot("Fiche", 1.1),
        _state(1.2, 0),
        _user("Bonjour", 2.0),
        _state(2.1, 1),
        _user('/start_scenario{"scenario_id": "../../etc/passwd"}', 3.0, "start_scenario"),
        _bot("Je ne connais pas le scénario", 3.1),
        _user("Je suis Léa", 4.0),
        _state(4.1, 2),
        _user('/start_scenario{"scenario_id": "nope"}', 5.0, "start_scenario"),  # last message, no answer yet
    ]
    (session,) = split_sessions("lea", events)
    assert [(t.speaker, t.text) for t in session.turns] == [
        ("learner", '/start_scenario{"scenario_id": "air-plasturgie"}'),
        ("learner", "Bonjour"),
        ("learner", '/start_scenario{"scenario_id": "../../etc/passwd"}'),
        ("coach", "Je ne connais pas le scénario"),
        ("learner", "Je suis Léa"),
        ("learner", '/start_scenario{"scenario_id": "nope"}'),
    ]


def test_a_new_simulation_still_starts_a_new_session():
    events = [
        _user("/start_scenario", 1.0, "start_scenario"),
        _state(1.2, 0),
        _user("Bonjour", 2.0),
        _state(2.1, 1),
        _user("/start_scenario", 3.0, "start_scenario"),
        _bot("Fiche", 3.1),
        _state(3.2, 0),
    ]
    first, second = split_sessions("lea", events)
    assert [t.text for t in first.turns if t.speaker == "learner"] == ["/start_scenario", "Bonjour"]
    assert [t.text for t in second.turns if t.speaker == "learner"] == ["/start_scenario"]
