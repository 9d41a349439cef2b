"""The structure of the assessment rules: one typed rule per criterion, readable next to its rubric line,
French words in data files only, and the turn helpers the rules are written with."""

from __future__ import annotations

import ast
import re
import typing
from pathlib import Path

import pytest
import yaml

from bot.assessment.analysis import Analysis, analyse
from bot.assessment.rubric import CRITERION_IDS, default_rubric
from bot.assessment.rules import Context, Score, TurnRecord
from bot.assessment.rules.aggregate import ALL_RULES
from bot.assessment.rules.desk import DESK_RULES
from bot.assessment.rules.discovery import contact
from bot.assessment.rules.readings import READINGS
from bot.engine.scenario import AssessmentCues, Scenario
from bot.language.lexicon import lexicon
from bot.language.text import has_word, normalize

ROOT = Path(__file__).resolve().parents[2]
RULES_DIR = ROOT / "bot" / "assessment"


def test_every_criterion_has_one_rule_and_every_reading_a_scenario_can_name_exists():
    assert sorted(set(ALL_RULES) | set(DESK_RULES)) == sorted(CRITERION_IDS)
    rubric = default_rubric()
    assert {c.id for c in rubric.criteria if c.applies("negotiation")} <= set(ALL_RULES)
    assert {c.id for c in rubric.criteria if c.applies("purchase")} <= set(ALL_RULES)
    desk_only = {c.id for c in rubric.criteria if c.kinds and (c.applies("visit_report") or c.applies("specification"))}
    assert desk_only <= set(DESK_RULES)  # the C3 criteria: desk tasks only
    readings_type = typing.get_type_hints(Scenario)["readings"]
    allowed = typing.get_args(typing.get_args(readings_type)[1])
    assert sorted(READINGS) == sorted(allowed)


@pytest.mark.parametrize("criterion_id", CRITERION_IDS)
def test_each_rule_quotes_its_rubric_line(criterion_id):
    """The docstring says the label and the whole 0–3 scale of rubric.yml, word for word."""
    criterion = default_rubric().criterion(criterion_id)
    rule = ALL_RULES.get(criterion_id) or DESK_RULES[criterion_id]  # C3: the desk tasks' rules
    doc = " ".join((rule.__doc__ or "").split())
    assert criterion.label in doc
    for level, text in criterion.scale.items():
        assert f"{level}: {text}" in doc, f"{criterion_id} {level}"


def _string_constants(path: Path):
    """String literals of a module, docstrings left out (they may quote the rubric)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.value


def _scenario_words():
    """Words only one scenario has: its assessment cues, its people's names, its catalogue references."""
    words = set()
    for path in sorted((ROOT / "data" / "scenarios").glob("[!_]*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for cues in (data.get("assessment_cues") or {}).values():
            words |= {normalize(c) for c in cues}
        words |= {normalize(p["name"].split()[-1]) for p in data["personas"]}
        words |= {normalize(p["ref"]) for p in data.get("catalogue") or []}  # a desk task has no catalogue
    return words


def test_no_scenario_word_is_written_in_the_assessment_code():
    words = _scenario_words()
    assert {"a carquefou", "vos palettes"} <= words  # the words this guard was written for
    found = [
        (path.name, word)
        for path in sorted(RULES_DIR.rglob("*.py"))
        for literal in _string_constants(path)
        for word in words
        if has_word(normalize(literal), word)
    ]
    assert not found


def test_the_rules_name_only_cue_lists_of_the_lexicon_and_scenarios_only_extend_them():
    used = set()
    for path in (RULES_DIR / "rules").glob("*.py"):
        used |= set(re.findall(r"""(?:says\(\w+, |cues\()((?:"[a-z_]+"(?:, )?)+)""", path.read_text(encoding="utf-8")))
    names = {name for group in used for name in re.findall(r'"([a-z_]+)"', group)}
    assert names and names <= set(lexicon().names), names - set(lexicon().names)
    assert set(AssessmentCues.__fields__) <= set(lexicon().names)


def _record(before=None, after=None, intent="inform", text="") -> TurnRecord:
    return TurnRecord(1, text, intent, Analysis(text=text, normalized=normalize(text)), before or {}, after or {})


def test_turn_helpers_say_what_changed_in_the_turn():
    t = _record(
        {"solution_presented": False, "change": "announced", "concessions": [], "signals_given": 1, "flags": []},
        {
            "solution_presented": True,
            "change": "adapted",
            "concessions": [{"percent": 3}],
            "signals_given": 1,
            "flags": ["beyond_margin"],
            "revealed": {"budget": "full"},
        },
    )
    assert t.became("solution_presented") and not t.became("reformulation_confirmed")
    assert t.went("change", "announced", "adapted") and not t.went("change", "none", "adapted")
    assert t.became("change", "adapted") and not t.became("change", "announced")
    assert t.changed("change") and not t.changed("signals_given")
    assert t.grew("concessions") and not t.grew("signals_given")
    assert t.flagged("beyond_margin") and not t.flagged("illegal_accepted")
    assert t.new_facts == ["budget"]


def test_score_keeps_the_first_distinct_turns_as_evidence():
    a, b, c = (_record(text=str(n)) for n in range(3))
    b.n, c.n = 2, 3
    assert Score.of(2, "x", [a, None, a, b, c], limit=2).evidence == [a, b]


def test_a_personal_greeting_is_the_client_named_not_a_word_that_contains_a_title(library):
    """« comme » holds « mme » and « M. Guérin » is written with an accent: read as words, folded."""
    scenario = library.scenario("prospection-rdv")
    intro = ("introduce_self", "Je suis Léa Martin, technico-commerciale chez Atlantique Manutention.")
    agenda = (
        "state_agenda",
        "Je vous propose de faire le point sur vos besoins ; nous avons trente minutes, cela vous convient ?",
    )

    def level(greeting: str) -> int:
        turns = [("greet", greeting), intro, agenda]
        records = [TurnRecord(n, text, intent, analyse(text), {}, {}) for n, (intent, text) in enumerate(turns, 1)]
        return contact(Context(scenario, records, {})).score

    assert level("Bonjour Franck Guérin, merci de me recevoir.") == 3
    assert level("Bonjour Monsieur, merci de me recevoir.") == 3
    assert level("Bonjour, comme convenu je vous appelle.") == 2


def _context(scenario, turns, final=None):
    records = [TurnRecord(n, text, intent, analyse(text), {}, {}) for n, (intent, text) in enumerate(turns, 1)]
    return Context(scenario, records, final or {})


def test_hype_and_spoken_tics_are_imprecise_writing_not_professional(library):
    """T-1: « les meilleurs du marché » or « Bon, allez » is understandable (1), not « professionnelle » (2)."""
    scenario = library.scenario("visite-satisfaction")
    clean = [("greet", "Bonjour Madame Chapuis, merci de me recevoir."), ("ask_open", "Comment vont vos caisses ?")]
    t1 = ALL_RULES["T-1"]
    assert t1(_context(scenario, clean)).score == 2
    hype = clean + [("present_solution", "Notre borne, c'est ce qui se fait de mieux, vous allez adorer.")]
    assert t1(_context(scenario, hype)).score == 1
    tics = clean + [("offer_concession", "Bon, allez, je vous fais 5 %.")]
    assert t1(_context(scenario, tics)).score == 1


def test_an_offer_named_without_advantage_is_characteristics_listed(library):
    """C1.2.2-b: naming the catalogue's offer is a bad attempt (1); no product presented at all is 0."""
    scenario = library.scenario("visite-satisfaction")
    arguments = ALL_RULES["C1.2.2-b"]
    nothing = [("greet", "Bonjour Madame Chapuis."), ("ask_open", "Tout va bien avec les caisses ?")]
    assert arguments(_context(scenario, nothing)).score == 0
    product = scenario.catalogue[0]
    named = nothing + [("inform", f"Je viens vous présenter notre {product.ref}.")]
    assert arguments(_context(scenario, named)).score == 1


def test_a_discount_beyond_the_margin_caps_preparation_at_one_instead_of_zero(library):
    """C1.1.2-a: the grid caps a criterion resting on a « remise non autorisée » at 1 (the aggregation does);
    it is not a catalogue error, which stays the descriptor's « erreurs de prix » (0)."""
    from bot.assessment.rules.aggregate import invented_information
    from bot.assessment.rules.preparation import catalogue_errors, margin_breaches

    scenario = library.scenario("visite-satisfaction")
    turns = [("greet", "Bonjour Madame Chapuis."), ("offer_concession", "Allez, je vous fais 15 % sur tout.")]
    records = [TurnRecord(n, text, intent, analyse(text), {}, {}) for n, (intent, text) in enumerate(turns, 1)]
    records[1].after = {"flags": ["beyond_margin"]}
    ctx = Context(scenario, records, {"flags": ["beyond_margin"]})
    assert margin_breaches(ctx) and not catalogue_errors(ctx)
    assert invented_information(ctx)["C1.1.2-a"]
    assert ALL_RULES["C1.1.2-a"](ctx).score <= 1
