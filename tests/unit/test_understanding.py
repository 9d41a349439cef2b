"""One message understood once (bot.language.understanding, matching, topics)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.dialogue_eval import PROBES_DIR, form_classifier, load_probes, play, relevance
from bot.language.matching import FactIndex, FactView, focus_stems, keyword_weight, stems
from bot.language.text import normalize
from bot.language.topics import OFF_TOPIC, VAGUE, topic_scores
from bot.language.understanding import PersonaName, addressee, split_questions, understand


def test_questions_are_split_where_a_second_one_starts():
    assert split_questions(normalize("Combien de postes avez-vous, et quel budget avez-vous prévu ?")) == (
        "combien de postes avez-vous ?",
        "quel budget avez-vous prevu ?",
    )
    assert split_questions(normalize("Qui décide et pour quand ?")) == ("qui decide ?", "pour quand ?")
    assert split_questions(normalize("Comment gérez-vous vos stocks et vos commandes ?")) == (
        "comment gerez-vous vos stocks et vos commandes ?",
    )
    assert split_questions(normalize("Vous utilisez quoi comme compresseur et il a déjà eu des pannes ?")) == (
        "vous utilisez quoi comme compresseur ?",
        "il a deja eu des pannes ?",
    )
    assert split_questions(normalize("Les primes CEE, qui va monter le dossier ?")) == (
        "les primes cee, qui va monter le dossier ?",  # a topic put first, then its question
    )
    assert split_questions(normalize("Votre budget, combien, et qui décide ?")) == (
        "votre budget, combien ?",
        "qui decide ?",
    )
    assert split_questions(normalize("Vous avez un budget, qui décide ?")) == ("vous avez un budget ?", "qui decide ?")
    assert split_questions(normalize("Si ça tombe en panne, comment vous faites ?")) == (
        "si ca tombe en panne, comment vous faites ?",  # the circumstance of one question
    )
    assert split_questions(normalize("Quand démarrez-vous, qui décide ?")) == ("quand demarrez-vous ?", "qui decide ?")
    assert split_questions(normalize("Vous et votre associé, vous êtes combien ?")) == (
        "vous et votre associe, vous etes combien ?",
    )
    assert split_questions(normalize("Bonjour. Vous préférez l'achat ou la location ?")) == (
        "vous preferez l'achat ou la location ?",
    )


def test_the_addressed_persona():
    people = [PersonaName("garnier", "M. Olivier Garnier", "m"), PersonaName("roussel", "Mme Nathalie Roussel", "f")]
    assert addressee(normalize("Bonjour Madame Roussel, …"), people) == "roussel"
    assert addressee(normalize("Madame, qu'en pensez-vous ?"), people) == "roussel"
    assert addressee(normalize("Olivier, vous êtes d'accord ?"), people) == "garnier"
    assert addressee(normalize("Comme je le disais"), people) is None


def test_topics_of_questions_from_any_sector():
    assert max(topic_scores("Qui valide les achats chez vous ?").items(), key=lambda kv: kv[1])[0] == "decision"
    assert topic_scores("Et sinon, vous pouvez m'en dire plus ?")[VAGUE] > 0.5
    assert topic_scores("Vous avez vu le match hier soir ?")[OFF_TOPIC] > 0.5


def test_one_understanding_carries_what_every_reader_needs():
    u = understand(
        "Madame Roussel, si vous signez avant le 19 juin, je vous accorde 3 % : soit 38 083 € HT. Qui signe ?",
        "offer_concession",
        catalogue=[("VSD-45", ["vsd"])],
        personas=[PersonaName("roussel", "Mme Nathalie Roussel", "f")],
    )
    assert u.addressee == "roussel" and u.has("counterpart")
    assert [d.percent for d in u.figures.discounts] == [3] and 38083 in u.figures.totals
    assert [q.text for q in u.questions] == ["qui signe ?"]


def test_keyword_weights_tell_specific_words_from_common_ones():
    assert keyword_weight("compresseur") == 1.0
    assert keyword_weight("quand") == 0.0


def test_a_fact_is_matched_by_meaning_in_a_scenario_written_for_the_test():
    facts = [
        FactView("flotte", ("situation",), ("vehicule", "flotte"), "Nous avons 40 camionnettes diesel de 2016.", "la flotte"),
        FactView("zfe", ("contrainte",), ("zfe", "zone a faibles"), "La ZFE de Lyon interdit nos diesel en 2026.", "la ZFE"),
        FactView("budget", ("budget",), ("budget", "enveloppe"), "Nous avons 1,2 M€ votés pour le renouvellement.", "le budget"),
    ]  # fmt: skip
    index = FactIndex(facts)
    # no shared word with the fact: its topic and the word vectors rank it first, and the ranker's
    # prudence may still prefer « sur quel point ? » to a guess, never another fact
    question = "Quelles obligations réglementaires pèsent sur vos véhicules en ville ?"
    ranked, _ = index.rank(question, topic_scores(question))
    assert ranked[0][0] == "zfe" and ranked[0][1] > 5 * ranked[1][1]
    assert (index.best(question, topic_scores(question)) or ("zfe",))[0] == "zfe"
    question = "Quelles obligations réglementaires concernant la zone à faibles émissions ?"
    assert index.best(question, topic_scores(question))[0] == "zfe"
    question = "Vous avez prévu combien pour renouveler les camionnettes ?"
    ranked, _ = index.rank(question, topic_scores(question))
    assert ranked[0][0] == "budget" and ranked[0][1] > 5 * ranked[1][1]
    question = "Quel budget avez-vous prévu pour renouveler les camionnettes ?"
    assert index.best(question, topic_scores(question))[0] == "budget"
    assert index.best("Vous avez vu le match hier ?", topic_scores("Vous avez vu le match hier ?")) is None
    assert stems(normalize("Les consommations électriques")) == ["consom", "electr"]


def test_a_figure_asked_about_a_thing_no_fact_speaks_of_gets_no_fact():
    facts = [
        FactView("flotte", ("volume",), ("camionnette",), "Nous avons 40 camionnettes diesel de 2016.", "la flotte"),
        FactView("depot", ("situation",), ("depot",), "Un dépôt de 3 000 m² à Vénissieux, 2 équipes.", "le dépôt"),
    ]  # fmt: skip
    index = FactIndex(facts)
    assert focus_stems(normalize("Vous avez combien de quais de chargement au dépôt ?")) == ["quais", "charge"]
    assert focus_stems(normalize("Et de quel type ?")) == []  # a generic word names nothing
    assert index.unknown_focus(normalize("Vous avez combien de quais de chargement au dépôt ?")) == 1.0
    assert index.unknown_focus(normalize("Vous avez combien de camionnettes ?")) == 0.0
    assert index.unknown_focus(normalize("Combien de véhicules avez-vous ?")) == 0.0  # a close word is known
    question = "Vous avez combien de quais de chargement au dépôt ?"
    assert index.best(question, topic_scores(question)) is None
    question = "Vous avez combien de camionnettes au dépôt ?"
    assert index.best(question, topic_scores(question))[0] == "flotte"


def test_a_name_the_client_said_points_at_its_fact_even_in_a_bare_recall():
    texts = {
        "concurrent": ("l'offre concurrente", "Oui, Transfleet est passé : 31 € par camion et par mois."),
        "flotte": ("la flotte", "Nous avons 40 camionnettes diesel de 2016, suivies par Mme Durand."),
        "decision": ("qui décide", "Mme Durand signe, après l'avis du Comité de direction."),
    }
    facts = [FactView(i, ("concurrence",), (), " ".join(t), t[0], t) for i, t in texts.items()]
    index = FactIndex(facts)
    # a name is a capital inside a sentence; a title is no name; a name in two facts counts half in each
    assert index._names[0] == {"transfleet"} and index._names[1] == {"durand"}
    assert index._named(normalize("Et Transfleet, c'était à combien déjà ?")) == [1.0, 0.0, 0.0]
    assert index._named(normalize("Mme Durand en pense quoi ?")) == [0.0, 0.5, 0.5]
    # « c'était à combien déjà ? » alone is a question without content: the name gives it one
    question = "Et Transfleet, c'était à combien déjà ?"
    assert index.best(question, topic_scores(question))[0] == "concurrent"
    assert index.best("c'était à combien déjà ?", topic_scores("c'était à combien déjà ?")) is None


@pytest.mark.slow
def test_probe_suites_stay_above_their_floor(library):
    """The probe suites played against the engine (moves from the question's form: no Rasa model needed).

    `make eval-dialogue` prints the figures with the real NLU; this guards against regressions."""
    from bot.engine.library import load_library

    heldout = sorted((Path(__file__).resolve().parents[1] / "dialogue").glob("heldout*/scenarios"))
    lib = load_library(extra_scenario_dirs=heldout)
    outcomes = [play(lib, probe, form_classifier) for probe in load_probes(PROBES_DIR)]
    _, _, f, n = relevance(outcomes)
    right = sum(o.right for o in outcomes) / n
    assert n >= 500 and f >= 0.85 and right >= 0.8, (f, right)
