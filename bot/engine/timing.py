"""The exam's time budget: the client warns when few messages are left, then leaves in character.

Why: at the CCF the meeting has a fixed length; the exam level (``levels.examen.time_budget``) turns it
into a budget of learner messages and questions, so that a learner who asks forty questions without
proposing anything loses the meeting as a real buyer would end it. Other levels have no budget.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from bot.engine.simulation import Simulation

#: the flag set once the client has said time is short (said once)
WARNED = "time_short"


def left(sim: Simulation) -> int | None:
    """Messages (or questions, whichever runs out first) left in the budget; None without a budget."""
    budget = sim.scenario.time_budget
    if budget is None:
        return None
    remaining = budget.max_messages - sim.state.turn
    if budget.max_questions is not None:
        remaining = min(remaining, budget.max_questions - sim.state.questions)
    return remaining


def check(sim: Simulation) -> None:
    """After the client's answer: time up ends an open meeting (lost); near the end, one warning."""
    from bot.engine import closing

    remaining = left(sim)
    state = sim.state
    if remaining is None or state.ended or state.outcome != "open":
        return
    if remaining <= 0:
        sim.event("time_up")
        closing.lose(sim, "temps écoulé sans accord", "time_up")
    elif remaining <= sim.scenario.time_budget.warn_before and WARNED not in state.flags:
        state.flag(WARNED)
        sim.event("time_short")
        sim.say_line("time_short")
