"""Rasa custom actions: thin adapters between the tracker and the scenario engine.

Run with ``rasa run actions --actions bot.actions``.
"""

from bot.actions.coach import ActionCoachHint, ActionCoachRedirect
from bot.actions.simulation import ActionClientTurn, ActionDebrief, ActionStartScenario
from bot.assessment.analysis import nlp

# Load the French spaCy pipeline now rather than on the first learner message.
nlp()

__all__ = [
    "ActionClientTurn",
    "ActionCoachHint",
    "ActionCoachRedirect",
    "ActionDebrief",
    "ActionStartScenario",
]
