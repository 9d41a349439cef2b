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


#: a frame that waits for a noun (« il me manque : », « parlé de : ») before a whole clause of the client
NOUN_FRAME = re.compile(r"\b(de|sur|manque|encore|traité|oublié) : (je|nous|vous|votre)\b", re.I)


def test_a_client_refusing_to_close_speaks_in_one_sentence_not_two_templates(library):
    """« On n'a pas parlé de : nous n'avons pas encore parlé de … » (issue 12): the reasons of
    ``coach.yml`` ``missing`` are whole clauses, so every ``close_not_ready`` frame must introduce a clause."""
    reasons = [text.format(de_label="du budget", label="le budget", amount="10 000 €", budget="8 000 €", e="")
               for text in library.coach["missing"].values()]  # fmt: skip
    frames = list(library.default_lines["close_not_ready"])
    for scenario in library.scenarios.values():
        frames += scenario.lines.get("close_not_ready") or []
    assert len(frames) > 30
    robotic = [f.format(missing=r) for f in frames for r in reasons if NOUN_FRAME.search(f.format(missing=r))]
    assert not robotic, robotic[:5]
    # the guard itself catches the doubled template the issue quotes
    assert NOUN_FRAME.search("Pas encore. On n'a pas parlé de : nous n'avons pas encore parlé du budget.")
    assert NOUN_FRAME.search("Il me manque encore : je ne suis pas encore convaincu par ce que vous me proposez.")
