"""Briefings without spoilers: the preparation sheet must not give away what discovery should find.

The learner reads the briefing before the meeting (``bot.engine.coach.briefing``); the client reveals
each fact only when asked. A fact whose distinctive content shows in the briefing makes discovery
pointless: a figure of the fact (« 12 % », « 45 000 », « 15 avril ») or a person it names
(« Mme Roussel »), the main interlocutor excepted. The check is data-driven: a fact that the learner legitimately knows
declares ``public: true`` in the scenario file and is not checked. What the client says when raising an
objection and when the parameters change is hidden as well. The vendor's own catalogue, terms of sale
and room for manoeuvre are left out of the compared text: their figures are the vendor's, not the client's.

A learner reads the briefing of the version he plays (a budget drawn from the scenario's ranges): each
drawn version is checked too (:func:`drawn_leaks`), since a drawn figure can meet one of the briefing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, List, Set, Tuple

from bot.engine.scenario import Scenario
from bot.language.text import normalize

if TYPE_CHECKING:  # pragma: no cover
    from bot.engine.library import Library

#: French month names (normalized): « 15 avril » is one date, not the number 15
MONTHS = (
    "janvier",
    "fevrier",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "aout",
    "septembre",
    "octobre",
    "novembre",
    "decembre",
)
#: a figure, its grouping spaces included, and what follows it (unit, month)
_FIGURE = re.compile(r"(?<![\w,.])(\d{1,3}(?:[ \u202f\u00a0]\d{3})+|\d+)(?:[,.](\d+))?\s*(%|€|k€|m€|[a-z]+)?")
#: a person named with a title (« Mme Roussel », « M. Guérin »): who the learner must find out about
_PERSON = re.compile(r"\b(?:M\.|Mme|Monsieur|Madame|Dr)\s+((?:[A-ZÉÈ][\w'-]+\s+)?[A-ZÉÈ][\w'-]+)")


@dataclass(frozen=True)
class Leak:
    #: « le fait « budget » », « l'objection « prix » », « le changement de paramètres »
    hidden: str
    what: str
    #: a fact's leak is an error; an objection's or a change's is a warning to check (a price rise
    #: that the learner announces is known by both sides: objections cannot be declared public)
    error: bool = True

    def message(self) -> str:
        return f"la fiche de préparation dévoile {self.hidden} : {self.what}"


def briefing_text(scenario: Scenario) -> str:
    """What the learner reads before the meeting about the client and the goals (the vendor's own terms left out)."""
    b = scenario.briefing
    persona = scenario.main_persona
    parts = [scenario.date, b.learner, scenario.vendor, scenario.client, f"{persona.name}, {persona.role}", b.context]
    return "\n".join([*parts, *b.known, *b.objectives.values()])


def figures(text: str) -> Set[str]:
    """Distinctive figures of a text, normalized: « 12 % », « 45000 », « 15 avril »; years and lone small
    numbers are left out (« 3 sites » says little, a year is context)."""
    out = set()
    for match in _FIGURE.finditer(normalize(text)):
        number = re.sub(r"[ \u202f\u00a0]", "", match.group(1))
        decimals, unit = match.group(2), (match.group(3) or "")
        value = number + (f",{decimals}" if decimals else "")
        if unit in MONTHS:
            out.add(f"{int(number)} {unit}")
        elif unit in ("%", "€", "k€", "m€"):
            out.add(f"{value} {unit}")
        elif len(number) >= 3 and not (len(number) == 4 and number.startswith(("19", "20"))):
            out.add(value)
    return out


def people(text: str) -> Set[str]:
    """The surnames of the people a text names with a title (normalized)."""
    return {normalize(m.split()[-1]) for m in _PERSON.findall(text)}


def known_people(scenario: Scenario) -> Set[str]:
    """People the learner is told about as known (the interlocutor, the « known » and context lines)."""
    b = scenario.briefing
    return people(" ".join([scenario.main_persona.name, b.learner, b.context, *b.known]))


def hidden_items(scenario: Scenario) -> List[Tuple[str, str, bool]]:
    """What the client reveals only in the meeting, as (what it is, its text, a leak is an error)."""
    items = [
        (f"le fait « {fact.id} »", " ".join([fact.label, *fact.open, *fact.closed]), True)
        for fact in scenario.facts
        if not fact.public
    ]
    items += [(f"l'objection « {o.id} »", " ".join(o.text), False) for o in scenario.objections]
    if scenario.purchase is not None:  # the learner buys: the salesperson's floor and steps are never said
        prices = [scenario.purchase.floor_price, *scenario.purchase.steps]
        items.append(("le prix plancher ou un palier du vendeur", " ".join(f"{p:.0f} €" for p in prices), True))
    change = scenario.parameter_change
    if change is not None and change.text:
        items.append(("le changement de paramètres", " ".join(change.text), False))
    return items


def leaks(scenario: Scenario) -> List[Leak]:
    """Every hidden fact, objection or change whose figures or people show in the briefing."""
    shown = briefing_text(scenario)
    shown_figures = figures(shown)
    shown_people = people(shown) - known_people(scenario)
    found: List[Leak] = []
    for hidden, text, error in hidden_items(scenario):
        found += [Leak(hidden, f"le chiffre « {f} »", error) for f in sorted(figures(text) & shown_figures)]
        found += [Leak(hidden, f"la personne « {n} »", error) for n in sorted(people(text) & shown_people)]
    return found


def drawn_leaks(library: Library, scenario_id: str, variants: int) -> List[Tuple[int, Leak]]:
    """Leaks of the drawn versions 1..``variants`` that the file as written does not have, with their
    variant. A level changes no text (it drops objections, scales limits), so the standard level is read."""
    written = {leak.message() for leak in leaks(library.scenarios[scenario_id])}
    found: List[Tuple[int, Leak]] = []
    for variant in range(1, variants + 1):
        found += [(variant, leak) for leak in leaks(library.version(scenario_id, "standard", variant))]
    return [(variant, leak) for variant, leak in found if leak.message() not in written]
