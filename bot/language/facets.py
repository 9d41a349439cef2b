"""What a question asks for (a date, an amount, a figure, a person) and what an answer gives.

A closed question gets the client's short answer, unless only the detailed one gives what was asked:
« Le comité se réunit quand ? » asks a date, and « c'est le comité du groupe » has none while
« …prochaine séance le mercredi 15 avril » has one. The cues are in ``data/lexicon/facets.yml`` and
``questions.yml`` (``figure_question_starts``); dates, hours and amounts are read by :mod:`terms`, as in
the learner's own messages.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import FrozenSet

from bot.language.lexicon import lexicon
from bot.language.numbers import digits
from bot.language.questions import strip_fillers
from bot.language.terms import figures

_DIGIT = re.compile(r"\d")


def asked_facets(normalized: str) -> FrozenSet[str]:
    """What one normalized question asks for (« quand ? »: when; « combien ça coûte ? »: amount and figure)."""
    lex = lexicon()
    asked = {f for f in ("when", "amount", "who") if lex[f"asks_{f}"].found_in(normalized)}
    start = strip_fillers(normalized)
    for facet in ("when", "who"):
        # « quand vous n'avez que trois jours sans vent, qu'est-ce qui… » is a circumstance, not a question on a date
        if any(start.startswith(cue) for cue in lex[f"asks_{facet}_starts"].cues) and "," not in start:
            asked.add(facet)
    if any(start.startswith(cue) for cue in lex["figure_question_starts"].cues) or lex["asks_figure"].found_in(start):
        asked.add("figure")
    return frozenset(asked)


@lru_cache(maxsize=2048)
def told_facets(normalized: str) -> FrozenSet[str]:
    """What an answer gives: a date or a period, an amount, a figure, a person or a role (cached: a scenario's
    answers are read again at every question on their fact)."""
    lex = lexicon()
    found = figures(normalized)
    told = set()
    if found.dates.dated or found.dates.has_hour or lex["tells_time"].found_in(normalized):
        told.add("when")
    if found.money:
        told.add("amount")
    if _DIGIT.search(digits(normalized)):
        told.add("figure")
    if lex["tells_person"].found_in(normalized):
        told.add("who")
    return frozenset(told)
