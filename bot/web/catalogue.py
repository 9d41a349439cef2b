"""The catalogue of situations: what each scenario trains, filtered as a teacher plans a year.

Why: with twenty situations, three levels and variants, students and teachers need to find a scenario
by competence, situation, sector, level and duration, and see the criteria of the grid it trains. The
rows are read from the scenarios and the rubric (no second list to keep in step).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List

from bot.assessment.rubric import Rubric
from bot.engine.desk_schema import is_desk
from bot.engine.library import Library
from bot.engine.play_schema import LEVELS
from bot.engine.scenario import Scenario

#: the duration filter: label -> (shortest, longest) in minutes
DURATIONS = {"court": (0, 20), "moyen": (21, 45), "long": (46, 10_000)}
DURATION_LABELS = {"court": "20 min ou moins", "moyen": "de 21 à 45 min", "long": "plus de 45 min"}


@dataclass
class LevelView:
    name: str
    label: str
    objections: int
    time_budget: str = ""


@dataclass
class Row:
    scenario: Scenario
    criteria: List[tuple] = field(default_factory=list)
    levels: List[LevelView] = field(default_factory=list)
    varies: bool = False
    #: a desk task (C3): written, not negotiated
    desk: bool = False


@dataclass
class Filters:
    competence: str = ""
    situation: str = ""
    secteur: str = ""
    niveau: str = ""
    duree: str = ""

    def keeps(self, scenario: Scenario) -> bool:
        if self.competence and not any(c.startswith(self.competence) for c in scenario.competences):
            return False
        if self.situation and scenario.situation != self.situation:
            return False
        if self.secteur and scenario.sector != self.secteur:
            return False
        if self.duree in DURATIONS:
            low, high = DURATIONS[self.duree]
            if scenario.duration is None or not low <= scenario.duration <= high:
                return False
        return True


def trained_criteria(rubric: Rubric, scenario: Scenario) -> List[tuple]:
    """(id, label) of the grid's criteria this scenario scores (weight above zero, not « na »)."""
    weights = rubric.weights(scenario.id, scenario.na_criteria, scenario.kind)
    return [(c.id, c.label) for c in rubric.criteria if weights.get(c.id, 0) > 0]


def _level_view(library: Library, scenario: Scenario, name: str) -> LevelView:
    if is_desk(scenario):  # a desk task: no objection; the exam level limits the messages
        desk_level = library.desk_level(scenario, name)
        limit = f"{desk_level.max_messages} messages" if desk_level.max_messages else ""
        return LevelView(name, desk_level.label or name, 0, limit)
    level = library.level(scenario, name)
    version = library.version(scenario.id, name, 0)
    budget = ""
    if level.time_budget is not None:
        budget = f"{level.time_budget.max_messages} messages"
        if level.time_budget.max_questions:
            budget += f", {level.time_budget.max_questions} questions"
    return LevelView(name, level.label or name, len(version.objections), budget)


def rows(library: Library, rubric: Rubric, filters: Filters) -> List[Row]:
    """The scenarios the filters keep, by competence then title; ``niveau`` shows that level only."""
    names = [filters.niveau] if filters.niveau in LEVELS else list(LEVELS)
    kept = [s for s in library.scenarios.values() if filters.keeps(s)]
    kept.sort(key=lambda s: (s.competences[0], s.title))
    result = []
    for scenario in kept:
        declared = getattr(scenario, "variants", None)  # a desk task has no variant
        result.append(
            Row(
                scenario,
                trained_criteria(rubric, scenario),
                [_level_view(library, scenario, name) for name in names],
                bool(declared and (declared.values or declared.objections or declared.temperaments)),
                is_desk(scenario),
            )
        )
    return result


def choices(library: Library) -> Dict[str, List[str]]:
    """The values each filter offers (read from the scenarios)."""
    scenarios = list(library.scenarios.values())
    return {
        "competence": sorted({c.split(".")[0] for s in scenarios for c in s.competences}),
        "situation": sorted({s.situation for s in scenarios if s.situation}),
        "secteur": sorted({s.sector for s in scenarios if s.sector}),
    }
