"""Content that must stay true for 2026 students (issue 12): checked on the scenario files and in play."""

from __future__ import annotations

import re

from tests.unit.test_simulation import Player

#: what the learner says to point out the ban on new fuel-oil boilers (décret n° 2022-8)
BAN = (
    "Une chaudière fioul classique neuve ne peut plus être installée depuis le 1er juillet 2022, "
    "c'est le décret n° 2022-8 : votre mainteneur propose donc du biofioul, un combustible liquide cher."
)


def _lines(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


def _client_lines(scenario) -> list[str]:
    lines = [line for f in scenario.facts for line in [*_lines(f.open), *_lines(f.closed)]]
    for o in scenario.objections:
        lines += list(o.text) + list(o.clarification) + list(o.insist) + list(o.resolved)
    return lines


def test_the_maintainer_no_longer_offers_a_plain_fuel_oil_boiler(library):
    scenario = library.scenario("cvc-ehpad")
    assert not [line for line in _client_lines(scenario) if re.search(r"\bfioul neuve", line)]
    competitor = scenario.objection("chaudiere_fioul_concurrente")
    assert all("biofioul" in line for line in competitor.text)
    assert "2022-8" in competitor.hint


def test_a_learner_who_points_out_the_ban_answers_the_competitor_objection(library):
    p = Player(library, "cvc-ehpad")
    p.state.objections["chaudiere_fioul_concurrente"] = "pending"
    p.state.current_objection = "chaudiere_fioul_concurrente"
    p.play("handle_objection", BAN)
    assert p.state.objections["chaudiere_fioul_concurrente"] == "resolved"


def test_a_learner_who_cites_the_ban_early_preempts_the_competitor_objection(library):
    p = Player(library, "cvc-ehpad")
    p.play("inform", "Pour information, depuis le décret n° 2022-8, les chaudières fioul neuves sont interdites.")
    assert p.state.objections.get("chaudiere_fioul_concurrente") == "preempted"


def test_info_cabinet_is_set_in_2026_after_the_end_of_windows_10_support(library):
    scenario = library.scenario("info-cabinet")
    assert "2026" in scenario.date
    lines = _client_lines(scenario) + list(scenario.briefing.known) + [scenario.briefing.context]
    future = [line for line in lines if "Windows 10" in line and ("s'arrête" in line or "prochain" in line)]
    assert not future


def test_rental_is_not_sold_to_accountants_on_deductible_rents(library):
    rental = library.scenario("info-cabinet").objection("location_plus_chere")
    assert not [k for k in rental.resolved_by.keywords + rental.preempted_by if "deductib" in k]
    assert not [line for line in rental.resolved if "charges" in line]
