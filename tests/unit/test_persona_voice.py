"""Each persona in his or her own voice (issue 11): a fact is answered by its owner, never by a colleague
saying « moi » in someone else's words; a persona's name is how the learner turns to her, not a keyword.

Moves are given as the NLU would label them; the engine reads the words (as in test_engine_gaps).
"""

from __future__ import annotations

import re

import pytest

from bot.language.text import normalize
from bot.language.understanding import PersonaName, name_words, understand
from tests.unit.test_client import Meeting


def client_turns(m: Meeting) -> list[tuple[str, str]]:
    return [(u.name, u.text) for u in m.last.utterances if u.speaker == "client"]


# ------------------------------------------------ the owner answers her fact
@pytest.mark.parametrize(
    "scenario_id, question, colleague, main, fact",
    [
        ("saas-sirh-pme", "Monsieur Lemoine, qui décide chez vous ?", "M. Hugo Lemoine", "Mme Claire Vasseur", "circuit"),
        ("visio-location-tenues", "Monsieur Lounis, qui signe le contrat ?", "M. Karim Lounis", "Mme Sandrine Fabre", "circuit"),
        ("grand-compte-ao", "Monsieur Le Bihan, quel est votre prix cible ?", "M. Yann Le Bihan", "Mme Nathalie Caradec", "prix_cible"),
    ],
)  # fmt: skip
def test_a_colleague_asked_about_the_main_personas_fact_hands_over(
    library, scenario_id, question, colleague, main, fact
):
    m = Meeting(library, scenario_id).open_meeting()
    m.say("ask_open_question", question)
    turns = client_turns(m)
    assert [name for name, _ in turns] == [colleague, main], turns
    assert main in turns[0][1] and len(turns[0][1]) < 80  # one short line: « Je laisse Mme X vous répondre. »
    assert m.answered() == {fact}
    assert any(e.startswith("fact_handover:") for e in m.last.events)


def test_the_colleague_never_says_the_main_personas_moi(library):
    """Before: M. Lounis said « C'est moi qui décide et qui signe. Mais je ne signerai pas sans l'accord de
    Karim… »."""
    m = Meeting(library, "visio-location-tenues").open_meeting()
    m.say("ask_open_question", "Monsieur Lounis, c'est vous qui décidez ?")
    lounis = " ".join(text for name, text in client_turns(m) if name == "M. Karim Lounis")
    assert "signe" not in lounis and "Karim" not in lounis, lounis


def test_the_owner_present_answers_her_fact_when_the_main_persona_is_addressed(library):
    m = Meeting(library, "saas-sirh-pme").open_meeting()
    m.say("ask_open_question", "Madame Vasseur, où devront être hébergées vos données de paie ?")
    turns = client_turns(m)
    assert [name for name, _ in turns] == ["Mme Claire Vasseur", "M. Hugo Lemoine"], turns
    assert m.answered() == {"rgpd"}
    assert "J'y veillerai" in turns[1][1] or "récupérables" in turns[1][1]


def test_the_owner_answers_without_being_addressed_and_without_a_hand_over(library):
    m = Meeting(library, "visio-location-tenues").open_meeting()
    m.say("ask_open_question", "Qu'est-ce qui ne va pas avec vos vestes actuelles ?")
    assert [name for name, _ in client_turns(m)] == ["M. Karim Lounis"]
    assert m.answered() == {"chaleur"}
    assert not any(e.startswith("fact_handover:") for e in m.last.events)


def test_the_addressee_who_owns_the_fact_answers_it_himself(library):
    m = Meeting(library, "grand-compte-ao").open_meeting()
    m.say("ask_open_question", "Monsieur Le Bihan, quelles normes les gants doivent-ils respecter ?")
    assert [name for name, _ in client_turns(m)] == ["M. Yann Le Bihan"]
    assert m.answered() == {"normes"}


def test_after_a_takeover_the_main_persona_still_answers_her_own_facts(library):
    """Mme Hamon takes over the meeting; the circuit is M. Le Gall's fact (« c'est la directrice d'usine,
    Mme Hamon, qui tranche »): she must not say it of herself."""
    m = Meeting(library, "reclamation-maintenance").open_meeting()
    m.state.present_personas.append("hamon")
    m.state.speaker = "hamon"
    m.say("ask_open_question", "Qui décide de la résiliation ou d'un avenant ?")
    assert [name for name, _ in client_turns(m)] == ["M. Thierry Le Gall"], client_turns(m)


def test_a_fact_whose_owner_is_absent_is_sent_to_her(library):
    m = Meeting(library, "impaye-relance").open_meeting()
    m.say("ask_open_question", "Quels sont vos prochains chantiers, avez-vous un marché avec un office HLM ?")
    assert m.last.events == ["fact_elsewhere:bailleur"]
    assert client_turns(m) == [("Mme Laura Garcia", client_turns(m)[0][1])]
    assert "M. Sébastien Garcia" in client_turns(m)[0][1]


def test_no_owner_names_herself_in_her_own_facts(library):
    """The data side: a fact is written in its owner's voice (its ``persona:``, else the main persona), so
    its lines never name that persona in the third person (« M. Lemoine y veillera » said by M. Lemoine)."""
    wrong = []
    for scenario in library.negotiations.values():
        for fact in scenario.facts:
            owner = scenario.persona(fact.persona) if fact.persona else scenario.main_persona
            for word in (w for w in name_words(owner.name) if len(w) > 2):
                wrong += [
                    f"{scenario.id}/{fact.id}"
                    for line in (*fact.open, *fact.closed)
                    if re.search(rf"\b{word}\b", normalize(line))
                ]
    assert wrong == []


# --------------------------------------------- a name is not a fact keyword
PERSONAS = (PersonaName("fabre", "Mme Sandrine Fabre", "f"), PersonaName("lounis", "M. Karim Lounis", "m"))


@pytest.mark.parametrize(
    "text, asked",
    [
        ("Monsieur Lounis, combien de salariés avez-vous ?", "combien de salariés avez-vous ?"),
        ("M. Lounis, qui décide ?", "qui décide ?"),
        ("Et vous, Karim ?", "Et vous ?"),
        ("Quels sont vos besoins, Madame Fabre ?", "Quels sont vos besoins ?"),
    ],
)
def test_the_name_of_the_persona_addressed_is_left_out_of_the_question(text, asked):
    u = understand(text, "ask_open_question", personas=PERSONAS)
    assert u.addressee in ("fabre", "lounis")
    assert [q.words for q in u.questions] == [asked]
    assert "lounis" not in u.questions[0].text and "fabre" not in u.questions[0].text
    assert u.question_share > 0.8  # the name is not counted as words that are no question


@pytest.mark.parametrize(
    "scenario_id, question, fact",
    [
        ("visio-location-tenues", "Monsieur Lounis, combien de salariés avez-vous ?", "effectifs"),
        ("saas-sirh-pme", "Monsieur Lemoine, combien de salariés avez-vous ?", "effectifs"),
        ("saas-sirh-pme", "Monsieur Lemoine, comment gérez-vous les congés aujourd'hui ?", "outils"),
    ],
)  # fmt: skip
def test_the_name_of_the_persona_addressed_is_not_a_fact_keyword(library, scenario_id, question, fact):
    """Before: « Lounis » and « Lemoine » are keywords of the circuit, which came with every answer."""
    m = Meeting(library, scenario_id).open_meeting()
    m.say("ask_closed_question", question)
    assert m.answered() == {fact}, m.client


def test_the_name_of_someone_absent_still_says_what_the_question_is_about(library):
    m = Meeting(library, "saas-sirh-pme").open_meeting()
    m.say("ask_closed_question", "Est-ce que Mme Morel doit valider le contrat ?")
    assert m.answered() == {"circuit"}, m.client
