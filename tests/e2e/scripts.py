"""The scripted learners of the built-in scenarios (data/learner_scripts/learners.yml).

The test plays the opening, the discovery, the proposal, then answers whatever the
client raises (objections in any order, the change of parameters) until it can close.
"""

from __future__ import annotations

from bot.devstack.learners import learners

SCRIPTS, FOLLOW_UP, POOR = learners()
