"""A learner who comes back to what the client said gets the same fact again, not « c'est-à-dire ? » (stop 23).

Moves are given as the NLU may label them; the engine reads the words (lexicon ``recall``).
"""

from __future__ import annotations

import pytest

from tests.unit.test_client import Meeting


def budget_told(library) -> Meeting:
    m = Meeting(library, "cvc-ehpad").open_meeting()
    m.say("ask_open_question", "Quel budget avez-vous prévu pour ce projet ?")
    assert "enveloppe" in m.answered(), m.client
    m.say("ask_open_question", "Comment fonctionne votre chaufferie aujourd'hui ?")
    assert "enveloppe" not in m.answered()
    return m


@pytest.mark.parametrize(
    "label, text",
    [
        ("ask_closed_question", "Vous m'avez parlé d'une enveloppe tout à l'heure, c'était combien déjà ?"),
        ("state_price", "Je veux être sûre d'avoir bien noté : l'enveloppe, c'est 120 000 € HT ?"),
        ("ask_closed_question", "Rappelez-moi le montant voté, c'était combien ?"),
        ("ask_closed_question", "Et ce chiffre que vous m'avez donné tout à l'heure, c'était combien ?"),
    ],
)
def test_a_question_that_comes_back_to_a_fact_gets_it_again(library, label, text):
    m = budget_told(library)
    m.say(label, text)
    assert m.answered() == {"enveloppe"}, m.client
    assert not m.state.price_stated  # a check of the client's own figure is no price


def test_a_recall_cue_does_not_override_a_clear_question_on_another_fact(library):
    m = budget_told(library)
    m.say("ask_open_question", "Pour revenir à la décision, qui signe chez vous au final ?")
    assert "enveloppe" not in m.answered(), m.client
    assert m.answered(), m.client


def test_a_recall_cue_before_anything_was_said_changes_nothing(library):
    m = Meeting(library, "cvc-ehpad").open_meeting()
    m.say("ask_closed_question", "Vous m'avez dit combien, déjà ?")
    assert not m.answered(), m.client


def test_a_detail_of_an_incident_already_told_is_told_again_not_taken_for_small_talk(library):
    m = Meeting(library, "reclamation-maintenance").open_meeting()
    m.say("ask_open_question", "Que s'est-il passé samedi ?")
    assert "samedi" in m.answered(), m.client
    m.say("ask_open_question", "Qui décide chez vous ?")
    m.say("ask_closed_question", "Et le technicien, vous m'avez dit tout à l'heure qu'il était arrivé à quelle heure ?")
    assert m.answered() == {"samedi"}, m.client


def test_a_follow_up_question_heard_as_a_yes_follows_up_instead_of_noting(library):
    m = Meeting(library, "visite-satisfaction").open_meeting()
    m.say("ask_closed_question", "Il y a eu des soucis particuliers depuis l'installation ?")
    told = m.answered()
    assert told, m.client
    m.say("affirm", "Ah oui ? Et ça s'est passé quand exactement ?")
    assert any(e.startswith(("fact_deepened:", "question_unclear")) for e in m.last.events), m.client
    assert not (m.answered() - told), m.client  # no other fact for a question the client cannot place


def test_how_long_a_problem_already_told_lasted_is_no_question_on_the_agenda(library):
    m = Meeting(library, "visite-satisfaction").open_meeting()
    m.say("ask_closed_question", "Il y a eu des soucis particuliers depuis l'installation ?")
    told = m.answered()
    m.say("state_agenda", "Vous m'avez parlé d'un souci tout à l'heure, ça a duré combien de temps ?")
    assert m.answered() == told, m.client


def test_the_client_names_a_forgotten_need_in_his_own_voice():
    from bot.language.text import in_client_voice

    assert in_client_voice("sa satisfaction après trois mois") == "ma satisfaction après trois mois"
    assert in_client_voice("Ses freins : la trésorerie") == "Mes freins : la trésorerie"
    assert in_client_voice("Xylolux et ses 5 % de remise") == "Xylolux et ses 5 % de remise"  # another's
    assert in_client_voice("la DPO donne son avis") == "la DPO donne son avis"
