"""Rasa custom actions: thin adapters between the tracker and the scenario engine.

Run with ``rasa run actions --actions bot.actions``.
"""

from bot.actions.coach import ActionCoachHint, ActionCoachRedirect
from bot.actions.common import library
from bot.actions.simulation import ActionClientTurn, ActionDebrief, ActionStartScenario
from bot.engine.simulation import warm_up

# Load the French spaCy pipeline, the topic model and every scenario's facts now rather than on the first
# learner message.
warm_up(library())

__all__ = [
    "ActionClientTurn",
    "ActionCoachHint",
    "ActionCoachRedirect",
    "ActionDebrief",
    "ActionStartScenario",
]
