"""The preparation sheet must not give away what discovery should find (``bot.content.spoilers``)."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from bot.content.spoilers import drawn_leaks, figures, leaks, people
from bot.engine.playable import CHECKED_VARIANTS, problems
from bot.engine.scenario import parse_scenario

ROOT = Path(__file__).resolve().parents[2]


def _scenario(edit):
    """A scenario written for the test: cvc-ehpad's file with two facts of its own, edited, parsed from text."""
    raw = yaml.safe_load((ROOT / "data" / "scenarios" / "cvc-ehpad.yml").read_text(encoding="utf-8"))
    raw = copy.deepcopy(raw)
    raw["id"] = "test-spoilers"
    raw["facts"] += [
        {
            "id": "comite_test",
            "topic": "decision",
            "label": "le comité d'investissement du 22 avril",
            "keywords": ["comite"],
            "open": "Le comité d'investissement du groupe se réunit le 22 avril ; Mme Lemaire, la DAF, y présente les dossiers.",
            "closed": "Un comité décide.",
        },
        {
            "id": "budget_test",
            "topic": "budget",
            "label": "une enveloppe de 95 000 € HT",
            "keywords": ["budget"],
            "open": "L'enveloppe est de 95 000 € HT.",
            "closed": "Nous avons une enveloppe.",
        },
    ]
    raw["briefing"]["known"] = ["L'EHPAD compte 90 lits."]
    raw["briefing"]["objectives"] = {
        "optimal": "Accord sur l'offre complète.",
        "realiste": "Offre phasée.",
        "repli": "Accord de principe daté.",
    }
    edit(raw)
    return parse_scenario(Path("test-spoilers.yml"), yaml.safe_dump(raw, allow_unicode=True))


def test_figures_are_normalized_and_years_left_out():
    assert figures("12 % de remise, 45 000 € posée, le 15 avril 2026") == {"12 %", "45000 €", "15 avril"}
    assert figures("une chaudière de 2004 et 3 sites") == set()


def test_people_are_read_from_their_title():
    assert people("Voyez Mme Nathalie Roussel puis M. Vasseur.") == {"roussel", "vasseur"}


def test_a_clean_briefing_has_no_leak():
    assert leaks(_scenario(lambda raw: None)) == []


def test_an_objective_that_quotes_the_committee_date_is_an_error():
    def edit(raw):
        raw["briefing"]["objectives"]["repli"] = "Dossier prêt pour le comité du 22 avril."

    found = leaks(_scenario(edit))
    assert [(leak.hidden, leak.error) for leak in found] == [("le fait « comite_test »", True)]
    assert "22 avril" in found[0].message()


def test_a_person_named_in_the_objectives_is_an_error_unless_known():
    def named(raw):
        raw["briefing"]["objectives"]["optimal"] = "Rendez-vous avec Mme Lemaire."

    assert [leak.what for leak in leaks(_scenario(named))] == ["la personne « lemaire »"]

    def known(raw):
        named(raw)
        raw["briefing"]["known"].append("Mme Lemaire est la DAF du groupe.")

    assert leaks(_scenario(known)) == []


def test_a_public_fact_may_be_quoted():
    def edit(raw):
        raw["briefing"]["known"].append("Enveloppe annoncée par le groupe : 95 000 € HT.")
        raw["facts"][-1]["public"] = True

    assert leaks(_scenario(edit)) == []
    edit_without_flag = lambda raw: raw["briefing"]["known"].append("Enveloppe : 95 000 € HT.")  # noqa: E731
    assert [leak.hidden for leak in leaks(_scenario(edit_without_flag))] == ["le fait « budget_test »"]


def test_every_scenario_briefing_is_free_of_fact_spoilers(library):
    errors = [f"{sid}: {leak.message()}" for sid, s in library.negotiations.items() for leak in leaks(s) if leak.error]
    assert errors == []


# ----------------------------------------------------- the versions a learner is shown
def test_a_drawn_budget_that_meets_a_figure_of_the_briefing_is_a_leak(library):
    """cvc-ehpad draws its budget from 115 000 to 130 000 €; a briefing quoting 125 000 € is clean as
    written (120 000 €) but gives the budget away in the variants that draw 125 000 €."""

    def edit(raw):
        raw["briefing"]["known"].append("Un concurrent a chiffré une chaufferie neuve à 125 000 € HT.")

    scenario = _scenario(edit)
    assert leaks(scenario) == []
    lib = library.with_scenarios({scenario.id: scenario}, hidden=[scenario.id])
    drawn = [
        n for n in range(1, CHECKED_VARIANTS + 1) if lib.version(scenario.id, "standard", n).limits.budget_max == 125000
    ]
    assert drawn, "no variant draws 125 000 €: the test would prove nothing"
    found = drawn_leaks(lib, scenario.id, CHECKED_VARIANTS)
    assert sorted({n for n, leak in found if leak.error}) == drawn
    assert all(leak.what == "le chiffre « 125000 € »" for _, leak in found)
    reported = problems(lib, scenario.id)
    assert any(p.startswith(f"variante {drawn[0]} : la fiche de préparation dévoile le fait") for p in reported), (
        reported
    )


def test_no_drawn_version_of_a_scenario_gives_a_fact_away(library):
    errors = [
        f"{sid}, variante {n} : {leak.message()}"
        for sid in library.negotiations
        for n, leak in drawn_leaks(library, sid, CHECKED_VARIANTS)
        if leak.error
    ]
    assert errors == []
