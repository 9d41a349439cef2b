"""The engine gaps the scenario writers found (docs/scenarios-c1.md), one test each: each failed before.

Moves are given as the NLU would label them; the engine reads the words.
"""

from __future__ import annotations

import pytest

from bot.language.terms import figures
from bot.language.text import normalize
from tests.unit.test_client import Meeting, present_and_price


# ------------------------------------------------- « plafond » is not the law
@pytest.mark.parametrize(
    "text",
    [
        "Le VSD-45 reste dans votre plafond de puissance électrique, sans changer d'abonnement.",
        "Avec la variation de vitesse, vous restez sous le plafon de votre contrat d'électricité.",
    ],
)
def test_a_ceiling_that_is_not_the_law_does_not_cancel_the_illegal_request(library, text):
    m = Meeting(library, "air-plasturgie").open_meeting()
    m.say("argue_benefit", text)
    assert m.state.objections["paiement_90_jours"] == "waiting"


def test_the_law_capping_payment_terms_still_preempts_the_illegal_request(library):
    m = Meeting(library, "air-plasturgie").open_meeting()
    m.say("inform", "Je vous précise que nos délais de paiement sont plafonnés à 45 jours fin de mois.")
    assert m.state.objections["paiement_90_jours"] == "preempted"


# ------------------------------------------ a percentage that is not a discount
@pytest.mark.parametrize(
    "text",
    [
        "Si je résume : des vestes 65 % coton, 35 % polyester, lavées et livrées chaque semaine.",
        "30 % de nos clients prennent la formule avec la remise de fidélité.",
        "Les polos sont en 65 % coton respirant, je vous les propose en location.",
    ],
)
def test_a_composition_or_a_share_is_not_a_discount(text):
    assert figures(normalize(text), negotiating=True).discounts == ()


@pytest.mark.parametrize(
    "text, percent",
    [
        ("Je vous fais 5 % sur le matériel si vous signez.", 5),
        ("Je vous accorde 4 %, c'est mon maximum.", 4),
        ("Une remise de 10 % des frais de port, contre un engagement d'un an.", 10),
        ("Je peux faire 3 % pile, en échange d'une commande ferme.", 3),
    ],
)
def test_a_discount_is_still_read(text, percent):
    assert [d.percent for d in figures(normalize(text), negotiating=True).discounts] == [percent]


def test_a_summary_with_a_fabric_composition_grants_no_discount(library):
    m = Meeting(library, "visio-location-tenues").open_meeting()
    m.state.solution_presented = m.state.price_stated = True
    m.say("summarize_deal", "Si je résume : des vestes 65 % coton, 35 % polyester, livrées chaque semaine.")
    assert m.state.concessions == []
    assert "beyond_margin" not in m.state.flags


# ---------------------------------------------------- a price in a reformulation
def test_a_price_in_a_reformulation_is_on_the_table(library):
    m = Meeting(library, "air-plasturgie").open_meeting()
    present_and_price(m, "L'ensemble revient à 45 000 € HT.")
    m.say("reformulate", "Si je résume, 39 000 € HT pour le compresseur, le sécheur et la filtration, c'est ça ?")
    assert m.state.offer_total == 39000


def test_a_reformulation_before_any_proposal_puts_no_price_on_the_table(library):
    m = Meeting(library, "air-plasturgie").open_meeting()
    m.say("reformulate", "Si je comprends bien, une heure d'arrêt vous coûte 4 000 € HT, c'est bien ça ?")
    assert m.state.offer_total is None or m.state.offer_total == 0


def test_a_bare_price_next_to_a_monthly_one_is_monthly(library):
    m = Meeting(library, "visio-location-tenues").open_meeting()
    m.state.solution_presented = True
    m.say("reformulate", "Si je comprends bien, 2 600 € par mois aujourd'hui… je vous propose 2 390 €.")
    assert m.state.offer_monthly == 2390
    assert m.state.offer_yearly == 2390 * 12  # weighed against the client's yearly budget


# ------------------------------------------------------ the persona addressed
def test_a_colleague_in_the_meeting_answers_when_addressed_by_name(library):
    m = Meeting(library, "visio-location-tenues").open_meeting()
    m.say("check_agreement", "Monsieur Lounis, vous m'entendez bien depuis la cuisine ?")
    speakers = {u.name for u in m.last.utterances if u.speaker == "client"}
    assert speakers == {"M. Karim Lounis"}


def test_a_colleague_in_the_meeting_answers_her_own_fact(library):
    m = Meeting(library, "saas-sirh-pme").open_meeting()
    m.say("ask_open_question", "Quelles sont vos exigences sur l'hébergement et la sécurité des données ?")
    assert not any(e.startswith("fact_elsewhere") for e in m.last.events), m.last.events
    assert {u.name for u in m.last.utterances if u.speaker == "client"} == {"M. Hugo Lemoine"}


# ------------------------------------------- an illegal practice, unprompted
@pytest.mark.parametrize(
    "scenario_id, text",
    [
        ("visio-location-tenues", "Pour alléger la facture, faites payer une partie aux salariés chaque mois."),
        ("visio-location-tenues", "Vous pouvez prévoir une retenue sur leur salaire pour les tenues."),
        ("cvc-ehpad", "Une partie des travaux pourrait être réglée sans facture, ce serait moins cher."),
    ],
)
def test_an_illegal_practice_suggested_unprompted_is_caught(library, scenario_id, text):
    m = Meeting(library, scenario_id).open_meeting()
    m.say("offer_concession", text)
    assert "illegal_practice" in m.state.flags
    assert "illégal" in m.coach


def test_refusing_an_illegal_practice_is_not_suggesting_it(library):
    m = Meeting(library, "visio-location-tenues").open_meeting()
    m.say("handle_objection", "Pas question de faire payer les salariés : le Code du travail l'interdit.")
    assert "illegal_practice" not in m.state.flags


def test_an_illegal_practice_answering_the_illegal_request_concedes_it(library):
    m = Meeting(library, "visio-location-tenues").open_meeting()
    illegal = next(o for o in m.scenario.objections if o.illegal)
    m.state.objections[illegal.id] = "pending"
    m.state.current_objection = illegal.id
    m.say("handle_objection", "Oui, on peut prévoir une retenue sur salaire pour une partie des tenues.")
    assert m.state.objections[illegal.id] == "conceded"


# ------------------------------- a strong learner still meets the change of parameters
def test_the_change_comes_when_every_objection_was_preempted(library):
    m = Meeting(library, "cvc-ehpad").open_meeting()
    for question in (
        "Comment se passe le chauffage de l'établissement aujourd'hui ?",
        "Quels problèmes avez-vous rencontrés l'hiver dernier ?",
        "Qu'attendez-vous concrètement de la nouvelle installation ?",
        "Quel budget avez-vous prévu pour ce projet ?",
    ):
        m.say("ask_open_question", question)
    m.say(
        "present_solution",
        "Je vous propose deux pompes à chaleur PAC-HT65 avec la chaudière gaz CHG-150 en relève : par grand froid,"
        " elle prend le relais. Travaux hors saison, de juin à septembre, par nos équipes certifiées RGE et QualiPAC.",
    )
    assert "pending" not in m.state.objections.values()
    m.say("state_price", "L'ensemble revient à 98 215 euros HT après remise, installation comprise.")
    assert m.state.change == "announced", m.last.events
