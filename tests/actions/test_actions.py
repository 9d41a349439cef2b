"""Every custom action run in process on a tracker (``rasa_sdk.Tracker`` + ``CollectingDispatcher``),
recording into a real SQLite database: what the learner reads, the slots set, what is stored."""

from __future__ import annotations

from sqlalchemy import select

from bot.actions import (
    ActionClientTurn,
    ActionCoachHint,
    ActionCoachRedirect,
    ActionDebrief,
    ActionStartScenario,
)
from bot.actions.common import library
from bot.config import get_settings
from bot.storage import db
from bot.storage.models import CriterionScore, SimSession, Turn
from tests.actions.conftest import Conversation, kinds, speakers

START = '/start_scenario{"scenario_id": "air-plasturgie"}'
OPENING = [
    ("Bonjour Monsieur Garnier.", "greet"),
    ("Je suis Léa Martin, technico-commerciale chez AirTech Industrie.", "introduce_self"),
    ("Comment se passe la production d'air comprimé aujourd'hui ?", "ask_open_question"),
]


def start(conv: Conversation, scenario_id: str = "air-plasturgie", **entities: str):
    return conv.say(ActionStartScenario(), START, "start_scenario", scenario_id=scenario_id, **entities)


def stored(url: str, sender: str):
    with db.session_factory(url)() as s:
        session = s.scalars(select(SimSession).where(SimSession.learner_id == sender)).one()
        turns = s.scalars(select(Turn).where(Turn.session_id == session.id).order_by(Turn.n)).all()
        scores = s.scalars(select(CriterionScore).where(CriterionScore.session_id == session.id)).all()
        return session, turns, scores


def test_start_briefs_the_learner_and_sets_a_fresh_state(conversation):
    messages = start(conversation)
    assert kinds(messages) == ["briefing", "welcome"] and speakers(messages) == ["coach", "coach"]
    assert "Fiche de préparation" in messages[0]["body"]
    assert conversation.state["scenario_id"] == "air-plasturgie" and conversation.state["turn"] == 0
    assert conversation.slots["phase"] == conversation.state["phase"]
    assert conversation.slots["mode"] == "training"


def test_an_odd_scenario_id_gets_the_menu_and_no_state(conversation):
    messages = start(conversation, scenario_id="../../etc/passwd")
    assert kinds(messages) == ["menu"]
    assert "../../etc/passwd" in messages[0]["body"]
    assert library().scenario_ids[0] in messages[0]["body"]
    assert conversation.slots == {}


def test_client_turns_answer_in_character_and_are_recorded(conversation, database):
    start(conversation)
    for text, intent in OPENING:
        messages = conversation.say(ActionClientTurn(), text, intent)
        assert "client" in speakers(messages), messages
        assert "storage" not in kinds(messages)
    assert conversation.state["turn"] == len(OPENING)
    session, turns, scores = stored(database, conversation.sender)
    assert session.scenario_id == "air-plasturgie" and session.ended_at is None and scores == []
    learner = [t for t in turns if t.speaker == "learner"]
    assert [t.text for t in learner] == [START] + [t for t, _ in OPENING]
    assert [t.intent for t in learner[1:]] == [i for _, i in OPENING]
    assert any(t.speaker == "client" for t in turns)


def test_hint_in_training_and_none_in_exam(database):
    training = Conversation("actions-hint-training")
    start(training)
    (hint,) = training.say(ActionCoachHint(), "je suis bloqué, un indice ?", "ask_hint")
    assert hint["kind"] == "hint" and hint["speaker"] == "coach" and hint["body"]
    exam = Conversation("actions-hint-exam")
    start(exam, mode="exam")
    assert exam.slots["mode"] == "exam"
    (refused,) = exam.say(ActionCoachHint(), "je suis bloqué, un indice ?", "ask_hint")
    assert refused["body"] == library().coach["exam_no_hint"]
    assert refused["body"] != hint["body"]


def test_debrief_scores_the_session_and_ends_it(conversation, database):
    start(conversation)
    for text, intent in OPENING:
        conversation.say(ActionClientTurn(), text, intent)
    (debrief,) = conversation.say(ActionDebrief(), "/request_debrief", "request_debrief")
    assert debrief["kind"] == "debrief" and "Bilan" in debrief["body"]
    assert conversation.state["ended"]
    session, turns, scores = stored(database, conversation.sender)
    assert session.ended_at is not None and session.grade_20 is not None
    assert len(scores) == len({s.criterion_id for s in scores}) >= 10
    assert turns[-1].speaker == "coach" or any(t.text == "/request_debrief" for t in turns)


def test_without_a_simulation_every_action_shows_the_menu(conversation):
    for action in (ActionClientTurn(), ActionCoachHint(), ActionCoachRedirect(), ActionDebrief()):
        messages = conversation.say(action, "Bonjour", "greet")
        assert kinds(messages) == ["menu"], action.name()
    assert conversation.slots == {}


def test_rasa_commands_are_redirected_not_obeyed(conversation):
    start(conversation)
    before = dict(conversation.state)
    (redirect,) = conversation.say(ActionCoachRedirect(), '/hack{"x": 1}', "nlu_fallback")
    assert redirect["kind"] == "redirect" and redirect["speaker"] == "coach"
    assert "« /hack » n'est pas une commande" in redirect["body"]
    assert conversation.state == before


def test_a_database_that_fails_never_breaks_the_conversation(conversation, tmp_path, monkeypatch):
    start(conversation)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'missing-dir' / 'none.db'}")
    get_settings.cache_clear()
    db.get_engine.cache_clear()
    messages = conversation.say(ActionClientTurn(), *OPENING[0])
    assert "client" in speakers(messages)  # the client still answers…
    assert kinds(messages)[-1] == "storage"  # …and the learner is told the turn was not saved
    assert messages[-1]["body"] == library().coach["not_saved"]
    assert conversation.state["turn"] == 1


def test_keyboard_mashing_read_as_a_yes_is_answered_by_the_coach(conversation):
    """« azerty » labelled « affirm » at 0.32 (just above the fallback): the client does not play it."""
    start(conversation)
    turn = conversation.state["turn"]
    conversation.user("azerty", "affirm", confidence=0.32)
    messages = conversation.run(ActionClientTurn())
    assert speakers(messages) == ["coach"] and conversation.state["turn"] == turn
    conversation.user("oui, tout à fait", "affirm", confidence=0.32)
    assert "client" in speakers(conversation.run(ActionClientTurn()))
