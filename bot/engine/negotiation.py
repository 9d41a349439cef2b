"""The client counts: the price on the table, discounts, payment terms and promises, against the scenario.

Read once per message (:func:`read_offer`) from the figures the understanding found: the last total
or monthly price the learner gave becomes the offer the client weighs against his budget; a discount
(in % or in €) is compared with the margin (``cgv.max_discount_pct``) on the discountable part of the
offer (``catalogue[].discountable``); a payment term with the law (60 days from the invoice or 45 days
end of month, art. L441-10 of the Code de commerce) and the terms of sale (``cgv.payment_max_days``);
a promise with the scenario's ``cgv.forbidden_terms``. What the learner gave, refused or only quoted
(a competitor's 12 %) is told apart by the understanding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Dict, List, Sequence

from bot.language.intents import QUESTIONS, Intent
from bot.language.lexicon import lexicon
from bot.language.terms import PaymentTerm, calendar
from bot.language.text import any_keyword, has_keyword, normalize

if TYPE_CHECKING:  # pragma: no cover
    from bot.engine.scenario import Scenario
    from bot.engine.simulation import Simulation

#: legal maximum of a payment term, in days from the invoice (45 days end of month ≈ 60 days)
LEGAL_MAX_DAYS = 60
#: moves that may carry the learner's price
PRICE_CARRIERS = {
    Intent.STATE_PRICE, Intent.PRESENT_SOLUTION, Intent.SUMMARIZE_DEAL, Intent.HANDLE_OBJECTION,
    Intent.OFFER_CONCESSION, Intent.INFORM, Intent.PROPOSE_CLOSE, Intent.ARGUE_BENEFIT, Intent.PLAN_FOLLOW_UP,
}  # fmt: skip
#: a recap of the deal (« si je résume, 39 000 € HT… ») carries the price once a solution is on the table
RECAP_MOVES = {Intent.REFORMULATE}
#: moves that announce or restate the price: any amount they give is the learner's price
PRICE_MOVES = {Intent.STATE_PRICE, Intent.SUMMARIZE_DEAL, Intent.OFFER_CONCESSION, Intent.PROPOSE_CLOSE}
#: moves that may give a discount (a reformulation quotes the client; a question asks)
DISCOUNT_CARRIERS = PRICE_CARRIERS - {Intent.ARGUE_BENEFIT, Intent.PLAN_FOLLOW_UP}
#: a total below this is a unit price or a fee, not the price of the offer
MIN_TOTAL = 100.0


@dataclass
class OfferNews:
    """What this message changed in the offer."""

    price_given: bool = False
    concession: Dict | None = None
    illegal_term: bool = False
    legal_term: bool = False
    outside_terms: List[str] = field(default_factory=list)


def scenario_month(scenario: Scenario) -> int:
    """The month the meeting takes place in (from ``date``), to date « après la moisson »."""
    date = normalize(scenario.date)
    for i, name in enumerate(calendar()["months"], 1):
        if re.search(rf"\b{name}\b", date):
            return i
    return 1


def _offer_amount(sim: Simulation, money) -> bool:
    """An amount that is the learner's price: said in a price move or with price words, and neither the
    client's budget, savings, a cost of the problem nor a competitor's price (« leur offre à 64 000 € »)."""
    lex = lexicon()
    clause = money.clause
    if lex["third_party"].found_in(clause) or lex["not_offer"].found_in(clause):
        return False
    if money.saved and sim.u.intent not in PRICE_MOVES:
        return False  # « 39 150 € pour 13 000 € d'économies par an »: an argument, not a new price
    if sim.u.intent in PRICE_MOVES:
        return True
    return any(lex[name].found_in(clause) for name in ("price_words_offer", "total_words", "offer_verbs"))


def _carries_price(sim: Simulation) -> bool:
    """The move may give the learner's price: a price move, or a recap once a solution is on the table."""
    if sim.u.intent in RECAP_MOVES:
        return sim.state.solution_presented or sim.state.price_stated
    return sim.u.intent in PRICE_CARRIERS


def read_prices(sim: Simulation, news: OfferNews) -> None:
    """The price on the table: the total (or monthly price) the learner just gave."""
    u, state = sim.u, sim.state
    if not _carries_price(sim):
        return
    lex = lexicon()
    discount_amounts = {d.amount for d in u.figures.discounts if d.amount}
    discounted = any(d.offered for d in u.figures.discounts)
    totals = [
        m
        for m in u.figures.money
        if m.period == "total" and m.value >= MIN_TOTAL and m.value not in discount_amounts and _offer_amount(sim, m)
    ]
    if discounted and state.offer_total:
        # « 3 % sur le matériel, soit environ 1 070 € »: the value of the discount, not a new total
        totals = [m for m in totals if m.value >= state.offer_total / 2]
    monthly = [m for m in u.figures.money if m.period == "month" and _offer_amount(sim, m)]
    totals, monthly = _bare_monthly(sim, totals, monthly)
    yearly = [m for m in u.figures.money if m.period == "year" and _offer_amount(sim, m)]
    if totals:
        marked = [m for m in totals if lex["total_words"].found_in(m.clause)]
        chosen = marked[-1] if marked else max(totals, key=lambda m: m.value)
        state.offer_total = chosen.value
        news.price_given = True
    if monthly:
        state.offer_monthly = monthly[-1].value
        news.price_given = True
        if sim.limits.budget_max_yearly and not sim.limits.budget_max_monthly and not yearly:
            state.offer_yearly = state.offer_monthly * 12  # a monthly price weighed against a yearly budget
    if yearly and sim.limits.budget_max_yearly:
        state.offer_yearly = yearly[-1].value  # a price by the year, weighed only against a yearly budget
        news.price_given = True


def _bare_monthly(sim: Simulation, totals: list, monthly: list) -> tuple:
    """« Aujourd'hui 1 300 € par mois… je vous propose 1 197 € »: when the client counts by the month or the
    year (no total budget), a bare amount near a monthly figure of the message (or the monthly price on the
    table) is monthly."""
    limits = sim.limits
    if not (limits.budget_max_monthly or limits.budget_max_yearly) or limits.budget_max or not totals:
        return totals, monthly
    references = [m.value for m in sim.u.figures.money if m.period == "month"]
    references += [sim.state.offer_monthly] if sim.state.offer_monthly else []
    near = [
        m for m in totals if not lexicon()["total_words"].found_in(m.clause)
        and any(0.5 <= m.value / ref <= 1.5 for ref in references if ref)
    ]  # fmt: skip
    return [m for m in totals if m not in near], monthly + near


def discountable_share(sim: Simulation) -> float:
    """Share of the offer (by catalogue price) the margin applies to (1 when no product is named)."""
    return discountable_share_of(sim.scenario, sim.state.products)


def discountable_share_of(scenario: Scenario, products: Sequence[str]) -> float:
    """The same share for a scenario and the references on the table (the debrief reads it afterwards)."""
    named = [p for p in scenario.catalogue if p.ref in products and p.price > 0]
    total = sum(p.price for p in named)
    return sum(p.price for p in named if p.discountable) / total if total else 1.0


def read_discounts(sim: Simulation, news: OfferNews) -> None:
    u, state, cgv = sim.u, sim.state, sim.scenario.cgv
    if state.offer_total:
        # « 98 215 € HT après remise » is a price, not a discount of that amount
        offered_amounts = [d for d in u.figures.discounts if d.amount and d.amount > state.offer_total / 2]
        if offered_amounts:
            return
    granted = {c.get("percent") for c in state.concessions}
    # a recap that restates a discount already granted is not a new concession
    offered = [d for d in u.figures.discounts if d.offered and (d.percent is None or d.percent not in granted)]
    if not offered or u.intent not in DISCOUNT_CARRIERS:
        return
    base = (state.offer_total or 0) * discountable_share(sim)
    percents = []
    for d in offered:
        percents.append(d.percent if d.percent is not None else (d.amount / base * 100 if base and d.amount else None))
    known = [p for p in percents if p is not None]
    percent = max(known) if known else None
    amount = max((d.amount for d in offered if d.amount), default=None)
    beyond = percent is not None and percent > cgv.max_discount_pct + 0.01
    scope_ok = not any(_outside_scope(sim, d.clause, d.whole_scope) for d in offered)
    trade = u.has("counterpart")
    news.concession = {
        "turn": state.turn, "percent": round(percent, 2) if percent is not None else None, "amount": amount,
        "trade": trade, "beyond": beyond, "scope_ok": scope_ok,
    }  # fmt: skip
    state.concessions.append(news.concession)
    if beyond:
        state.flag("beyond_margin")
        sim.nudge("beyond_margin", max=f"{cgv.max_discount_pct:g}".replace(".", ","))
    if not scope_ok:
        state.flag("discount_scope")
        sim.nudge("discount_scope", scope=cgv.discount_scope)
    if not trade:
        state.flag("unilateral_concession")
        sim.nudge("unilateral_concession")


def _outside_scope(sim: Simulation, clause: str, whole_scope: bool) -> bool:
    """The discount covers what is not discountable (« 8 % sur tout, installation comprise »)."""
    excluded = [p for p in sim.scenario.catalogue if not p.discountable and p.price > 0]
    named = [p for p in excluded if any_keyword(normalize(clause), p.keywords)]
    if named:
        return True
    return whole_scope and any(p.ref in sim.state.products for p in excluded)


def legal(term: PaymentTerm, month: int) -> bool:
    days = term.days_from(month)
    return days is not None and days <= LEGAL_MAX_DAYS


def read_terms(sim: Simulation, news: OfferNews) -> None:
    u, state = sim.u, sim.state
    if u.intent in QUESTIONS:
        return
    month = scenario_month(sim.scenario)
    for term in u.figures.payment_terms:
        if not term.offered:
            continue
        days = term.days_from(month)
        label = term.event or (f"{term.days} jours" + (" fin de mois" if term.end_of_month else ""))
        ok = legal(term, month)
        state.terms.append({"turn": state.turn, "days": days, "label": label, "legal": ok})
        if not ok:
            news.illegal_term = True
            state.flag("illegal_term")
            sim.nudge("illegal_term", term=label)
        else:
            news.legal_term = True
            if days is not None and days > sim.scenario.cgv.payment_max_days:
                state.flag("outside_cgv")
                sim.nudge("outside_cgv", promise=f"un paiement à {label}")


def read_promises(sim: Simulation, news: OfferNews) -> None:
    u, state = sim.u, sim.state
    if u.intent in QUESTIONS or u.has("refuse"):
        return
    for term in sim.scenario.cgv.forbidden_terms:
        if any(has_keyword(u.normalized, k) for k in term.keywords) and state.remember(
            state.flags, f"promise:{term.id}"
        ):
            news.outside_terms.append(term.id)
            state.flag("outside_cgv")
            sim.nudge("outside_cgv", promise=term.label)
    _illegal_practice(sim, news)
    if u.has("urgency"):
        state.flag("false_urgency")
        sim.warm(-1)
        sim.nudge("false_urgency")


#: moves that quote the client (« si je comprends bien, vous voudriez… ») rather than suggest
QUOTING_MOVES = {Intent.REFORMULATE}


def _illegal_practice(sim: Simulation, news: OfferNews) -> None:
    """A practice the law forbids (lexicon ``illegal_practice``), suggested by the learner, even unprompted:
    not refused, not quoting the client. The client takes it as an illegal term."""
    u = sim.u
    if not u.has("illegal_practice") or u.intent in QUOTING_MOVES or u.has("negation") or u.has("law_citation"):
        return
    news.illegal_term = True
    if sim.state.remember(sim.state.flags, "illegal_practice"):
        sim.nudge("illegal_practice")


def read_offer(sim: Simulation) -> OfferNews:
    """Update the offer with this message's prices, discounts, payment terms and promises."""
    news = OfferNews()
    read_prices(sim, news)
    read_discounts(sim, news)
    read_terms(sim, news)
    read_promises(sim, news)
    return news


def concession_reply(sim: Simulation) -> None:
    """The client's answer to a concession (the learner's move was « offer_concession »)."""
    from bot.engine.closing import lose

    news = sim.news.concession
    if news is None:
        sim.say_line("concession_trade" if sim.u.has("counterpart") else "concession_unilateral")
        return
    if news["beyond"] and sim.scenario.outcome.beyond_margin_loses:
        lines = sim.scenario.outcome.overruled or sim.library.lines(sim.scenario, "close_lost")
        sim.say(sim.pick("overruled", lines))
        lose(sim, "engagement hors marge désavoué par la hiérarchie", "close_lost", quiet=True)
        return
    if news["beyond"]:
        sim.say_line("concession_beyond_margin")
    elif news["trade"]:
        sim.warm(1)
        sim.say_line("concession_trade")
    else:
        sim.say_line("concession_unilateral")
