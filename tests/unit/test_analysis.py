"""One test per analysis feature of a learner message."""

import pytest

from bot.assessment.analysis import analyse
from bot.language.questions import question_form as question_type
from bot.language.text import normalize


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Comment se passe la production aujourd'hui ?", "open"),
        ("Qu'attendez-vous de ce nouvel équipement ?", "open"),
        ("pk vous voulez changer ?", "closed"),
        ("Vous avez déjà un contrat de maintenance ?", "closed"),
        ("Vous préférez l'achat ou la location ?", "alternative"),
        ("Vous voulez un compresseur, non ?", "suggestive"),
        ("Il est bien notre produit, n'est-ce pas ?", "suggestive"),
    ],
)
def test_question_types(text, expected):
    assert question_type(normalize(text)) == expected


def test_multi_sentence_message_credits_every_move():
    a = analyse(
        "Bonjour Monsieur Garnier. Je suis Léa Martin, technico-commerciale chez AirTech. "
        "Comment se passe votre production d'air comprimé ?"
    )
    assert len(a.sentences) == 3
    assert {"greet", "introduce_self", "ask_open_question"} <= set(a.moves)


def test_reformulation_with_validation_and_hierarchy():
    a = analyse(
        "Si je résume : l'essentiel pour vous est la continuité du chauffage, puis le budget. C'est bien cela ?"
    )
    assert a.reformulation and a.validation_question and a.hierarchy
    assert "reformulate" in a.moves


def test_argument_structure_and_check_question():
    a = analyse(
        "Grâce à la vitesse variable, le compresseur ne consomme que ce dont vous avez besoin : "
        "vous économisez 30 % d'électricité, soit 13 000 € par an. Qu'en pensez-vous ?"
    )
    assert a.advantage and a.benefit and a.proof and a.figures and a.check_question
    assert "argue_benefit" in a.moves and "check_agreement" in a.moves


def test_claim_without_proof():
    a = analyse("C'est un produit de qualité, très performant, vous allez adorer.")
    assert not a.figures and not a.proof


def test_figures_prices_discounts_and_payment_terms():
    a = analyse("L'ensemble revient à 39 150 € HT avec une remise de 5 %, paiement à 45 jours fin de mois.")
    assert 39150 in a.amounts and a.percents == [5.0] and a.payment_days == [45]
    assert a.payment and "state_price" in a.moves


def test_dates_written_confirmation_and_document():
    a = analyse("Je vous envoie le devis par mail ce soir et je vous rappelle jeudi.")
    assert a.dated and a.written and a.document
    assert "plan_follow_up" in a.moves


def test_register_tutoiement_and_familiar_words():
    a = analyse("Ouais bon tu vois, ton budget c'est combien ?")
    assert a.tutoiement and "ouais" in a.familiar
    b = analyse("Pouvez-vous me préciser votre budget ?")
    assert not b.tutoiement and not b.familiar


def test_false_urgency_and_denigration_cues():
    assert analyse("C'est maintenant ou jamais, l'offre expire ce soir !").urgency
    assert "denigrate_competitor" in analyse("Leurs machines c'est de la camelote.").moves


def test_missing_apostrophe_still_understood():
    assert analyse("Qu en pensez-vous ?").check_question


def test_supports_and_alternative():
    a = analyse("Je vous ai préparé une étude ROI ; l'alternative serait le modèle à vitesse fixe à 21 500 €.")
    assert "etude" in a.supports and a.alternative
