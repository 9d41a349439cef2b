"""Scenario files: schema, loading and validation with errors a teacher can read.

A scenario is one YAML file in ``data/scenarios/`` (files starting with ``_`` are
shared defaults). Everything the client persona knows, says and reacts to lives
there; the engine only interprets it. Validation errors name the file, the field
and what is wrong, in French, because teachers write these files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Tuple

import yaml
from pydantic import ValidationError

from bot.engine.scenario_schema import (  # noqa: F401 - the schema's names, re-exported for readers
    AssessmentCues,
    Briefing,
    Cgv,
    Counterpart,
    Fact,
    ForbiddenTerm,
    Limits,
    Lines,
    Objection,
    Outcome,
    ParameterChange,
    Persona,
    Product,
    Purchase,
    Quote,
    Requirement,
    Resolution,
    Scenario,
    Signal,
)


class ScenarioError(ValueError):
    """A scenario file that cannot be used, with messages a teacher can act on."""

    def __init__(self, path: Path, problems: List[str]):
        self.path = path
        self.problems = problems
        super().__init__(f"{path.name} : " + " ; ".join(problems))


_FIELD_FR = {
    "field required": "champ obligatoire manquant",
    "extra fields not permitted": "champ inconnu (faute de frappe ?)",
    "none is not an allowed value": "valeur vide",
    "value is not a valid list": "une liste est attendue",
    "value is not a valid dict": "un dictionnaire (clé: valeur) est attendu",
    "str type expected": "un texte est attendu",
    "value is not a valid float": "un nombre est attendu",
    "value is not a valid integer": "un nombre entier est attendu",
    "value could not be parsed to a boolean": "true ou false est attendu",
}


def _french(message: str) -> str:
    if message.startswith("ensure this value has at least"):
        return "la liste doit contenir au moins " + message.split("at least ")[1].split(" ")[0] + " élément(s)"
    if message.startswith("unexpected value; permitted"):
        return "valeur non autorisée ; valeurs possibles : " + message.split("permitted: ")[1]
    return _FIELD_FR.get(message, message)


def _location(loc: tuple) -> str:
    parts = [f"[{p + 1}]" if isinstance(p, int) else f".{p}" for p in loc if p != "__root__"]
    return "".join(parts).lstrip(".") or "(fichier)"


def field_problems(exc: ValidationError) -> List[Tuple[str, str]]:
    """Each validation error as (field path « facts[2].open », French message)."""
    return [(_location(e["loc"]), _french(e["msg"])) for e in exc.errors()]


def parse_scenario(path: Path, text: str | None = None) -> Scenario:
    """Parse and validate one scenario file; raise ScenarioError in French."""
    try:
        raw = yaml.safe_load(text if text is not None else path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"ligne {mark.line + 1}, colonne {mark.column + 1}" if mark else "position inconnue"
        raise ScenarioError(path, [f"YAML illisible ({where}) : {getattr(exc, 'problem', exc)}"]) from None
    except OSError as exc:
        raise ScenarioError(path, [f"fichier illisible : {exc}"]) from None
    if not isinstance(raw, dict):
        raise ScenarioError(path, ["le fichier doit contenir un dictionnaire (id:, title:, ...)"])
    from bot.engine.variants import as_written

    try:
        scenario = Scenario.parse_obj(as_written(raw))
    except ValidationError as exc:
        problems = [f"champ « {where} » : {message}" for where, message in field_problems(exc)]
        raise ScenarioError(path, problems) from None
    if path.stem != scenario.id and not path.name.startswith("_"):
        raise ScenarioError(path, [f"l'id « {scenario.id} » doit être le nom du fichier ({path.stem})"])
    scenario._source = raw
    return scenario


def parse_desk_task(path: Path, raw: dict):
    """A desk task file (``kind: visit_report`` or ``specification``), validated; ScenarioError in French."""
    from bot.engine.desk_schema import DeskTask

    try:
        task = DeskTask.parse_obj(raw)
    except ValidationError as exc:
        raise ScenarioError(
            path, [f"champ « {where} » : {message}" for where, message in field_problems(exc)]
        ) from None
    if path.stem != task.id:
        raise ScenarioError(path, [f"l'id « {task.id} » doit être le nom du fichier ({path.stem})"])
    task._source = raw
    return task


def parse_situation(path: Path, text: str | None = None):
    """A file of ``data/scenarios/``: a negotiation :class:`Scenario` or, by its ``kind``, a desk task."""
    from bot.engine.desk_schema import DESK_KINDS

    try:
        raw = yaml.safe_load(text if text is not None else path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, OSError):
        return parse_scenario(path, text)  # the scenario parser words the error
    if isinstance(raw, dict) and raw.get("kind") in DESK_KINDS:
        return parse_desk_task(path, raw)
    return parse_scenario(path, text)


def load_scenarios(directory: Path) -> Dict[str, Scenario]:
    """Load every scenario (and desk task) of a directory; one bad file raises with all its problems."""
    scenarios: Dict[str, Scenario] = {}
    for path in sorted(directory.glob("*.yml")):
        if path.name.startswith("_"):
            continue
        scenario = parse_situation(path)
        scenarios[scenario.id] = scenario
    return scenarios


#: Situations the client persona has lines for. A scenario may override any of them in
#: ``lines:``; the others come from ``data/scenarios/_defaults.yml``. Placeholders:
#: {name} (learner-facing name of the persona), {company}, {answer}, {missing}, {objection}.
LINE_KEYS = (
    "greet_reply",  # learner greeted
    "intro_reply",  # learner introduced themself
    "agenda_reply",  # learner set the agenda / checked the time
    "no_greeting",  # learner skipped the contact phase entirely (prefix)
    "open_unknown",  # open question that matches no fact: « c'est-à-dire ? sur quel point ? »
    "closed_unknown",  # closed question that matches no fact
    "already_said",  # asked again about a revealed fact; {answer} = short answer
    "premature_argument",  # argues/presents before any discovery (client cools)
    "premature_price",  # announces a price before presenting any solution
    "reformulation_confirm",  # reformulation covers what was said
    "reformulation_partial",  # covers part; {missing} = what was forgotten
    "reformulation_wrong",  # covers nothing the client said
    "solution_fit",  # solution presented after enough discovery, with core products
    "solution_unfit",  # solution without discovery or without the needs covered
    "change_ignored",  # an offer made as if the change of parameters had not been announced (said once)
    "solution_unfit_partial",  # solution after some needs, not enough; {missing}, {de_missing}: a topic not discussed
    "solution_unknown_product",  # learner names a product absent from the catalogue
    "argument_reply",  # argument with proof/figures
    "argument_weak",  # claims without proof
    "price_reply",  # reaction to the price (before an objection)
    "check_agreement_pending",  # control question while an objection is open; {objection}
    "check_agreement_ok",  # control question, nothing pending
    "acknowledge_no_objection",  # empathy while no objection is open
    "concession_unilateral",  # concession given without asking anything in return
    "concession_trade",  # concession in exchange for a commitment
    "concession_beyond_margin",  # discount beyond the room for manoeuvre (suspicious)
    "denigrate_reaction",  # learner badmouths a competitor
    "close_won",  # client agrees (deal won)
    "close_not_ready",  # not yet; {missing} = what is still missing
    "close_pending_objection",  # an objection is still open; {objection}
    "close_lost",  # client refuses for good (deal lost)
    "additional_sale_ok",  # add-on proposed at a good moment
    "additional_sale_early",  # add-on proposed before the main agreement
    "follow_up_reply",  # learner plans next steps
    "summary_reply",  # learner summarises the deal
    "satisfaction_reply",  # learner checks satisfaction
    "goodbye_won",  # leave-taking after a won deal
    "goodbye_open",  # leave-taking without agreement (deal lost)
    "inform_reply",  # learner gives a factual answer
    "affirm_reply",  # learner says yes
    "deny_reply",  # learner says no
    "cooling",  # client is getting annoyed (warmth low)
    "walkout",  # client ends the meeting (deal lost)
    "filler",  # anything else
    "objection_conceded",  # the learner gave in on an objection (e.g. an illegal payment term)
    "fact_open",  # frame of a fact revealed by an open question; {answer}
    "fact_closed",  # frame of a fact revealed by a closed question; {answer}
    "fact_deepen",  # more on a fact given in short form before; {answer}
    "fact_elsewhere",  # a fact only another persona (absent) knows; {name}
    "fact_handover",  # the persona addressed lets the fact's owner answer (« Je laisse {name} vous répondre. »)
    "reformulation_point",  # a reformulation that checks one point already given; {answer}
    "vague_recap",  # « et sinon ? » on a fact already given in full: its essentials again; {answer}
    "vague_precise",  # a second vague question in a row: « soyez précis »
    "off_topic",  # small talk: a polite redirection in character
    "over_budget",  # the price on the table is above the budget; {budget}, {amount}
    "over_budget_clarify",  # the learner asks about the budget objection
    "over_budget_insist",  # arguments without a price within the budget
    "over_budget_new_price",  # a new price given, still above the budget ({amount}, {budget})
    "budget_ok",  # a price within the budget lifts the budget objection
    "time_short",  # examen level: few messages left in the time budget
    "time_up",  # examen level: the time budget is spent, the client leaves
    # a purchase (kind: purchase): the bot is the salesperson, the learner the buyer
    "purchase_listen",  # the buyer's message brings nothing to answer
    "purchase_hold",  # a price request without counterpart: she holds her price; {price}
    "purchase_concession",  # a concession step against a counterpart; {price}, {counterpart}
    "purchase_last_price",  # no step left; {price}
    "purchase_below_floor",  # the buyer's price is below her floor (never said); {price}
    "purchase_quote_contested",  # a competitor's quote cited at a wrong price; {supplier}
    "purchase_illegal_term",  # a payment term beyond the law, refused; {term}
    "purchase_payment_ok",  # a legal payment term, agreed; {term}
    "purchase_close_wrong_price",  # the buyer concludes on a price she never gave; {price}
    "purchase_agreed",  # the agreement; {price}
    "purchase_confirmed",  # the buyer restates the agreement after it
    "purchase_no_deal",  # the buyer leaves without agreement
    "purchase_delivery_changed",  # the delivery of an agreement once the change is announced, not adapted
    "purchase_delivery_adapted",  # the delivery of an agreement once the change is adapted
)
