"""The close: buying signals, the request for agreement, the outcome and its reasons.

A learner who has discovered the key needs (asked, or established himself), proposed a solution
within the budget, answered every raised objection and adapted to the change of parameters wins when
he asks for the agreement. Otherwise the client says what is missing, in his words; after too many
premature attempts he refuses, and the reason names what the learner did.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, List

from bot.engine.discovery import known, needs_known
from bot.engine.objections import pending, raise_next
from bot.language.text import any_keyword, de, in_client_voice

if TYPE_CHECKING:  # pragma: no cover
    from bot.engine.simulation import Simulation


#: a quoted objection longer than this is cut at its last clause boundary (« : », « ; », « , »)
CLAUSE_LIMIT = 130
#: ...but never before this many characters (a cut that leaves three words says nothing)
CLAUSE_MIN = 40


def quoted_clause(text: str) -> str:
    """An objection repeated inside a line that ends it itself: no final stop, cut where a clause ends (never
    mid-clause: « elle a dû partir sur. »)."""
    text = text.strip().strip('«»"').strip().rstrip(" .…!")
    if len(text) <= CLAUSE_LIMIT:
        return text
    cuts = [text.rfind(mark, CLAUSE_MIN, CLAUSE_LIMIT) for mark in (" : ", " ; ", ", ", " ? ")]
    cut = max(cuts)
    if cut < 0:
        return text  # one long clause: said whole rather than cut
    return text[:cut].rstrip() + ("?" if text[cut:].startswith(" ?") else "")


def missing_for_close(sim: Simulation) -> List[str]:
    """What the client still needs before agreeing, in his words (most important first)."""
    state, outcome = sim.state, sim.scenario.outcome
    texts = sim.library.coach["missing"]
    say = sim.fill  # the client's words: « sûr{e} » agrees with the persona who speaks
    missing: List[str] = []
    if needs_known(sim) < outcome.min_needs:
        missing.append(say(texts["needs"]))
    for fact_id in outcome.required_facts:
        fact = sim.scenario.fact(fact_id)
        if fact is not None and not known(sim, fact_id):
            label = in_client_voice(fact.label)
            missing.append(say(texts["fact"], de_label=de(label), label=label))
    if not state.solution_presented:
        missing.append(say(texts["solution"]))
    elif outcome.requires_price and not state.price_stated:
        missing.append(say(texts["price"]))
    if sim.over_budget():
        missing.append(say(texts["budget"], **sim.budget_values()))
    if state.change == "announced":
        missing.append(say(texts["change"]))
    if state.warmth < outcome.min_warmth:
        missing.append(say(texts["warmth"]))
    return missing


def lose(sim: Simulation, reason: str, line: str, quiet: bool = False) -> None:
    state = sim.state
    state.outcome = "lost"
    state.outcome_reason = reason
    state.ended = True
    state.advance("leave_taking")
    sim.event("deal_lost")
    if not quiet:
        sim.say_line(line)


def _refusal_reason(sim: Simulation, missing: List[str]) -> str:
    from bot.engine.simulation import short

    item = pending(sim)
    if item is not None:
        quoted = short(sim.fill(item.text[0], **sim.budget_values()))
        return f"le client a refusé de conclure : son objection restait sans réponse (« {quoted} »)"
    if missing:
        return f"le client a refusé de conclure : {missing[0]}"
    return "le client a refusé de conclure après plusieurs demandes"


def close(sim: Simulation) -> None:
    from bot.engine.simulation import lower_first

    state = sim.state
    state.advance("closing")
    state.signal_pending = False
    if state.outcome == "won":
        sim.say_line("affirm_reply")
        return
    item = pending(sim)
    missing: List[str] = []
    if item is not None:
        state.failed_closes += 1
        # the persona who raised it repeats it, as a clause the line ends itself (no « …. »)
        voice = item.persona if item.persona in state.present_personas else None
        objection = lower_first(quoted_clause(sim.fill(item.text[0], voice, **sim.budget_values())))
        sim.say_line("close_pending_objection", voice, objection=objection)
    else:
        meeting_call = sim.scenario.kind == "prospecting" and state.revealed
        if not state.solution_presented and meeting_call and needs_known(sim) >= sim.scenario.outcome.min_needs:
            # in a prospecting call, asking for a dated meeting is the proposal itself
            state.solution_presented = True
            sim.event("solution_presented")
        missing = missing_for_close(sim)
        if not missing and raise_next(sim, trigger="close"):
            return  # the last objections (« je dois passer par le groupe ») come when the deal is otherwise ready
        required = sim.scenario.outcome.close_requires
        if not missing and required and not any_keyword(sim.u.normalized, required):
            state.failed_closes += 1
            sim.event("close_vague")
            lines = sim.scenario.outcome.close_vague or sim.library.lines(sim.scenario, "close_not_ready")
            sim.say(sim.fill(sim.pick("close_vague", lines), missing=""))
            if state.failed_closes >= sim.scenario.outcome.max_failed_closes:
                lose(sim, "le client a refusé de conclure : aucune date précise n'a été proposée", "close_lost")
            return
        if not missing:
            state.outcome = "won"
            state.outcome_reason = "accord obtenu"
            sim.warm(1)
            sim.event("deal_won")
            sim.say_line("close_won")
            return
        state.failed_closes += 1
        sim.warm(-1)
        sim.event("close_refused")
        sim.say_line("close_not_ready", missing=missing[0])
    if state.failed_closes >= sim.scenario.outcome.max_failed_closes:
        lose(sim, _refusal_reason(sim, missing), "close_lost")


def note_signals_done(sim: Simulation) -> None:
    """A signal that asks for what the learner already brought (« faites-moi le calcul de ROI ») is dropped."""
    for index, signal in enumerate(sim.scenario.signals):
        if index not in sim.state.signals_done and signal.unless and any_keyword(sim.u.normalized, signal.unless):
            sim.state.signals_done.append(index)


def maybe_signal(sim: Simulation) -> None:
    state, outcome = sim.state, sim.scenario.outcome
    if (
        state.outcome != "open"
        or not state.solution_presented
        or (outcome.requires_price and not state.price_stated)
        or pending(sim)
        or state.change == "announced"
        or state.warmth < outcome.min_warmth
        or needs_known(sim) < outcome.min_needs
        or state.signal_pending
        or sim.over_budget()
    ):
        return
    waiting = [o for o in sim.scenario.objections if state.objections.get(o.id, "waiting") == "waiting"]
    if any(o.trigger != "close" and not o.condition for o in waiting):
        return
    left = [i for i in range(len(sim.scenario.signals)) if i not in state.signals_done]
    if not left:
        return
    index = left[sim._rng.randrange(len(left))]
    state.signals_done.append(index)
    state.signals_given += 1
    state.signal_pending = True
    sim.event("acceptance_signal")
    sim.say(sim.fill(sim.scenario.signals[index].text))


def additional_sale(sim: Simulation) -> None:
    if sim.state.outcome == "won" or sim.state.signals_given:
        sim.state.additional_sale = True
        sim.say_line("additional_sale_ok")
    else:
        sim.say_line("additional_sale_early")


def summarize(sim: Simulation) -> None:
    sim.state.summary = True
    if sim.state.outcome == "won":
        sim.say_line("summary_reply")
    else:
        close(sim)


def goodbye(
    sim: Simulation, reason: str = "le vendeur a pris congé sans obtenir d'accord", line: str = "goodbye_open"
) -> None:
    """The learner leaves: the meeting ends, lost with ``reason`` (said with ``line``) unless it was won."""
    state = sim.state
    state.advance("leave_taking")
    state.ended = True
    if state.outcome == "won":
        sim.say_line("goodbye_won")
        return
    state.outcome = "lost"
    state.outcome_reason = reason
    sim.event("deal_lost")
    sim.say_line(line)
