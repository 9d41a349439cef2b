"""The reformulation: the client checks the learner's recap against what he said.

A recap is read point by point (:attr:`bot.language.understanding.Understanding.clauses`): each point is matched
to the fact it restates by the ranker that matches questions (« votre pulvé de 2009 est usé » restates the
sprayer, « il vous faut plus de débit » the need for throughput), or by the fact's keywords. A recap that covers
most of what the client said is confirmed, and the points it restated are known from then on, as if the client
had told them: « C'est exactement ça » followed by « vous ne m'avez rien demandé sur vos problèmes » would
contradict itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, FrozenSet

from bot.engine.discovery import answerer, fact_index, frame, known, matched_facts, rank_once
from bot.engine.scenario import Fact
from bot.language.text import has_keyword, in_client_voice, lower_first
from bot.language.topics import topic_scores

if TYPE_CHECKING:  # pragma: no cover
    from bot.engine.simulation import Simulation

#: how likely a point of the recap must be about one fact (and likelier than about none) to restate it
RESTATED_MIN = 0.5
#: share of what matters (key facts and needs the client gave) a recap must cover to be confirmed
CONFIRMED_SHARE = 0.6


def restated(sim: Simulation) -> FrozenSet[str]:
    """The facts the message's points restate, one per point at most."""
    index = fact_index(sim.scenario)
    found = set()
    for clause in sim.u.clauses:
        ranked, none = rank_once(sim, index, clause, topic_scores(clause))
        if ranked and ranked[0][1] >= max(RESTATED_MIN, none):
            found.add(ranked[0][0])
    return frozenset(found)


def covered_by(sim: Simulation, fact: Fact, points: FrozenSet[str]) -> bool:
    """The message restates the fact: one of its points, or one of the fact's keywords."""
    return fact.id in points or any(has_keyword(sim.u.normalized, k) for k in fact.keywords)


def reformulate(sim: Simulation) -> None:
    state = sim.state
    state.reformulations += 1
    points = restated(sim)
    if _checks_one_point(sim, points):
        return
    known_facts = [f for f in sim.scenario.facts if known(sim, f.id)]
    if not known_facts:
        sim.say_line("reformulation_wrong")
        return
    covered = [f for f in known_facts if covered_by(sim, f, points)]
    missed = sorted((f for f in known_facts if f not in covered), key=lambda f: (not f.key, not f.need))
    important = [f for f in known_facts if f.key or f.need] or known_facts
    ratio = sum(1 for f in important if f in covered) / len(important)
    if covered and (ratio >= CONFIRMED_SHARE or not any(f.key for f in missed)):
        if not state.reformulation_confirmed:
            sim.warm(1)
        state.reformulation_confirmed = True
        _establish(sim, points)
        sim.event("reformulation_confirmed")
        sim.say_line("reformulation_confirm")
    elif covered:
        sim.event("reformulation_partial")
        sim.say_line("reformulation_partial", missing=lower_first(in_client_voice(missed[0].label)))
    else:
        sim.event("reformulation_wrong")
        sim.say_line("reformulation_wrong")


def _establish(sim: Simulation, points: FrozenSet[str]) -> None:
    """What a confirmed recap restated is known, even what the client had not said in so many words."""
    for fact in sim.scenario.facts:
        if fact.id in points and not known(sim, fact.id):
            sim.state.established.append(fact.id)
            sim.event(f"fact_established:{fact.id}")


def _checks_one_point(sim: Simulation, points: FrozenSet[str]) -> bool:
    """« Donc pas de déploiement avant juin, c'est bien ça ? »: a reformulation that checks one point the
    client already gave is confirmed with that point, in his words."""
    if not sim.u.questions:
        return False
    facts, _, _ = matched_facts(sim)
    known_facts = [f for f, _ in facts if known(sim, f.id)]
    covered = [f for f in sim.scenario.facts if known(sim, f.id) and covered_by(sim, f, points)]
    if len(known_facts) != 1 or len(covered) > 1:
        return False
    fact = known_facts[0]
    speaker = answerer(sim, fact)
    sim.event(f"fact_repeated:{fact.id}")
    sim.say(frame(sim, "reformulation_point", sim.pick(f"fact:{fact.id}:closed", fact.closed), speaker), speaker)
    return True
