"""A scenario being written in the browser, reviewed as the teacher types.

The editor sends the scenario as its YAML file would hold it; the review answers per field, in
French, with the same schema as the files (``bot.engine.scenario``), the spoiler check of the
preparation sheet (``bot.content.spoilers``) and the sheet itself as the learner will read it
(``bot.engine.coach.briefing``). One schema, one check, whatever the door.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List

import yaml
from pydantic import ValidationError

from bot.content.spoilers import leaks
from bot.engine.coach import briefing
from bot.engine.scenario import Scenario, field_problems

#: a form field that is left empty is absent from the file (the schema's default applies)
GENERAL = "(fichier)"


@dataclass
class Review:
    #: (field path « facts[2].open » or « (fichier) », French message); any error blocks the save
    errors: List[Dict[str, str]] = field(default_factory=list)
    #: spoilers to check (an objection's figure quoted in the sheet): the save goes through
    warnings: List[str] = field(default_factory=list)
    scenario: Scenario | None = None
    preview: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_json(self) -> Dict[str, Any]:
        return {"ok": self.ok, "errors": self.errors, "warnings": self.warnings, "preview": self.preview}


def pruned(value: Any) -> Any:
    """The scenario without the empty fields a form leaves behind (« », [], {})."""
    if isinstance(value, dict):
        items = {k: pruned(v) for k, v in value.items()}
        return {k: v for k, v in items.items() if v not in ("", None, [], {})}
    if isinstance(value, list):  # an empty item of a list stays: the check names it where the form shows it
        return [p for p in map(pruned, value) if p not in ("", None)]
    return value.strip() if isinstance(value, str) else value


def review(raw: Any) -> Review:
    """Validate a draft: schema errors per field, then the spoilers of the preparation sheet."""
    if not isinstance(raw, dict):
        return Review(errors=[{"path": GENERAL, "message": "le scénario doit être un dictionnaire (id:, title:, ...)"}])
    try:
        scenario = Scenario.parse_obj(pruned(raw))
    except ValidationError as exc:
        return Review(errors=[{"path": path, "message": message} for path, message in field_problems(exc)])
    result = Review(scenario=scenario, preview=briefing(scenario))
    for leak in leaks(scenario):
        if leak.error:
            result.errors.append({"path": "briefing", "message": leak.message()})
        else:
            result.warnings.append(leak.message())
    return result


def to_yaml(body: Dict[str, Any]) -> str:
    """The scenario as a file of ``data/scenarios/`` (export; read back by the import)."""
    return yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=110)
