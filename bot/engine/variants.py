"""One version of a scenario: a level applied to a variant drawn from the scenario's declared ranges.

Why: a class preparing the exam needs attempts that are not copies of each other, and a progression.
Everything here works on the scenario file as written (a dictionary) and returns another scenario, so
the engine and the assessment read the drawn values as if they were written: the grading stays exact.

- Variant 0 is the scenario as written; variant n > 0 draws, from a generator seeded by the scenario
  and n only, the numbers of ``variants.values`` (``{budget_max}`` in a line, ``{budget_max.raw}`` in a
  number field), the subset and order of the objections, the temperament and the change of parameters.
  The same variant always gives the same scenario: a teacher fixes one for the whole class.
- A learner's attempt draws its variant from his seed and the number of the attempt (:func:`variant_for`).
- A level (:class:`bot.engine.play_schema.Level`) is then applied: ``standard`` changes nothing.
"""

from __future__ import annotations

import copy
import random
import re
import zlib
from typing import Any, Dict, List

from pydantic import ValidationError

from bot.engine.play_schema import LEVELS, Level, Temperament, Variants

#: variants a learner's attempt draws from (1..VARIANT_SPAN); 0 is kept for « as written »
VARIANT_SPAN = 9973
#: ``{name}`` or ``{name.raw}``; other placeholders ({answer}, {budget}, {e}) are the engine's and stay
_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)(\.raw)?\}")


def french_number(value: float) -> str:
    """« 120 000 », « 7,5 »: a number as the scenario files write it in a line."""
    if abs(value - round(value)) < 1e-9:
        return f"{round(value):,}".replace(",", " ")
    return f"{value:,.2f}".rstrip("0").replace(",", " ").replace(".", ",")


def _raw_number(value: float) -> str:
    return str(round(value)) if abs(value - round(value)) < 1e-9 else f"{value:g}"


def substitute(node: Any, values: Dict[str, float]) -> Any:
    """``node`` with the placeholders of ``values`` replaced in every text (the others are left alone)."""
    if isinstance(node, str):

        def replace(match: re.Match) -> str:
            name, raw = match.group(1), match.group(2)
            if name not in values:
                return match.group(0)
            return _raw_number(values[name]) if raw else french_number(values[name])

        return _PLACEHOLDER.sub(replace, node)
    if isinstance(node, list):
        return [substitute(item, values) for item in node]
    if isinstance(node, dict):
        return {key: substitute(item, values) for key, item in node.items()}
    return node


def _spec(source: Dict[str, Any]) -> Variants | None:
    try:
        return Variants.parse_obj(source.get("variants") or {})
    except ValidationError:
        return None  # the scenario's own validation reports it, in French


def as_written(source: Dict[str, Any]) -> Dict[str, Any]:
    """The file with its placeholders at their base values (variant 0)."""
    spec = _spec(source)
    if spec is None or not spec.values:
        return source
    return substitute(source, {name: value.base for name, value in spec.values.items()})


def variant_for(seed: int, attempt: int) -> int:
    """The variant a learner's attempt plays: different for another learner or another attempt."""
    return 1 + zlib.crc32(f"{seed}:{attempt}".encode()) % VARIANT_SPAN


def _draw_values(spec: Variants, rng: random.Random) -> Dict[str, float]:
    values: Dict[str, float] = {}
    for name, value in spec.values.items():
        if value.follows is None:
            steps = int(round((value.max - value.min) / value.step))
            values[name] = value.min + value.step * rng.randint(0, steps)
    for name, value in spec.values.items():
        if value.follows is not None:
            values[name] = value.base + values[value.follows] - spec.values[value.follows].base
    return values


def _fixed(objection: Dict[str, Any], keep: List[str]) -> bool:
    return objection.get("trigger") == "start" or objection.get("id") in keep


def draw(source: Dict[str, Any], variant: int, temperaments: Dict[str, Temperament]) -> Dict[str, Any]:
    """The scenario file of ``variant`` (0: as written)."""
    spec = _spec(source)
    if variant == 0 or spec is None:
        return as_written(source)
    rng = random.Random(f"{source.get('id')}:{variant}")
    data = substitute(copy.deepcopy(source), _draw_values(spec, rng))
    if spec.objections is not None:
        objections = data.get("objections") or []
        fixed = [o for o in objections if _fixed(o, spec.objections.keep)]
        others = [o for o in objections if not _fixed(o, spec.objections.keep)]
        least = min(len(others), max(0, spec.objections.min - len(fixed)))
        kept = fixed + rng.sample(others, rng.randint(least, len(others)))
        later = [o for o in kept if o.get("trigger") != "start"]
        rng.shuffle(later)  # the order they come in (within a moment of the meeting)
        data["objections"] = [o for o in kept if o.get("trigger") == "start"] + later
    if spec.parameter_changes:
        data["parameter_change"] = rng.choice([data["parameter_change"], *data["variants"]["parameter_changes"]])
    if spec.temperaments:
        name = rng.choice(spec.temperaments)
        temperament = temperaments[name]
        data["temperament"] = name
        data["lines"] = {**(data.get("lines") or {}), **copy.deepcopy(temperament.lines)}
        outcome = dict(data.get("outcome") or {})
        outcome["start_warmth"] = outcome.get("start_warmth", 0) + temperament.warmth
        data["outcome"] = outcome
    return data


def level_of(defaults: Dict[str, Level], overrides: Dict[str, Level], name: str) -> Level:
    """The default level ``name`` with what the scenario overrides (only the fields it writes)."""
    base = defaults.get(name) or Level()
    override = overrides.get(name)
    if override is None:
        return base
    return base.copy(update={field: getattr(override, field) for field in override.__fields_set__})


def _scale_limits(limits: Dict[str, Any] | None, factor: float) -> Dict[str, Any] | None:
    if not limits or factor == 1.0:
        return limits
    scaled = dict(limits)
    for key in ("budget_max", "budget_max_monthly", "budget_max_yearly"):
        if scaled.get(key) is not None:
            scaled[key] = round(float(scaled[key]) * factor, 2)
    return scaled


def _of_type(objection: Dict[str, Any], types: List[str]) -> bool:
    """Whether an objection's type names one of ``types`` (« prix / budget » is a « prix » objection)."""
    written = str(objection.get("type", "")).lower()
    return any(kind.lower() in written for kind in types)


def apply_level(data: Dict[str, Any], level: Level) -> Dict[str, Any]:
    """The scenario file at ``level`` (``standard`` with no override leaves it unchanged)."""
    data = copy.deepcopy(data)
    if level.volunteer == "detailed":
        for fact in data["facts"]:
            fact["closed"] = fact["open"]
    objections = data.get("objections") or []  # a purchase has none: the bot sells
    if level.objection_types:
        objections = [o for o in objections if o.get("trigger") == "start" or _of_type(o, level.objection_types)]
    if level.objections_max is not None:
        at_start = [o for o in objections if o.get("trigger") == "start"]
        later = [o for o in objections if o.get("trigger") != "start"]
        objections = at_start + later[: max(0, level.objections_max - len(at_start))]
    data["objections"] = objections or (data.get("objections") or [])[:1]
    if level.price_attempts is not None:
        for objection in data["objections"]:
            if _of_type(objection, level.price_types):
                current = objection.get("max_attempts")
                objection["max_attempts"] = min(current or level.price_attempts, level.price_attempts)
    data["limits"] = _scale_limits(data.get("limits"), level.budget_factor) or data.get("limits") or {}
    change = dict(data["parameter_change"])
    change["limits"] = _scale_limits(change.get("limits"), level.budget_factor)
    change["happens"] = change.get("happens", True) and level.parameter_change
    data["parameter_change"] = {k: v for k, v in change.items() if v is not None}
    if level.time_budget is not None:
        data["time_budget"] = level.time_budget.dict()
    if level.concession_steps is not None and data.get("purchase"):
        purchase = dict(data["purchase"])
        purchase["steps"] = list(purchase.get("steps") or [])[: level.concession_steps]
        data["purchase"] = purchase
    return data


def known_level(name: str) -> bool:
    return name in LEVELS
