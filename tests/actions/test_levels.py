"""The level and the variant travel in the start message's ``mode`` entity (no new entity, no retraining)."""

from __future__ import annotations

from sqlalchemy import select

from bot.actions import ActionClientTurn, ActionDebrief, ActionStartScenario
from bot.actions.common import library
from bot.engine.simulation import seed_for
from bot.engine.variants import variant_for
from bot.storage import db
from bot.storage.models import SimSession
from tests.actions.conftest import Conversation

SCENARIO = "cvc-ehpad"


def start(conv: Conversation, *modes: str):
    """``/start_scenario{"scenario_id": …, "mode": [...]}``: Rasa makes one ``mode`` entity per value."""
    conv.user(f'/start_scenario{{"scenario_id": "{SCENARIO}"}}', "start_scenario", scenario_id=SCENARIO)
    conv.latest["entities"] += [{"entity": "mode", "value": m, "start": 0, "end": 0} for m in modes]
    return conv.run(ActionStartScenario())


def test_a_fixed_variant_and_the_exam_level_reach_the_state(conversation):
    start(conversation, "exam", "level:examen", "variant:7")
    state = conversation.slots["sim_state"]
    assert (state["mode"], state["level"], state["variant"], state["seed"]) == ("exam", "examen", 7, 7)
    assert conversation.slots["mode"] == "exam"


def test_auto_draws_a_new_variant_for_each_attempt(conversation):
    seed = seed_for(conversation.sender)
    start(conversation, "training", "variant:auto")
    first = conversation.slots["sim_state"]
    start(conversation, "training", "variant:auto")
    second = conversation.slots["sim_state"]
    assert first["variant"] == variant_for(seed, 0) and second["variant"] == variant_for(seed, 1)
    assert second["attempts"] == {SCENARIO: 1} and second["level"] == "standard"


def test_without_options_the_scenario_is_played_as_written(conversation):
    start(conversation)
    state = conversation.slots["sim_state"]
    assert (state["mode"], state["level"], state["variant"]) == ("training", "standard", 0)


def test_the_debrief_is_scored_against_the_drawn_version(conversation, database):
    start(conversation, "training", "level:decouverte", "variant:3")
    version = library().version(SCENARIO, "decouverte", 3)
    conversation.say(ActionClientTurn(), "Bonjour Monsieur Benali.", "greet")
    messages = conversation.say(ActionDebrief(), "J'aimerais mon bilan.", "request_debrief")
    assert messages and conversation.slots["sim_state"]["ended"]
    with db.session_factory(database)() as s:
        session = s.scalars(select(SimSession).where(SimSession.learner_id == conversation.sender)).one()
        assert session.scored_at is not None
    assert version.limits.budget_max != library().scenario(SCENARIO).limits.budget_max  # découverte: ×1.1
