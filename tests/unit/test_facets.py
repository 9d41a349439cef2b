"""What a question asks for and what an answer gives (bot.language.facets)."""

from __future__ import annotations

import pytest

from bot.language.facets import asked_facets, told_facets
from bot.language.text import normalize


@pytest.mark.parametrize(
    ("question", "facets"),
    [
        ("Le comité se réunit quand ?", {"when"}),
        ("Quand pourriez-vous couper l'air pour qu'on installe ?", {"when"}),
        ("Jusqu'à quand court votre contrat ?", {"when"}),
        ("Et il se réunit quand, ce comité ?", {"when"}),
        ("Quand le compresseur s'arrête, vous perdez combien ?", {"amount", "figure"}),
        ("Quand vous n'avez que trois jours sans vent, qu'est-ce qui vous ralentit ?", set()),
        ("Et une heure d'arrêt, ça vous coûte combien ?", {"amount", "figure"}),
        ("Combien de salariés faut-il équiper ?", {"figure"}),
        ("La CUMA a combien de tracteurs ?", {"figure"}),
        ("Qui signe le bon de commande ?", {"who"}),
        ("Qu'est-ce qui est prioritaire pour vous ?", set()),
        ("Pouvez-vous me décrire votre atelier ?", set()),
    ],
)
def test_what_a_question_asks_for(question, facets):
    assert asked_facets(normalize(question)) == facets


def test_what_an_answer_gives():
    assert told_facets(normalize("Le comité du groupe, dès qu'on dépasse 50 000 €.")) >= {"amount", "figure", "who"}
    assert "when" not in told_facets(normalize("Le comité du groupe, dès qu'on dépasse 50 000 €."))
    assert "when" in told_facets(normalize("Il se réunit chaque trimestre, le prochain le mercredi 15 avril."))
    assert "when" in told_facets(normalize("Les travaux, ce sera l'été."))
    assert told_facets(normalize("Oui, c'est un vrai souci.")) == frozenset()
