"""The debrief teaches (issue 12): played without Rasa, from scripted learner turns (no tracker)."""

from __future__ import annotations

import pytest

from bot.assessment import teaching
from bot.assessment.analysis import analyse
from bot.assessment.debrief import debrief
from bot.assessment.replay import replay
from bot.assessment.rubric import default_rubric
from bot.assessment.rules import Context, TurnRecord, assess
from bot.assessment.rules.closing import closing, real_close, weak_close

POOR = [
    ("greet", "Bonjour."),
    ("ask_hint", "indice"),
    ("present_solution", "Je vous propose notre meilleure solution, c'est du très bon matériel."),
    ("ask_hint", "je ne sais pas quoi dire, un indice ?"),
    ("propose_close", "Alors, on part là-dessus ?"),
    ("say_goodbye", "Merci, au revoir."),
]


def _session(library, scenario_id, turns, topic_hints=True):
    scenario = library.scenario(scenario_id)
    records, state = replay(library, scenario_id, turns, seed=1)
    assessment = assess(scenario, default_rubric(), records, state.to_dict(), na=scenario.na_criteria)
    hints = library.coach["hints"]["topic"] if topic_hints else None
    return scenario, records, assessment, debrief(scenario, default_rubric(), assessment, "", hints)


@pytest.mark.parametrize("scenario_id", ["cvc-ehpad", "info-cabinet"])
def test_a_poor_session_lists_every_undiscovered_key_fact_with_how_to_ask(library, scenario_id):
    scenario, _, assessment, text = _session(library, scenario_id, POOR)
    key = [f for f in scenario.facts if f.key]
    assert key and teaching.missed_key_facts(scenario, assessment) == key
    assert "Informations clés non découvertes" in text
    for fact in key:
        assert fact.label in text
    decision = library.coach["hints"]["topic"]["decision"]
    assert any(f.topic == "decision" for f in key) <= (decision in text)


def test_objections_not_raised_or_badly_handled_show_their_model_answer(library):
    scenario, _, assessment, text = _session(library, "cvc-ehpad", POOR)
    for report in teaching.objection_reports(scenario, assessment):
        if report.status in ("waiting", "pending", "conceded"):
            assert report.expected == report.objection.hint
            assert report.objection.hint in text
    well = [
        ("greet", "Bonjour Monsieur Benali."),
        ("inform", "Pour information, depuis le décret n° 2022-8, les chaudières fioul neuves sont interdites."),
    ]
    scenario, _, assessment, text = _session(library, "cvc-ehpad", well)
    preempted = next(r for r in teaching.objection_reports(scenario, assessment) if r.status == "preempted")
    assert preempted.expected is None and preempted.answer is not None
    assert "Objections anticipées" in text


def test_hints_used_are_counted_and_message_numbers_are_the_learners_own(library):
    _, records, assessment, text = _session(library, "cvc-ehpad", POOR)
    assert assessment.hints_used == 2
    assert "Indices demandés au coach : 2." in text
    last = records[-1]
    assert last.n > len(records)  # the client's and the coach's lines are counted in n
    assert teaching.learner_number(assessment, last.n) == len(POOR)


def test_advice_is_specific_to_the_scenario_and_to_what_was_missed(library):
    rubric = default_rubric()
    texts = {}
    for scenario_id in ("cvc-ehpad", "info-cabinet", "air-plasturgie"):
        scenario, _, assessment, text = _session(library, scenario_id, POOR)
        texts[scenario_id] = teaching.advice(rubric, "C1.2.1-b", scenario, assessment)
        assert rubric.criterion("C1.2.1-b").advice in texts[scenario_id]
        assert scenario.facts[0].label in texts[scenario_id] or any(
            f.label in texts[scenario_id] for f in teaching.missed_key_facts(scenario, assessment)
        )
    assert len(set(texts.values())) == 3


def test_an_excellent_session_has_strengths_first(library):
    from tests.unit.test_simulation import Player, play_good_negotiation

    p = Player(library, "air-plasturgie")
    turns = []
    original = p.play

    def play(intent, text="", entities=None):
        turns.append((intent, text))
        return original(intent, text, entities)

    p.play = play
    play_good_negotiation(p)
    scenario, _, assessment, text = _session(library, "air-plasturgie", turns)
    strengths = teaching.strengths(assessment)
    assert strengths and all(assessment.scores[c].score >= 2 for c in strengths)
    assert text.index("Vos points forts") < text.index("Par critère")
    assert "Pas encore de point fort" not in text


def _close(library, text, before=None, after=None):
    return TurnRecord(9, text, "propose_close", analyse(text), dict(before or {}), dict(after or before or {}))


def test_a_weak_verbal_close_is_no_technique(library):
    scenario = library.scenario("info-cabinet")
    weak = _close(library, "Alors, on part là-dessus ?", {"signal_pending": True})
    real = _close(
        library,
        "Je vous propose de signer le bon de commande le vendredi 22 mai : on valide ?",
        {"signal_pending": True},
    )
    alternative = _close(library, "Préférez-vous un déploiement la première ou la deuxième semaine de juillet ?")
    ctx = Context(scenario, [weak, real, alternative], {})
    assert weak_close(ctx, weak) and not real_close(ctx, weak)
    assert not weak_close(ctx, real) and real_close(ctx, real)
    assert real_close(ctx, alternative)


def test_a_won_deal_closed_by_on_part_la_dessus_is_not_ts(library):
    scenario = library.scenario("info-cabinet")
    before = {"signal_pending": True, "outcome": "open"}
    weak = _close(library, "Alors, on part là-dessus ?", before, {**before, "outcome": "won"})
    score = closing(Context(scenario, [weak], {"outcome": "won", "failed_closes": 0}))
    assert score.score == 2 and "formule générique" in score.explanation
    real = _close(
        library,
        "Si je vous envoie le devis ce soir, le signez-vous vendredi 22 mai ?",
        before,
        {**before, "outcome": "won"},
    )
    assert closing(Context(scenario, [real], {"outcome": "won", "failed_closes": 0})).score == 3


def test_concessions_are_priced_in_euros_against_the_margin(library):
    priced = [
        ("greet", "Bonjour Monsieur Benali."),
        ("present_solution", "Je vous propose deux PAC-HT65, la chaudière CHG-150 et l'installation INST-CVC, pour 123 900 € HT."),
        ("offer_concession", "Je peux vous faire 5 % de remise sur le matériel si vous signez la maintenance P2 sur trois ans."),
    ]  # fmt: skip
    scenario, _, assessment, text = _session(library, "cvc-ehpad", priced)
    summary = teaching.concession_summary(scenario, assessment)
    assert [(c.percent, c.traded, c.beyond) for c in summary.concessions] == [(5.0, True, False)]
    # the margin applies to the discountable part of the offer (the installation is not)
    discountable = sum(p.price for p in scenario.catalogue if p.ref in assessment.products and p.discountable)
    total = sum(p.price for p in scenario.catalogue if p.ref in assessment.products and p.price > 0)
    assert summary.base == pytest.approx(123_900 * discountable / total)
    assert summary.concessions[0].euros == pytest.approx(summary.base * 0.05)
    assert summary.margin_euros == pytest.approx(summary.base * scenario.cgv.max_discount_pct / 100)
    assert "Concessions et leur coût" in text and "contre une contrepartie" in text
    assert "100 % de votre marge" in text
    _, _, _, none = _session(library, "cvc-ehpad", POOR)
    assert "Concessions : aucune, votre marge est intacte." in none


def test_reactivity_to_the_change_of_parameters_is_read_on_its_own(library):
    from bot.assessment.debrief import REACTIVITY

    _, _, assessment, text = _session(library, "cvc-ehpad", POOR)
    assert assessment.change == "none" and not any(line in text for line in REACTIVITY.values())
    assessment.change = "announced"
    scenario = library.scenario("cvc-ehpad")
    assert REACTIVITY["announced"] in debrief(scenario, default_rubric(), assessment)
    assessment.change = "adapted"
    assert REACTIVITY["adapted"] in debrief(scenario, default_rubric(), assessment)
