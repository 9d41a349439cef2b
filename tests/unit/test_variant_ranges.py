"""The ranges of grand-compte-ao and distributeur-referencement (issue 16): every drawn variant stays
winnable with the offer the file's notes give, the figures that follow the budget move with it, and a
variant may draw the other change of parameters (a planning to adapt, the budget unchanged)."""

from __future__ import annotations

import pytest

from bot.engine.playable import CHECKED_VARIANTS

# scenario → (offer within the budget before the change, offer after it, offer at list price: over every budget)
OFFERS = {
    "grand-compte-ao": (287520, 281220, 298800),
    "distributeur-referencement": (287120, 370540, 296000),
}


@pytest.mark.parametrize("scenario_id", sorted(OFFERS))
def test_each_variant_draws_a_budget_the_documented_offers_still_meet(library, scenario_id):
    within, adapted, list_price = OFFERS[scenario_id]
    budgets = set()
    for variant in range(CHECKED_VARIANTS + 1):
        version = library.version(scenario_id, "standard", variant)
        budget, change = version.limits.budget_max_yearly, version.parameter_change
        assert within <= budget < list_price, (variant, budget)
        if change.limits is not None:  # the other change of parameters keeps the budget
            assert adapted <= change.limits.budget_max_yearly, (variant, change.limits)
        budgets.add(budget)
    assert len(budgets) > 1, "the variants all draw the same budget"


@pytest.mark.parametrize("scenario_id", sorted(OFFERS))
def test_two_variants_differ_in_budget_objections_or_temperament(library, scenario_id):
    written = library.version(scenario_id, "standard", 0)
    assert written.temperament == "" and written.limits.budget_max_yearly == 290000  # variant 0: as written
    drawn = [library.version(scenario_id, "standard", n) for n in range(1, CHECKED_VARIANTS + 1)]
    assert {v.temperament for v in drawn} == {"cordial", "presse", "mefiant"}
    assert len({tuple(o.id for o in v.objections) for v in drawn}) > 1
    assert {v.parameter_change.limits is None for v in drawn} == {True, False}  # which change happens


def test_the_figures_that_follow_the_budget_move_with_it(library):
    for variant in range(1, CHECKED_VARIANTS + 1):
        version = library.version("grand-compte-ao", "standard", variant)
        target = version.limits.budget_max_yearly
        spend = target + 4000  # « dépense 2026 » stays 4 000 € above the target
        budget_fact = version.fact("prix_cible")
        assert f"{spend:,.0f}".replace(",", " ") in budget_fact.open[0]
        limits = version.parameter_change.limits
        assert limits is None or limits.budget_max_yearly == target - 8000
