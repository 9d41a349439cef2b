"""The salesperson the learner buys from (a scenario of ``kind: purchase``, C4.1.1 role swap).

The learner is the buyer: he compares three quotes against his specification and negotiates price,
delivery and payment; the bot plays the salesperson of one supplier. She answers questions about her
offer with the scenario's facts (:mod:`.discovery`), defends her price and concedes it step by step
(``purchase.steps``) only against a counterpart the buyer grants (``purchase.counterparts``), never
below her floor; she contests a competitor's quote cited at a wrong price, refuses a payment term beyond
the law (art. L441-10 of the Code de commerce, :func:`bot.engine.negotiation.legal`) and signs when the
buyer concludes. Everything is read from the one :class:`~bot.language.understanding.Understanding` of
the message (its figures, payment terms, dates, questions and cues); what happened is kept in
``state.purchase``, which the assessment reads (:mod:`bot.assessment.rules.purchase`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List

from bot.engine import change, discovery
from bot.engine.negotiation import MIN_TOTAL, legal, scenario_month
from bot.language.intents import Intent
from bot.language.text import any_keyword, normalize

if TYPE_CHECKING:  # pragma: no cover
    from bot.engine.scenario import Counterpart, Purchase, Quote
    from bot.engine.simulation import Simulation

#: unconvincing price requests (no counterpart) the salesperson takes calmly; beyond, she cools
PATIENCE = 2
#: moves that end a meeting when their words say so
CLOSE_MOVES = {Intent.PROPOSE_CLOSE, Intent.SUMMARIZE_DEAL}


def book(sim: Simulation) -> Dict[str, Any]:
    """The purchase's memory in the state, created at the first message."""
    p = sim.state.purchase
    if not p:
        p.update(
            price=sim.scenario.purchase.list_price, steps=0, given=[], asked=[], requests=0, unilateral=0,
            cited=[], payment=None, illegal_terms=[], delivery_asked=False, proposals=[], agreement=None,
        )  # fmt: skip
    return p


def money(value: float) -> str:
    from bot.engine.simulation import fmt

    return f"{fmt(value)} €"


# ------------------------------------------------------------------ reading the buyer's message
def _as_total(spec: Purchase, value: float) -> float:
    """A unit price (« 33 000 € le chariot ») as the total of the order, a total as itself."""
    unit = spec.list_price / spec.quantity
    if spec.quantity > 1 and 0.5 * unit <= value <= 1.5 * unit:
        return value * spec.quantity
    return value


def _last_named(spec: Purchase, text: str) -> Quote | None:
    """The quote whose supplier is named last in ``text`` (the one an amount right after it belongs to)."""
    best, where = None, -1
    for quote in spec.quotes:
        for keyword in quote.keywords:
            found = _last_word_start(text, normalize(keyword))
            if found > where:
                best, where = quote, found
    return best


def _last_word_start(text: str, key: str) -> int:
    """The last place ``key`` starts a word of ``text`` (-1: nowhere), as :func:`has_keyword` matches."""
    index = text.rfind(key)
    while index > 0 and text[index - 1].isalnum():
        index = text.rfind(key, 0, index)
    return index


def cited_quotes(sim: Simulation) -> List[Dict[str, Any]]:
    """Competitors' quotes the message names, each with the prices it gives them (empty: no price).

    An amount belongs to the supplier named last before it in its sentence (« Armor à 186 000 €
    et Logimat à 219 600 € »)."""
    spec = sim.scenario.purchase
    named = [q for q in spec.quotes if not q.ours and any_keyword(sim.u.normalized, q.keywords)]
    amounts: Dict[str, List[float]] = {q.id: [] for q in named}
    for m in sim.u.figures.money:
        quote = _last_named(spec, m.sentence[: m.start])
        if quote is not None and quote.id in amounts:
            amounts[quote.id].append(_as_total(spec, m.value))
    return [{"quote": q.id, "amounts": amounts[q.id]} for q in named]


def _right(spec: Purchase, quote: Quote, amount: float) -> bool:
    return abs(amount - quote.price) <= quote.price * spec.quote_tolerance


def proposals(sim: Simulation) -> List[float]:
    """Prices the buyer proposes (amounts below the price on the table that are no competitor's)."""
    spec, p = sim.scenario.purchase, book(sim)
    out = []
    for m in sim.u.figures.money:
        named = _last_named(spec, m.sentence[: m.start])
        if m.period != "total" or (named is not None and not named.ours):
            continue  # a competitor's price, not the buyer's proposal
        total = _as_total(spec, m.value)
        if spec.floor_price * 0.7 <= total < p["price"] - 1:
            out.append(total)
    return out


def granted(sim: Simulation) -> List[Counterpart]:
    """Counterparts the buyer grants in this message (not those he only asks about or refuses)."""
    u, p = sim.u, book(sim)
    if u.questions and not (u.has("counterpart") or u.has("price_request") or proposals(sim)):
        return []  # « le contrat de maintenance est-il inclus ? » asks, it gives nothing
    if u.has("negation") and not u.has("counterpart"):
        return []
    month = scenario_month(sim.scenario)
    out = []
    for c in sim.scenario.purchase.counterparts:
        if c.id in p["given"]:
            continue
        named = bool(c.keywords) and any_keyword(u.normalized, c.keywords)
        paying = c.payment_within is not None and any(
            t.offered and legal(t, month) and (t.days_from(month) or 999) <= c.payment_within
            for t in u.figures.payment_terms
        )
        if named or paying:
            out.append(c)
    return out


def _is_close(sim: Simulation) -> bool:
    u = sim.u
    if u.questions and u.question_share >= 0.9 and not u.has("close"):
        return False
    # « au bon de commande » inside a demand is no close: the buyer must also agree or conclude
    return (u.has("close") or u.has("document")) and (u.has("accept") or u.intent in CLOSE_MOVES)


# ------------------------------------------------------------------ the salesperson's answers
def _quotes(sim: Simulation) -> bool:
    spec, p = sim.scenario.purchase, book(sim)
    said = False
    for item in cited_quotes(sim):
        quote = next(q for q in spec.quotes if q.id == item["quote"])
        amounts = item["amounts"]
        right = None if not amounts else any(_right(spec, quote, a) for a in amounts)
        p["cited"].append({"quote": quote.id, "price": amounts[-1] if amounts else None, "right": right,
                           "turn": sim.state.turn})  # fmt: skip
        if right is False:
            sim.state.flag("quote_misquoted")
            sim.warm(-1)
            sim.say_line("purchase_quote_contested", supplier=quote.supplier)
            sim.nudge("purchase_misquoted", supplier=quote.supplier, price=money(quote.price))
        elif quote.rebuttal:
            sim.say(sim.fill(sim.pick(f"rebuttal:{quote.id}", quote.rebuttal)))
        said = True
    return said


def _payment(sim: Simulation) -> bool:
    """Payment terms the buyer asks for: beyond the law refused, within it agreed."""
    p, month = book(sim), scenario_month(sim.scenario)
    said = False
    for term in sim.u.figures.payment_terms:
        if not term.offered or sim.u.has("law_citation"):
            continue
        label = term.event or (f"{term.days} jours" + (" fin de mois" if term.end_of_month else ""))
        if not legal(term, month):
            p["illegal_terms"].append(label)
            sim.state.flag("illegal_term_asked")
            sim.say_line("purchase_illegal_term", term=label)
            sim.nudge("purchase_illegal_term", term=label)
        else:
            p["payment"] = {"days": term.days_from(month), "label": label}
            if not _is_close(sim) and not any(c.payment_within for c in granted(sim)):
                sim.say_line("purchase_payment_ok", term=label)
        said = True
    return said


def _concede(sim: Simulation, new: List[Counterpart], offered: List[float]) -> None:
    spec, p = sim.scenario.purchase, book(sim)
    p["given"] += [c.id for c in new]
    before = p["price"]
    steps = min(len(p["given"]), len(spec.steps))
    if steps <= p["steps"]:
        sim.say_line("purchase_last_price", price=money(p["price"]))
        return
    p["steps"] = steps
    step_price = spec.steps[steps - 1]
    wanted = max(offered) if offered else None
    p["price"] = wanted if wanted is not None and step_price <= wanted < before else step_price
    sim.state.price_stated = True
    sim.event("purchase_concession")
    labels = " et ".join(c.label for c in new)
    sim.say_line("purchase_concession", price=money(p["price"]), counterpart=labels)


def _refuse(sim: Simulation, offered: List[float]) -> None:
    """A price request without a counterpart: she holds her price and says what she would need."""
    spec, p, state = sim.scenario.purchase, book(sim), sim.state
    p["unilateral"] += 1
    state.price_stated = state.price_stated or p["requests"] >= 2
    first = "price_without_counterpart" not in state.flags
    state.flag("price_without_counterpart")
    if p["unilateral"] > PATIENCE:
        sim.warm(-1)
    if offered and min(offered) < spec.floor_price:
        sim.say_line("purchase_below_floor", price=money(p["price"]))
    if p["steps"] >= len(spec.steps):
        sim.say_line("purchase_last_price", price=money(p["price"]))
        return
    left = [c for c in spec.counterparts if c.id not in p["given"]]
    fresh = [c for c in left if c.id not in p["asked"]] or left
    counterpart = fresh[0]
    if counterpart.id not in p["asked"]:
        p["asked"].append(counterpart.id)
    sim.say_line("purchase_hold", price=money(p["price"]))
    sim.say(sim.fill(sim.pick(f"ask:{counterpart.id}", counterpart.ask)))
    if first:
        sim.nudge("purchase_unilateral")


def _bargain(sim: Simulation, closing: bool) -> bool:
    p = book(sim)
    new = granted(sim)
    offered = proposals(sim)
    asking = sim.u.has("price_request") or bool(offered) or sim.u.intent == Intent.OFFER_CONCESSION
    if closing and not new:
        return False
    if new:
        p["requests"] += 1
        p["proposals"] += offered
        _concede(sim, new, offered)
        return True
    if asking:
        p["requests"] += 1
        p["proposals"] += offered
        _refuse(sim, offered)
        return True
    return False


def _delivery(sim: Simulation) -> str:
    """The delivery of the agreement: as quoted, or as the change of parameters left it."""
    spec = sim.scenario.purchase
    ours = next(q for q in spec.quotes if q.ours)
    if sim.state.change == "announced":
        return sim.line("purchase_delivery_changed")
    if sim.state.change == "adapted":
        return sim.line("purchase_delivery_adapted")
    return ours.delivery


def _recap(sim: Simulation, price: float) -> Dict[str, bool]:
    """What the buyer's closing message states of the deal (read from its understanding, kept for grading)."""
    u = sim.u
    totals = [_as_total(sim.scenario.purchase, m.value) for m in u.figures.money]
    return {
        "price": any(abs(t - price) <= 1 for t in totals),
        "delivery": u.has("delivery_context") or u.figures.dates.dated,
        "payment": u.has("payment_context") or bool(u.figures.payment_terms),
        "written": u.has("document"),
    }


def _close(sim: Simulation) -> None:
    spec, p, state = sim.scenario.purchase, book(sim), sim.state
    if state.outcome == "won":
        agreement = p["agreement"]
        recap = _recap(sim, agreement["price"])
        agreement["recap"] = {k: v or recap[k] for k, v in agreement["recap"].items()}
        sim.say_line("purchase_confirmed")
        return
    totals = [_as_total(spec, m.value) for m in sim.u.figures.money if m.period == "total" and m.value >= MIN_TOTAL]
    if totals and min(totals) < p["price"] - 1 and not any(abs(t - p["price"]) <= 1 for t in totals):
        state.failed_closes += 1
        sim.say_line("purchase_close_wrong_price", price=money(p["price"]))
        return
    ours = next(q for q in spec.quotes if q.ours)
    payment = p["payment"]["label"] if p["payment"] else ours.payment
    p["agreement"] = {
        "price": p["price"], "payment": payment, "delivery": _delivery(sim), "counterparts": list(p["given"]),
        "turn": state.turn, "recap": _recap(sim, p["price"]),
    }  # fmt: skip
    state.outcome = "won"
    state.outcome_reason = f"accord d'achat conclu à {money(p['price'])} HT"
    state.advance("closing")
    sim.event("deal_won")
    if p["price"] > spec.max_price:
        state.flag("over_max_price")
        sim.nudge("purchase_over_max", max=money(spec.max_price))
    sim.say_line("purchase_agreed", price=money(p["price"]))


def play(sim: Simulation) -> None:
    """One message of the buyer, and the salesperson's answer."""
    from bot.engine import closing, reading, turn

    state, u = sim.state, sim.u
    book(sim)
    turn._replace_intent(sim, reading.reinterpret(sim))
    turn._register(sim)
    turn._opening(sim)
    if u.intent == Intent.SAY_GOODBYE and not u.questions and not _is_close(sim):
        closing.goodbye(sim, "l'acheteur a pris congé sans accord", "purchase_no_deal")
        return
    said = change.check_adapted(sim)
    if sim.u.intent == Intent.DENIGRATE_COMPETITOR:
        turn._denigrate(sim)
        said = True
    said = _quotes(sim) or said
    said = _payment(sim) or said
    if u.has("delivery_context") or u.figures.dates.dated:
        book(sim)["delivery_asked"] = True
    closing_now = _is_close(sim)
    bargained = state.outcome == "open" and _bargain(sim, closing_now)
    if closing_now:
        _close(sim)
    elif sim.u.intent in CONTACT and not said and not bargained:
        turn.HANDLERS[sim.u.intent](sim)  # a greeting that also asks a clear question gets its fact
        said = True
    said = said or bargained or closing_now
    if u.questions and not closing_now:
        # a question beside a request or a quote is answered only when it clearly asks about a fact
        least = discovery.CARRIED_QUESTION_MIN if said else 0.0
        facts, _, _ = discovery.matched_facts(sim, least)
        if bargained and len(u.questions) < 2:
            facts = []  # « que pouvez-vous faire sur le prix ? » was the request itself
        if facts or not said:
            discovery.answer_questions(sim)
            said = True
    if not said:
        sim.say_line("purchase_listen")
    if state.outcome == "open" and not state.ended:
        if state.warmth <= sim.scenario.outcome.walkout_warmth:
            closing.lose(sim, "la vendeuse a mis fin à l'entretien, faute d'échange constructif", "walkout")
            return
        if state.change == "none" and change.due(sim):
            change.announce(sim)


#: moves answered by the generic handlers (contact, small talk) when the message brings nothing else
CONTACT = {Intent.GREET, Intent.INTRODUCE_SELF, Intent.STATE_AGENDA, Intent.OUT_OF_SCOPE, Intent.CHECK_AGREEMENT}


def hint(sim: Simulation) -> str:
    """The coach's advice to the buyer now (texts: ``purchase_hints`` of ``data/coach.yml``)."""
    hints, state, spec = sim.library.coach["purchase_hints"], sim.state, sim.scenario.purchase
    p = book(sim)
    if state.outcome == "won":
        return hints["follow_up"]
    if state.change == "announced":
        return sim.scenario.parameter_change.hint
    if not (state.greeted and state.introduced) and not state.questions:
        return hints["contact"]
    key_left = [f for f in sim.scenario.facts if f.key and f.id not in state.revealed]
    if key_left and state.questions < len(sim.scenario.facts):
        return hints["questions"].format(label=key_left[0].label)
    if not any(c.get("right") for c in p["cited"]):
        return hints["cite"]
    if p["steps"] < len(spec.steps) and p["price"] > spec.target_price:
        left = [c for c in spec.counterparts if c.id not in p["given"]]
        return hints["trade"].format(counterpart=left[0].label if left else "")
    return hints["close"]
