"""A question is a question whatever label the NLU gives it (stop 24): the client answers what is asked, and
never confirms, notes or blames a message that only asks.

Moves are given as the NLU may label them; the engine reads the words (bot.language.understanding).
"""

from __future__ import annotations

import pytest

from bot.engine import simulation
from bot.engine.state import Move
from tests.unit.test_client import Meeting


def test_a_fact_asked_while_an_objection_waits_is_answered_and_the_objection_stays(library):
    m = Meeting(library, "impaye-relance").open_meeting()
    waiting = m.state.current_objection
    assert waiting, m.client  # the client opens on the damaged delivery
    m.say("acknowledge_objection", "Et votre trésorerie, elle se porte comment en ce moment ?")
    assert m.answered() == {"tresorerie"}, m.client
    assert m.state.current_objection == waiting  # asked aside, not answered


def test_an_unsure_guess_on_a_plain_question_is_no_control_question(library):
    m = Meeting(library, "air-plasturgie").open_meeting()
    m.say("ask_closed_question", "Vous avez eu des pannes sur votre compresseur ?")
    # the NLU's rescued guess (at the fallback threshold) is a control question: the words only ask
    reply = simulation.step(library, m.state, Move("check_agreement", "Et côté consommation, où en êtes-vous ?", 0.3))
    assert "check_agreement_pending" not in reply.events and "check_agreement_ok" not in reply.events
    assert {e.split(":", 1)[0] for e in reply.events} & {"fact_revealed", "fact_repeated", "question_unclear"}
    # a sure label with its words stays a control question
    reply = simulation.step(library, m.state, Move("check_agreement", "Ça vous convient, cette approche ?", 0.9))
    assert not any(e.startswith(("fact_", "question_unclear")) for e in reply.events)


def test_an_unsure_guess_of_an_additional_sale_on_a_question_is_a_question(library):
    m = Meeting(library, "air-plasturgie").open_meeting()
    reply = simulation.step(
        library, m.state, Move("propose_additional_sale", "Et vos compresseurs, ils tombent souvent en panne ?", 0.3)
    )
    assert {e.split(":", 1)[0] for e in reply.events} & {"fact_revealed", "question_unclear"}, reply.events
    # a product named keeps the guess: a question-shaped offer is still an offer
    product = m.scenario.catalogue[0].label
    reply = simulation.step(library, m.state, Move("propose_additional_sale", f"Et avec ça, un {product} ?", 0.3))
    assert not any(e.startswith("fact_") for e in reply.events), reply.events


def test_a_check_of_one_figure_with_a_word_of_recall_is_answered_while_an_objection_waits(library):
    m = Meeting(library, "impaye-relance").open_meeting()
    waiting = m.state.current_objection
    m.say(
        "reformulate",
        "La trésorerie est tendue, c'est bien ça ? Je veux être sûr d'avoir bien compris votre situation.",
    )
    assert m.answered() == {"tresorerie"}, m.client
    assert m.state.current_objection == waiting


def test_a_price_increase_heard_as_a_concession_is_a_price_stated(library):
    m = Meeting(library, "hausse-tarifaire").open_meeting()
    m.say("offer_concession", "Je dois vous annoncer une hausse de 6 % sur le Grand Cru, liée au prix du café vert.")
    assert {"price_stated", "premature_price"} & set(m.last.events), m.last.events  # a price, early or not
    m = Meeting(library, "hausse-tarifaire").open_meeting()
    m.say(
        "offer_concession", "Pour vous aider, je lisse la hausse : 3 % en mars et 3 % en septembre, si vous renouvelez."
    )
    assert "price_stated" not in m.last.events and "beyond_margin" not in m.last.events, m.last.events


def test_a_follow_up_heard_as_a_yes_deepens_the_point_under_discussion(library):
    m = Meeting(library, "air-plasturgie").open_meeting()
    m.say("ask_closed_question", "Vous avez eu des pannes sur votre compresseur ?")
    told = m.answered()
    assert len(told) == 1, m.client
    m.say("affirm", "Ah oui ? Racontez-moi.")
    assert any(e.startswith("fact_deepened:") for e in m.last.events), m.client


def test_a_plain_question_labelled_denigration_is_not_blamed(library):
    m = Meeting(library, "info-cabinet").open_meeting()
    warmth = m.state.warmth
    m.say("denigrate_competitor", "Vos équipes ont-elles de quoi travailler à distance, chez elles ?")
    assert "denigrate" not in m.state.flags and m.state.warmth >= warmth, m.client


def test_a_question_labelled_reformulation_without_its_words_is_not_confirmed(library):
    m = Meeting(library, "air-plasturgie").open_meeting()
    m.say("reformulate", "Qu'est-ce qui vous ferait dire, dans un an, que le projet est réussi ?")
    assert not any(e.startswith("reformulation_") for e in m.last.events), m.client
    assert m.answered() or "question_unclear" in m.last.events, m.client


def test_how_long_a_task_takes_is_a_question_not_the_agenda(library):
    m = Meeting(library, "saas-sirh-pme").open_meeting()
    m.say("state_agenda", "Combien de temps votre assistante passe-t-elle chaque mois à ressaisir les absences ?")
    assert m.answered() == {"cout_temps"}, m.client
    m.say("state_agenda", "Vous avez combien de temps à m'accorder aujourd'hui ?")
    assert not m.answered() and m.state.agenda, m.client


def test_two_halves_of_one_question_are_read_together_when_neither_names_a_fact(library):
    m = Meeting(library, "prospection-rdv")
    m.say("introduce_self", "Bonjour Madame, Julie Caron, d'Atlantique Manutention. J'appelle M. Guérin au sujet des "
          "chariots pour votre futur stockage couvert : c'est bien lui qui suit ce dossier ?")  # fmt: skip
    m.say("state_agenda", "Bonjour Monsieur Guérin, Julie Caron, Atlantique Manutention. Je vous appelle au sujet des "
          "chariots de votre nouveau bâtiment : je ne vous prends que deux minutes, c'est possible ?")  # fmt: skip
    m.say("ask_closed_question", "Combien de chariots vous avez sur le site, et ils roulent à quoi ?")
    assert m.answered() == {"parc"}, m.client


@pytest.mark.parametrize(
    "scenario_id, before, question",
    [
        ("reclamation-maintenance", ["Que s'est-il passé samedi ?", "Qui décide chez vous ?"],
         "Le technicien est arrivé à quelle heure, finalement ?"),  # its words are the scenario's
        ("saas-sirh-pme", [], "Et Kolibri, vous les avez rencontrés en vrai ?"),  # it names a firm of the scenario
    ],
)  # fmt: skip
def test_a_question_about_what_the_scenario_speaks_of_is_never_small_talk(library, scenario_id, before, question):
    m = Meeting(library, scenario_id).open_meeting()
    for text in before:
        m.say("ask_open_question", text)
    m.say("ask_closed_question", question)
    assert "off_topic" not in m.last.events and m.state.off_topic == 0, m.client
    m.say("ask_closed_question", "Monsieur Roche, il aime bien le football ?")
    assert "off_topic" in m.last.events, m.client  # small talk, about a person too, is still called back to the point


def test_a_question_on_the_situation_that_sounds_like_chat_is_not_small_talk(library):
    m = Meeting(library, "agri-cuma").open_meeting()
    m.say(
        "ask_open_question",
        "Bonjour M. Pasquier. Pour commencer, vous pouvez me présenter le pulvé que vous avez en ce moment ?",
    )
    assert "off_topic" not in m.last.events and m.state.off_topic == 0, m.client


def test_the_engine_reads_an_unsure_label_where_the_nlu_falls_back():
    """reading.RESCUED_LABEL_MAX repeats the FallbackClassifier's threshold (the engine reads no Rasa config):
    if calibrating the fallback moves one, the other must follow, or a rescued guess is read as the NLU's reading."""
    import yaml

    from bot.config import ROOT
    from bot.engine import reading

    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    fallback = next(c for c in config["pipeline"] if c["name"] == "FallbackClassifier")
    assert float(fallback["threshold"]) == pytest.approx(reading.RESCUED_LABEL_MAX)


@pytest.mark.parametrize(
    "scenario_id, question",
    [
        ("revue-compte", "Globalement, comment s'est passée cette année avec nous ?"),
        ("revue-compte", "Sur une échelle de 1 à 10, vous nous mettriez combien ?"),
        ("hausse-tarifaire", "Et sinon, travailler avec nous, ça vous convient toujours ?"),
    ],
)
def test_a_satisfaction_check_on_our_firm_gets_the_client_satisfaction(library, scenario_id, question):
    """The opening question of an account review, in words no fact has, asks what the client thinks of us."""
    m = Meeting(library, scenario_id).open_meeting()
    m.say("check_satisfaction", question)
    assert m.answered() == {"satisfaction"}, m.client


def test_a_satisfaction_check_on_something_else_is_not_read_as_one_on_us(library):
    m = Meeting(library, "revue-compte").open_meeting()
    m.say("check_satisfaction", "Vous avez passé de bonnes vacances ?")
    assert not m.answered(), m.client


def test_savings_argued_with_figures_are_no_price_even_labelled_so(library):
    """Played on revue-compte (stop 26): « …soit 11 000 € par an » of savings, labelled state_price, was taken for
    the price of the offer (« C'est noté. Rapporté au colis, ça donne combien ? »)."""
    m = Meeting(library, "revue-compte").open_meeting()
    m.ask(
        "Au quatrième trimestre, nos délais vous ont posé problème ?",
        "Vos clients consommateurs vous font des retours sur les emballages ?",
        "Vous avez des projets particuliers pour l'année prochaine ?",
        "Combien de temps vos préparateurs passent à fermer un colis ?",
    )
    m.say("present_solution", "Je vous propose la boîte EC-ZIP2 à fermeture adhésive et le calage papier CAL-P.")
    assert "solution_presented" in m.events, m.client
    m.say("state_price", "Avec EC-ZIP2, vous gagnez 11 secondes par colis, soit environ 11 000 € par an.")
    assert "price_stated" not in m.last.events and not m.state.price_stated, m.client
    assert not m.state.offer_total and not m.state.offer_yearly
    m.say("state_price", "L'EC-ZIP2 est à 0,99 € la boîte, vous économisez 11 000 € par an.")
    assert "price_stated" in m.last.events, m.client


def test_a_follow_up_proposed_as_a_question_is_a_follow_up_not_a_question_on_a_fact(library):
    """agri-cuma (stop 26): « On présente ensemble l'offre au conseil du 12 décembre ? Je vous envoie le devis
    vendredi. » was answered « Je vous l'ai dit tout à l'heure : c'est le conseil qui vote »."""
    m = Meeting(library, "agri-cuma").open_meeting()
    m.say("ask_open_question", "Et comment se passe la décision à la CUMA ?")
    m.say(
        "plan_follow_up", "On présente ensemble l'offre au conseil du 12 décembre ? Je vous envoie le devis vendredi."
    )
    assert not m.answered() and m.state.follow_up, m.client


def test_a_close_in_question_form_while_an_objection_waits_is_a_close(library):
    """saas-sirh-pme (stop 26): « On valide le socle et le temps dès janvier, et on fait le point au CSE du 8
    octobre ? » with the deployment objection open was answered with the decision circuit and the calendar."""
    m = Meeting(library, "saas-sirh-pme").open_meeting()
    m.ask(
        "Quels problèmes rencontrez-vous avec la gestion actuelle ?",
        "Combien de temps votre assistante passe à ressaisir tout ça ?",
        "Vos poseurs sur les chantiers, ils ont accès à un ordinateur ?",
        "Vous avez des obligations légales sur les entretiens professionnels ?",
        intent="ask_open_question",
    )
    m.say("present_solution", "Je vous propose le socle SRH-SOCLE avec les modules SRH-TEMPS et SRH-ENTR.")
    waiting = m.state.current_objection
    assert waiting, m.client
    m.say("propose_close", "On valide le socle et le temps dès janvier, et on fait le point au CSE du 8 octobre ?")
    assert not m.answered(), m.client
    assert m.state.current_objection == waiting and m.state.outcome == "open"


def test_a_question_labelled_as_empathy_with_nothing_to_acknowledge_is_a_question(library):
    """visio-location-tenues (stop 26): « Monsieur Lounis, en cuisine, qu'est-ce qui vous gêne le plus ? » labelled
    acknowledge_objection, no objection open, got « Je n'ai pas d'objection, allez-y »."""
    m = Meeting(library, "visio-location-tenues").open_meeting()
    m.say("acknowledge_objection", "Monsieur Lounis, en cuisine, qu'est-ce qui vous gêne le plus ?")
    assert "question_unclear" in m.last.events or m.answered(), m.client
    assert m.client not in library.lines(m.scenario, "acknowledge_no_objection")


@pytest.mark.parametrize(
    "text",
    [
        "Avec un engagement de 36 mois, je vous fais 5 %.",
        "En vous engageant sur trois ans, je peux descendre à 4,75 €.",
    ],
)
def test_a_commitment_asked_in_exchange_is_a_counterpart(text):
    from bot.language.text import normalize
    from bot.language.understanding import understand

    assert understand(text).has("counterpart"), normalize(text)
