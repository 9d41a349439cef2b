"""The assessment grid (``data/assessment/rubric.yml``): criteria, levels, weights."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

RUBRIC_FILE = Path(__file__).resolve().parents[2] / "data" / "assessment" / "rubric.yml"
CRITERION_IDS = (
    "C1.1.1-a",
    "C1.1.1-b",
    "C1.1.2-a",
    "C1.2.1-a",
    "C1.2.1-b",
    "C1.2.1-c",
    "C1.2.1-d",
    "C1.2.1-e",
    "C1.2.2-a",
    "C1.2.2-b",
    "C1.2.2-c",
    "C1.2.2-d",
    "C1.2.3-a",
    "C1.2.3-b",
    "C1.2.4-a",
    "C2.2-a",
    "C2.3-a",
    "C2.3-b",
    "T-1",
    "C3.1-a",
    "C3.1-b",
    "C3.1-c",
    "C4.1.1-a",
    "C4.1.1-b",
    "C4.1.1-c",
)


@dataclass(frozen=True)
class Criterion:
    id: str
    group: str
    label: str
    scale: Dict[str, str]
    advice: str
    #: the kinds of situation this criterion belongs to (empty: every kind but those that set it aside in the
    #: rubric's ``kind_na``): C3 only in the desk tasks, C4 only in a purchase
    kinds: Tuple[str, ...] = ()

    def applies(self, kind: str | None) -> bool:
        return not self.kinds or (kind or "negotiation") in self.kinds


@dataclass(frozen=True)
class Rubric:
    version: int
    levels: Dict[int, str]
    level_labels: Dict[str, str]
    groups: Dict[str, Dict]
    criteria: List[Criterion]
    scenario_weights: Dict[str, Dict[str, float]]
    #: weights of a kind of situation (a scenario's ``kind``: complaint, prospecting...)
    kind_weights: Dict[str, Dict[str, float]] = field(default_factory=dict)
    #: how the grade /20 is named (« Note proposée – situation de négociation ») and the exam grids
    #: it corresponds to (NDRC, CCST), shown beside it on the debrief and the fiche
    grade_label: str = ""
    grade_correspondence: str = ""
    #: kind of situation → criteria that make no sense there (a buyer does not sell)
    kind_na: Dict[str, List[str]] = field(default_factory=dict)

    def criterion(self, criterion_id: str) -> Criterion:
        return next(c for c in self.criteria if c.id == criterion_id)

    def level(self, score: int | None) -> str:
        return "na" if score is None else self.levels[score]

    def not_applicable(self, kind: str | None) -> List[str]:
        """Criteria outside the grid of this kind of situation: neither scored nor shown."""
        foreign = [c.id for c in self.criteria if not c.applies(kind)]
        return foreign + list(self.kind_na.get(kind or "", []))

    def applies(self, criterion_id: str, kind: str | None) -> bool:
        return criterion_id not in self.not_applicable(kind)

    def group_weights(self, scenario_id: str, kind: str | None = None) -> Dict[str, float]:
        """The scenario's own weights, else those of its kind of situation, else the grid's."""
        custom = self.scenario_weights.get(scenario_id) or self.kind_weights.get(kind or "")
        return dict(custom) if custom else {g: float(v["weight"]) for g, v in self.groups.items()}

    def weights(self, scenario_id: str, na: List[str], kind: str | None = None) -> Dict[str, float]:
        """Weight of each scored criterion; ``na`` criteria hand their weight to the others."""
        groups = self.group_weights(scenario_id, kind)
        excluded = set(na) | set(self.not_applicable(kind))
        scored = [c for c in self.criteria if c.id not in excluded]
        raw: Dict[str, float] = {}
        for group, weight in groups.items():
            members = [c for c in scored if c.group == group]
            for c in members:
                raw[c.id] = weight / len(members)
        total = sum(raw.values()) or 1.0
        return {k: v / total for k, v in raw.items()}


def load_rubric(path: Path = RUBRIC_FILE) -> Rubric:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    criteria = [
        Criterion(
            c["id"],
            c["group"],
            c["label"],
            {str(k): v for k, v in c["scale"].items()},
            c["advice"],
            tuple(c.get("kinds") or ()),
        )
        for c in data["criteria"]
    ]
    ids = tuple(c.id for c in criteria)
    if sorted(ids) != sorted(CRITERION_IDS):
        raise ValueError(f"{path.name} : les critères doivent être exactement {', '.join(CRITERION_IDS)}")
    unknown = {c.group for c in criteria} - set(data["groups"])
    if unknown:
        raise ValueError(f"{path.name} : groupes inconnus {sorted(unknown)}")
    return Rubric(
        version=int(data["version"]),
        levels={int(k): v for k, v in data["levels"].items()},
        level_labels=data["level_labels"],
        groups=data["groups"],
        criteria=criteria,
        scenario_weights=data.get("scenario_weights") or {},
        kind_weights=data.get("kind_weights") or {},
        grade_label=data["grade"]["label"],
        grade_correspondence=data["grade"]["correspondence"],
        kind_na=data.get("kind_na") or {},
    )


@lru_cache(maxsize=1)
def default_rubric() -> Rubric:
    return load_rubric()
