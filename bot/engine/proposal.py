"""The proposal: a solution from the catalogue, its arguments and its price.

A solution before any discovery cools the client; a solution before enough needs are known does not
fit; a price before a solution means nothing to him. The price the learner gives becomes the offer
the client weighs against his budget (:mod:`.negotiation`, :mod:`.objections`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, List

from bot.engine.discovery import known, needs_known
from bot.language.text import catalogue_refs, de
from bot.language.topics import vocabulary

if TYPE_CHECKING:  # pragma: no cover
    from bot.engine.scenario import Scenario
    from bot.engine.simulation import Simulation


def unknown_refs(scenario: Scenario, text: str) -> List[str]:
    """References shaped like the catalogue's (same prefix) but absent from it: invented."""
    refs = {p.ref.upper() for p in scenario.catalogue}
    prefixes = {r.split("-")[0] for r in refs}
    return [r for r in catalogue_refs(text) if r.upper() not in refs and r.split("-")[0].upper() in prefixes]


def note_products(sim: Simulation) -> None:
    sim.state.products = list(dict.fromkeys(sim.state.products + list(sim.u.products)))


def undiscussed_topic(sim: Simulation) -> str | None:
    """What the learner has not asked about yet, as the shared topic vocabulary says it (« le calendrier et les
    délais »): the topic of a need not known yet (key needs first) that no known need shares. After some
    discovery, « vous ne savez rien de nos projets » would deny what the client said: he names what is left,
    by its topic, without telling the need itself."""
    topics = vocabulary()
    facts = sim.scenario.facts
    discussed = {f.topic for f in facts if f.need and known(sim, f.id)}
    left = [f for f in facts if f.need and not known(sim, f.id) and f.topic in topics and f.topic not in discussed]
    left.sort(key=lambda f: not f.key)
    return topics[left[0].topic].label if left else None


def _discovered(sim: Simulation) -> bool:
    return bool(sim.state.revealed or sim.state.established)


def premature(sim: Simulation) -> None:
    sim.warm(-1)
    sim.state.flag("premature_argument")
    sim.say_line("premature_argument")
    sim.nudge("premature_argument")


def present_solution(sim: Simulation) -> None:
    state = sim.state
    if sim.u.unknown_refs and not sim.u.products:
        sim.event("unknown_product")
        sim.say_line("solution_unknown_product")
        return
    if not _discovered(sim):
        premature(sim)
        return
    if needs_known(sim) < sim.scenario.outcome.min_needs:
        sim.event("solution_unfit")
        topic = undiscussed_topic(sim) if needs_known(sim) else None
        if topic:
            sim.say_line("solution_unfit_partial", missing=topic, de_missing=de(topic))
        else:
            sim.say_line("solution_unfit")
        return
    first = not state.solution_presented
    state.solution_presented = True
    state.advance("proposal")
    sim.event("solution_presented")
    sim.say_line("solution_fit" if first or sim.u.products else "argument_reply")


def argue(sim: Simulation) -> None:
    state = sim.state
    if not _discovered(sim):
        premature(sim)
        return
    core = {p.ref for p in sim.scenario.catalogue if p.core}
    if not state.solution_presented and core & set(sim.u.products):
        present_solution(sim)  # an argued proposal of catalogue products is a proposal, whatever its label
        return
    proof = any(ch.isdigit() for ch in sim.u.normalized) or sim.u.has("proof")
    sim.say_line("argument_reply" if proof else "argument_weak")


def price_ready(sim: Simulation) -> bool:
    """A price can be heard: a solution is on the table (or could be: products named after discovery)."""
    state = sim.state
    if state.solution_presented:
        return True
    if _discovered(sim) and needs_known(sim) >= sim.scenario.outcome.min_needs and state.products:
        state.solution_presented = True
        sim.event("solution_presented")
        return True
    return False


def state_price(sim: Simulation) -> None:
    state = sim.state
    if not price_ready(sim):
        sim.event("premature_price")
        sim.say_line("premature_price")
        return
    noted = "price_stated" in sim.reply.events  # this very message's price, noted when it was read (note_price)
    first = not state.price_stated or noted
    state.price_stated = True
    state.advance("proposal")
    if not noted:
        sim.event("price_stated")
    sim.say_line("price_reply" if first else "argument_reply")


def note_price(sim: Simulation) -> None:
    """A price given inside another move (an answer, a recap) still counts as announced."""
    if sim.news.price_given and sim.state.solution_presented and not sim.state.price_stated:
        sim.state.price_stated = True
        sim.event("price_stated")
