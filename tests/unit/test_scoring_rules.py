"""Each criterion rule on short sessions played through the real engine."""

from __future__ import annotations

import pytest

from bot.assessment.replay import replay
from bot.assessment.rubric import CRITERION_IDS, default_rubric
from bot.assessment.rules import assess

OPENING = [
    ("greet", "Bonjour Monsieur Garnier"),
    ("introduce_self", "Je suis Léa Martin, technico-commerciale chez AirTech Industrie, merci de me recevoir."),
    (
        "state_agenda",
        "Je vous propose de faire le point sur vos besoins puis de vous présenter une solution ; "
        "nous avons trente minutes, cela vous convient ?",
    ),
]
DISCOVERY = [
    ("ask_open_question", "Comment se passe aujourd'hui la production d'air comprimé ?"),
    ("ask_open_question", "Quels problèmes avez-vous rencontrés avec ce compresseur ?"),
    ("ask_open_question", "Qu'est-ce que représente une heure d'arrêt de production pour vous ?"),
    ("ask_open_question", "Qu'attendez-vous avant tout de la nouvelle installation ?"),
    ("ask_open_question", "Quel budget ou quel critère de retour sur investissement devez-vous respecter ?"),
    ("ask_open_question", "Qui d'autre participe à la décision ?"),
    ("ask_open_question", "Quand pourriez-vous arrêter la production ?"),
    ("ask_open_question", "Quelles exigences de qualité d'air vos clients de l'emballage alimentaire imposent-ils ?"),
    ("ask_open_question", "Qu'est-ce qui pourrait vous faire hésiter ?"),
    ("ask_open_question", "Comment financez-vous ce type d'investissement, y a-t-il des primes CEE ?"),
]


def score(library, turns, scenario="air-plasturgie"):
    s = library.scenario(scenario)
    records, state = replay(library, scenario, turns, seed=3)
    return assess(s, default_rubric(), records, state.to_dict(), na=s.na_criteria), state


def test_every_criterion_is_scored_with_a_french_explanation(library):
    result, _ = score(library, OPENING + DISCOVERY[:2])
    # a sale is graded on the grid of a sale: the purchasing criteria (C4.1.1) are not part of it
    assert set(result.scores) == {c for c in CRITERION_IDS if default_rubric().applies(c, "negotiation")}
    assert not any(c.startswith("C4.") for c in result.scores)
    assert all(r.explanation for r in result.scores.values())
    assert all(r.level in ("TI", "I", "S", "TS", "na") for r in result.scores.values())


def test_contact_levels(library):
    assert score(library, OPENING)[0].scores["C1.2.1-a"].score == 3
    assert score(library, OPENING[:1])[0].scores["C1.2.1-a"].score == 1
    assert score(library, [("greet", "Salut mec, ça va ?")])[0].scores["C1.2.1-a"].score == 0
    assert score(library, [("present_solution", "Voici notre offre.")])[0].scores["C1.2.1-a"].score == 0


def test_questioning_levels(library):
    assert score(library, OPENING)[0].scores["C1.2.1-b"].score == 0
    closed = [("ask_closed_question", "Vous avez un compresseur ?"), ("ask_closed_question", "Il tombe en panne ?")]
    assert score(library, OPENING + closed)[0].scores["C1.2.1-b"].score == 1
    assert score(library, OPENING + DISCOVERY)[0].scores["C1.2.1-b"].score == 3


def test_decision_circuit_and_derived_demand(library):
    assert score(library, OPENING + DISCOVERY[:2])[0].scores["C1.2.1-c"].score == 0
    assert score(library, OPENING + DISCOVERY)[0].scores["C1.2.1-c"].score >= 2


def test_reformulation_levels(library):
    assert score(library, OPENING + DISCOVERY)[0].scores["C1.2.1-e"].score == 0
    good = (
        "reformulate",
        "Si je résume : des pannes et des fuites, un besoin d'air fiable, une facture d'énergie à baisser, "
        "un ROI de moins de 3 ans, une décision du directeur de site et une installation en août. C'est bien cela ?",
    )
    assert score(library, OPENING + DISCOVERY + [good])[0].scores["C1.2.1-e"].score >= 2
    wrong = ("reformulate", "Donc si je comprends bien vous aimez le golf ?")
    assert score(library, OPENING + DISCOVERY + [wrong])[0].scores["C1.2.1-e"].score == 1


def test_argumentation_levels(library):
    claim = ("argue_benefit", "C'est un produit de qualité, vous allez adorer.")
    assert score(library, OPENING + [claim])[0].scores["C1.2.2-b"].score == 0
    cap = (
        "argue_benefit",
        "Grâce à la vitesse variable, le VSD-45 ne consomme que ce dont vous avez besoin : vous économisez "
        "environ 1 100 € par mois, comme chez nos clients plasturgistes. Qu'en pensez-vous ?",
    )
    solution = ("present_solution", "Je vous propose le compresseur VSD-45 à vitesse variable avec le sécheur.")
    result = score(library, OPENING + DISCOVERY + [solution, cap, cap])[0]
    assert result.scores["C1.2.2-b"].score >= 2


def test_illegal_payment_term_accepted_zeroes_risk_and_caps_the_grade(library):
    result, state = score(library, OPENING + DISCOVERY)
    state_dict = state.to_dict()
    state_dict["flags"] = ["illegal_accepted"]
    s = library.scenario("air-plasturgie")
    records, _ = replay(library, "air-plasturgie", OPENING + DISCOVERY, seed=3)
    capped = assess(s, default_rubric(), records, state_dict)
    assert capped.scores["C1.1.1-b"].score == 0
    assert capped.grade_20 <= 9.0 and "délai de paiement illégal accepté" in capped.eliminatory


def test_invented_reference_caps_the_solution_at_one(library):
    fake = ("present_solution", "Je vous propose notre VSD-99 dernier modèle, parfait pour vous.")
    result = score(library, OPENING + DISCOVERY + [fake])[0]
    assert result.scores["C1.1.2-a"].score == 0
    assert result.scores["C1.2.2-a"].score <= 1


def test_unilateral_concession_scores_zero_in_negotiation(library):
    gift = ("offer_concession", "Allez, je vous fais 5 % de remise, cadeau.")
    solution = ("present_solution", "Je vous propose le compresseur VSD-45 à vitesse variable avec le sécheur.")
    price = ("state_price", "L'ensemble revient à 39 150 € HT.")
    assert score(library, OPENING + DISCOVERY + [solution, price, gift])[0].scores["C1.2.2-d"].score == 0


def test_early_end_scores_zero_not_na(library):
    result = score(library, OPENING + DISCOVERY[:3])[0]
    for cid in ("C1.2.2-a", "C1.2.2-c", "C1.2.2-d", "C1.2.3-a", "C1.2.3-b", "C1.2.4-a", "C2.3-a"):
        assert result.scores[cid].score == 0, cid
    assert result.outcome == "lost"


def test_follow_up_and_satisfaction(library):
    follow = ("plan_follow_up", "Je vous envoie le devis par mail ce soir et je vous rappelle jeudi, puis à J+30.")
    sat = ("check_satisfaction", "Êtes-vous satisfait de votre prestataire de maintenance actuel ?")
    result = score(library, OPENING + [sat, follow])[0]
    assert result.scores["C1.2.4-a"].score >= 2
    assert result.scores["C2.2-a"].score >= 1


def test_register_lowers_communication(library):
    casual = [("greet", "Salut"), ("ask_open_question", "Tu peux me dire ton budget ?"), ("affirm", "ouais ok")]
    assert score(library, casual)[0].scores["T-1"].score == 0
    assert score(library, OPENING + DISCOVERY)[0].scores["T-1"].score >= 2


def test_grade_follows_the_weights(library):
    rubric = default_rubric()
    weights = rubric.weights("air-plasturgie", [])
    assert abs(sum(weights.values()) - 1) < 1e-9
    assert abs(weights["T-1"] - 0.05) < 1e-9
    na_weights = rubric.weights("prospection-rdv", ["C1.2.2-d", "C2.2-a", "C2.3-a"])
    assert "C1.2.2-d" not in na_weights and abs(sum(na_weights.values()) - 1) < 1e-9


@pytest.mark.parametrize("criterion_id", CRITERION_IDS)
def test_rubric_has_labels_scales_and_advice(criterion_id):
    c = default_rubric().criterion(criterion_id)
    assert c.label and c.advice and {"0", "1", "2", "3"} <= set(c.scale)
