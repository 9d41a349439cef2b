"""Levels and variants of a scenario (issue 16): data changes, drawn per attempt, fixed for a class."""

from __future__ import annotations

import pytest
import yaml

from bot.engine import simulation
from bot.engine.library import DATA_DIR, load_library
from bot.engine.play_schema import LEVELS, TimeBudget
from bot.engine.playable import problems
from bot.engine.scenario import Scenario, ScenarioError, parse_scenario
from bot.engine.state import Move
from bot.engine.variants import french_number, variant_for

DRAWN = "cvc-ehpad"
FILE = DATA_DIR / "scenarios" / f"{DRAWN}.yml"
#: what a learner says, the same for every learner of a comparison
SCRIPT = [
    ("greet", "Bonjour Monsieur, merci de me recevoir."),
    ("ask_open_question", "Comment fonctionne votre chaufferie aujourd'hui ?"),
    ("ask_open_question", "Quel budget avez-vous prévu pour ce projet ?"),
    ("ask_open_question", "Qu'est-ce qui vous inquiète le plus ?"),
    ("ask_open_question", "Qui décide, au final ?"),
]


def play(library, state, script=SCRIPT):
    lines = []
    for intent, text in script:
        reply = simulation.step(library, state, Move(intent, text, 0.99))
        lines += [u.text for u in reply.utterances if u.speaker == "client"]
    return lines


def test_standard_variant_0_is_the_scenario_as_written(library):
    for scenario_id in library.scenario_ids:
        written = library.scenario(scenario_id)
        assert library.version(scenario_id) == written
        assert library.version(scenario_id, "standard", 0) is library.version(scenario_id)  # cached
    # a placeholder is resolved at its base value in the scenario as written
    enveloppe = library.scenario(DRAWN).fact("enveloppe")
    assert "120 000 € HT" in enveloppe.open[0] and library.scenario(DRAWN).limits.budget_max == 120000


def test_at_least_six_scenarios_declare_variant_ranges_and_every_one_has_a_sector(library):
    declared = [s for s in library.negotiations.values() if s.variants.values and s.variants.temperaments]
    assert len(declared) >= 6
    for scenario in library.scenarios.values():
        assert scenario.sector and scenario.situation and scenario.duration, scenario.id


def test_two_learners_get_a_different_budget_or_objections_and_different_wording(library):
    states = [
        simulation.start_attempt(library, DRAWN, simulation.seed_for(sender), "training", ["training", "variant:auto"])
        for sender in ("alice.dupont", "bob.leroy")
    ]
    assert states[0].variant != states[1].variant and 0 not in (states[0].variant, states[1].variant)
    versions = [library.of(state) for state in states]
    budgets = [v.limits.budget_max for v in versions]
    objections = [[o.id for o in v.objections] for v in versions]
    assert budgets[0] != budgets[1] or objections[0] != objections[1]
    first, second = (play(library, state) for state in states)
    assert first != second
    # the budget the client states is the one drawn
    for state, lines in zip(states, (first, second), strict=True):
        assert french_number(library.of(state).limits.budget_max) in " ".join(lines)


def test_a_new_attempt_of_the_same_learner_draws_another_variant(library):
    seed = simulation.seed_for("alice.dupont")
    first = simulation.start_attempt(library, DRAWN, seed, "training", ["training", "variant:auto"])
    second = simulation.start_attempt(library, DRAWN, seed, "training", ["training", "variant:auto"], first)
    assert second.attempts == {DRAWN: 1} and first.attempts == {DRAWN: 0}
    assert second.variant == variant_for(seed, 1) != first.variant


def test_the_same_fixed_variant_gives_the_same_conversation(library):
    options = ["exam", "level:examen", "variant:7"]
    states = [
        simulation.start_attempt(library, DRAWN, simulation.seed_for(sender), "exam", options)
        for sender in ("alice.dupont", "bob.leroy")
    ]
    assert states[0].variant == states[1].variant == 7 and states[0].level == "examen"
    assert play(library, states[0]) == play(library, states[1])
    assert states[0].to_dict() == states[1].to_dict()


def test_no_variant_option_plays_the_scenario_as_written(library):
    state = simulation.start_attempt(library, DRAWN, 1234, "training", ["training"])
    assert (state.level, state.variant, state.seed) == ("standard", 0, 1234)
    assert library.of(state) == library.scenario(DRAWN)


def test_levels_change_the_data_as_declared(library):
    written = library.scenario(DRAWN)
    easy = library.version(DRAWN, "decouverte")
    exam = library.version(DRAWN, "examen")
    assert all(f.closed == f.open for f in easy.facts)  # the client volunteers the details
    assert len(easy.objections) == 2 < len(written.objections) == len(exam.objections)
    assert easy.limits.budget_max == pytest.approx(written.limits.budget_max * 1.1)
    assert not easy.parameter_change.happens and written.parameter_change.happens
    assert easy.time_budget is None and written.time_budget is None
    assert exam.time_budget == TimeBudget(max_messages=45, max_questions=25, warn_before=5)
    price = [o for o in exam.objections if "prix" in o.type]
    assert price and all(o.max_attempts == 3 for o in price)
    assert all(o.max_attempts is None for o in written.objections if "prix" in o.type)


def test_a_scenario_overrides_a_level_field_only(tmp_path, library):
    data = yaml.safe_load(FILE.read_text(encoding="utf-8"))
    data["levels"] = {"examen": {"time_budget": {"max_messages": 30}}}
    path = tmp_path / "cvc-ehpad.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    own = parse_scenario(path)
    level = library.level(own, "examen")
    assert level.time_budget.max_messages == 30 and level.price_attempts == 3  # the rest from _defaults.yml


def test_the_change_of_parameters_does_not_happen_at_discovery_level(library):
    from bot.engine import change, objections

    due, announced = {}, {}
    for level in ("decouverte", "standard"):
        state = simulation.start(library, "hausse-tarifaire", seed=3, level=level)  # trigger: price
        state.solution_presented = state.price_stated = True
        due[level] = change.due(simulation.Simulation(library, state))
        state = simulation.start(library, "air-plasturgie", seed=3, level=level)  # first objection resolved
        sim = simulation.Simulation(library, state)
        objections.resolve(sim, sim.scenario.objections[0])
        announced[level] = "parameter_change" in sim.reply.events
    assert due == announced == {"decouverte": False, "standard": True}


def test_the_exam_time_budget_warns_then_ends_the_meeting_in_character(library):
    small = load_library()
    small.levels["examen"] = small.levels["examen"].copy(
        update={"time_budget": TimeBudget(max_messages=4, warn_before=2)}
    )
    state = simulation.start(small, "air-plasturgie", seed=5, mode="exam", level="examen")
    events, lines = [], []
    for text in ["Bonjour.", "Comment va l'atelier ?", "Quels sont vos besoins ?", "Et vos compresseurs ?"]:
        reply = simulation.step(small, state, Move("ask_open_question", text, 0.99))
        events += reply.events
        lines += [u.text for u in reply.utterances if u.speaker == "client"]
    assert events.index("time_short") < events.index("time_up")
    assert state.ended and state.outcome == "lost" and state.outcome_reason == "temps écoulé sans accord"
    assert any(line in lines[-1] for line in small.default_lines["time_up"])
    # the same messages at the standard level: no budget, the meeting goes on
    free = simulation.start(small, "air-plasturgie", seed=5)
    for text in ["Bonjour."] * 6:
        simulation.step(small, free, Move("greet", text, 0.99))
    assert not free.ended


def test_the_engine_reads_the_drawn_budget(library):
    variants = {library.version(DRAWN, "standard", v).limits.budget_max: v for v in range(1, 30)}
    assert 130000 in variants and 115000 in variants
    for budget, variant in ((130000, variants[130000]), (120000, 0), (115000, variants[115000])):
        state = simulation.start(library, DRAWN, seed=1, variant=variant)
        state.offer_total = 125000
        assert simulation.Simulation(library, state).over_budget() is (budget < 125000)


@pytest.mark.slow
def test_every_scenario_is_playable_at_three_levels_and_12_variants(library):
    for scenario_id in library.scenario_ids:
        assert problems(library, scenario_id, variants=12) == [], scenario_id
    assert set(LEVELS) == {"decouverte", "standard", "examen"}


def test_a_bad_range_or_temperament_is_reported_in_french(tmp_path, library):
    data = yaml.safe_load(FILE.read_text(encoding="utf-8"))
    data["variants"]["values"]["budget_max"]["min"] = 125000
    path = tmp_path / "cvc-ehpad.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ScenarioError) as error:
        parse_scenario(path)
    assert "doit être entre min" in str(error.value)
    data["variants"]["values"]["budget_max"]["min"] = 110000
    data["variants"]["temperaments"] = ["colerique"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ScenarioError) as error:
        parse_scenario(path)
    assert "valeur non autorisée" in str(error.value)


def test_an_unknown_level_falls_back_to_standard(library):
    state = simulation.start(library, DRAWN, level="../../etc")
    assert state.level == "standard" and isinstance(library.of(state), Scenario)


def test_the_excellent_transcripts_fit_in_the_exam_time_budget(library):
    """A strong learner finishes within the exam's budget of messages and questions (short calls included)."""
    transcripts = sorted((DATA_DIR.parent / "tests" / "transcripts").glob("*-excellent.yml"))
    assert len(transcripts) >= 15
    for path in transcripts:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        budget = library.version(data["scenario"], "examen").time_budget
        turns = data["turns"]
        questions = sum(1 for turn in turns if turn[0].startswith("ask_"))
        assert len(turns) < budget.max_messages and questions < budget.max_questions, path.name
    assert library.version("prospection-rdv", "examen").time_budget.max_messages == 30


def test_a_variant_may_draw_another_change_of_parameters(tmp_path, library):
    changes = [library.version(DRAWN, "standard", v).parameter_change for v in range(1, 13)]
    maintenance = [c for c in changes if "P3" in c.text[-1]]
    assert 0 < len(maintenance) < len(changes)  # some variants draw the other change, some the written one
    assert all(c.limits is None for c in maintenance) and "P3" not in library.scenario(DRAWN).parameter_change.text[-1]
    data = yaml.safe_load(FILE.read_text(encoding="utf-8"))
    data["variants"]["parameter_changes"][0]["persona"] = "inconnu"
    path = tmp_path / "cvc-ehpad.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ScenarioError) as error:
        parse_scenario(path)
    assert "variants.parameter_changes[1] : persona inconnue" in str(error.value)
