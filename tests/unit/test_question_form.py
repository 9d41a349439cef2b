"""The form of a question, read by the engine whatever the NLU's label."""

from __future__ import annotations

import pytest

from bot.engine import simulation
from bot.engine.state import Move
from bot.language.questions import last_question_form
from bot.language.text import normalize


@pytest.mark.parametrize(
    "text, expected",
    [
        ("De quoi avez-vous besoin en termes de débit ?", True),
        ("Bonjour Monsieur Robin, merci. Comment se compose votre parc aujourd'hui ?", True),
        ("Et à quelle échéance pensez-vous décider ?", True),
        ("Quels problemes rencontrez vous ?", True),
        ("Est-ce que vous avez un budget ?", False),
        ("Vous signez ?", False),
        ("Quand souhaitez-vous être livré ?", True),
        ("Comment allez-vous.", False),
    ],
)
def test_open_question_form(text, expected):
    assert (last_question_form(normalize(text)) == "open") is expected


def test_a_question_is_never_a_leave_taking(library):
    state = simulation.start(library, "prospection-rdv", seed=1)
    text = "Bonjour Monsieur, merci de prendre l'appel. Comment se compose votre parc de chariots ?"
    simulation.step(library, state, Move("say_goodbye", text, 0.47, []))
    assert state.outcome == "open" and not state.ended
