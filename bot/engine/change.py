"""The change of parameters in the middle of the meeting (as in the CCF exam).

A persona joins or the conditions change (a smaller budget, more posts, a purchasing procedure); the
client waits for the learner to take it into account (``parameter_change.adapted_by``) before going on.
The budget may change with it (``parameter_change.limits``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.language.intents import CONTENT_MOVES, Intent
from bot.language.text import any_keyword

if TYPE_CHECKING:  # pragma: no cover
    from bot.engine.simulation import Simulation


def due(sim: Simulation) -> bool:
    """The change comes at its moment. « first_objection_resolved » is announced when the first objection is
    lifted (:func:`bot.engine.objections.resolve`); a learner who pre-empted every objection meets it once the
    price is on the table, so answering objections before they come never skips the change."""
    state = sim.state
    trigger = sim.scenario.parameter_change.trigger
    if not sim.scenario.parameter_change.happens:
        return False  # a level without a change of parameters (découverte)
    preempted = "preempted" in state.objections.values()
    return (
        (trigger == "proposal" and state.solution_presented)
        or (trigger == "price" and state.price_stated)
        or (trigger == "first_objection_resolved" and state.price_stated and preempted)
    )


def announce(sim: Simulation) -> None:
    change = sim.scenario.parameter_change
    sim.state.change = "announced"
    if change.persona and change.persona not in sim.state.present_personas:
        sim.event(f"persona_joined:{change.persona}")
    sim.event("parameter_change")
    sim.say(sim.fill(sim.pick("change", change.text), change.persona), change.persona)
    if change.takes_over and change.persona:
        sim.state.speaker = change.persona
        sim.event(f"persona_switch:{change.persona}")


def _above_new_cap(sim: Simulation) -> bool:
    """The change brings its own budget, and the price on the table is above it."""
    return sim.scenario.parameter_change.limits is not None and bool(sim.over_budget())


#: moves that put a whole offer on the table: made while a change waits, they are weighed against the old
#: conditions (a concession answers a request, often an objection, not the change)
OFFER_MOVES = frozenset({Intent.PRESENT_SOLUTION.value, Intent.STATE_PRICE.value})


def remind_if_ignored(sim: Simulation) -> None:
    """An offer made as if nothing had changed (« pour les 35 postes, cela fait 51 905 € » after « ce sont 43
    postes ») gets the answer it deserves, and the one who announced the change asks whether it counts, once:
    the client never lets an offer on the old conditions pass as if it were on the new ones."""
    state = sim.state
    if state.change != "announced" or sim.u.intent not in OFFER_MOVES or "change_ignored" in state.flags:
        return
    if _above_new_cap(sim):
        return  # the budget objection says it, with the figures
    state.flag("change_ignored")
    sim.event("change_ignored")
    persona = sim.scenario.parameter_change.persona
    sim.say(sim.line("change_ignored", persona), persona)


def check_adapted(sim: Simulation) -> bool:
    """The learner takes the change into account; True when the client acknowledges it."""
    change = sim.scenario.parameter_change
    if sim.state.change != "announced":
        return False
    intent = sim.u.intent
    moves_ok = intent in change.adapted_by.moves or intent in CONTENT_MOVES | {Intent.STATE_PRICE.value}
    if _above_new_cap(sim):
        return False  # a change that caps the budget is met by a price within it (« ça rentre dans les 65 000 »)
    if moves_ok and (not change.adapted_by.keywords or any_keyword(sim.u.normalized, change.adapted_by.keywords)):
        sim.state.change = "adapted"
        sim.warm(1)
        sim.event("change_adapted")
        sim.say(sim.fill(sim.pick("change_adapted", change.adapted), change.persona), change.persona)
        return True
    return False
