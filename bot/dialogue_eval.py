"""``make eval-dialogue``: does the client answer the question that was asked?

Plays the probe suite (``tests/dialogue/probes/**/*.yml``: a learner's question and the fact the client
must answer with, in a fresh or a running conversation; repeat, vague, double and off-topic questions)
against the engine, without a Rasa server. The question's move comes from the trained NLU model, loaded
once in this process, as in a real conversation (``--no-nlu``: from the question's form instead, for
speed). A probe is right when the client answers with exactly the expected facts and no other one.

Prints the figures per suite (``dev``: the built-in scenarios' probes the dialogue core may be tuned on;
``heldout``, ``heldout2``, ``heldout3``: probes and scenarios written apart, the later ones never tuned on)
and per kind (``--by-scenario SUITE``: per scenario too), then a last line
``relevance F (N probes)``: the F-measure of the facts answered over every probe (contract §9).
"""

from __future__ import annotations

import argparse
import asyncio
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Sequence, Tuple

import yaml

from bot.engine import simulation
from bot.engine.library import Library, load_library
from bot.engine.routing import client_move
from bot.engine.state import Move
from bot.language.intents import Intent
from bot.language.questions import last_question_form
from bot.language.text import normalize

ROOT = Path(__file__).resolve().parents[1]
PROBES_DIR = ROOT / "tests" / "dialogue" / "probes"
#: scenarios written for the evaluation only (never in data/scenarios, never tuned on)
HELDOUT_SCENARIOS = sorted((ROOT / "tests" / "dialogue").glob("heldout*/scenarios"))
ANSWER_EVENTS = ("fact_revealed:", "fact_deepened:", "fact_repeated:")

Classifier = Callable[[str], Tuple[str, float, List[Dict]]]


@dataclass
class Probe:
    suite: str
    scenario: str
    question: str
    expect: Tuple[str, ...]
    kind: str
    before: List[Tuple[str, str]] = field(default_factory=list)
    source: str = ""


@dataclass
class Outcome:
    probe: Probe
    answered: Tuple[str, ...]
    intent: str
    reply: str

    @property
    def right(self) -> bool:
        return set(self.answered) == set(self.probe.expect)

    @property
    def unrelated(self) -> Tuple[str, ...]:
        return tuple(f for f in self.answered if f not in self.probe.expect)


def load_probes(directory: Path = PROBES_DIR) -> List[Probe]:
    probes: List[Probe] = []
    for path in sorted(directory.rglob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        suite = path.parent.name
        for item in data.get("probes") or []:
            expect = item["expect"]
            expected = () if expect in (None, "none") else tuple([expect] if isinstance(expect, str) else expect)
            before = [(str(i), str(t)) for i, t in item.get("before") or []]
            probes.append(
                Probe(
                    suite,
                    data["scenario"],
                    str(item["q"]),
                    expected,
                    str(item.get("kind", "direct")),
                    before,
                    path.name,
                )  # fmt: skip
            )
    return probes


def form_classifier(text: str) -> Tuple[str, float, List[Dict]]:
    """A stand-in for the NLU: the question's form decides the move."""
    form = last_question_form(normalize(text))
    intent = Intent.ASK_OPEN_QUESTION if form == "open" else Intent.ASK_CLOSED_QUESTION
    return intent.value, 1.0, []


def nlu_classifier(model: Path) -> Classifier:
    """The trained Rasa NLU model, loaded once (the dialogue is played by the engine here)."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    loop = asyncio.new_event_loop()

    def classify(text: str) -> Tuple[str, float, List[Dict]]:
        parsed = loop.run_until_complete(agent.parse_message(text))
        intent = parsed.get("intent") or {}
        return str(intent.get("name") or ""), float(intent.get("confidence") or 0.0), parsed.get("intent_ranking") or []

    return classify


def play(library: Library, probe: Probe, classify: Classifier, seed: int = 11) -> Outcome:
    state = simulation.start(library, probe.scenario, seed=seed)
    persona = library.scenario(probe.scenario).main_persona.name
    before = probe.before or [("greet", f"Bonjour {persona}")]
    for intent, text in before:
        simulation.step(library, state, Move(intent, text))
    intent, confidence, ranking = classify(probe.question)
    move = client_move(library, state, probe.question, intent, ranking)
    if move is None:
        return Outcome(probe, (), intent, "(coach)")
    reply = simulation.step(library, state, Move(move, probe.question, confidence))
    answered = tuple(dict.fromkeys(e.split(":", 1)[1] for e in reply.events if e.startswith(ANSWER_EVENTS)))
    return Outcome(probe, answered, move, " | ".join(u.text for u in reply.utterances))


def relevance(outcomes: Iterable[Outcome]) -> Tuple[float, float, float, int]:
    """Precision, recall and F of the facts answered."""
    tp = fp = fn = n = 0
    for o in outcomes:
        n += 1
        tp += sum(1 for f in o.answered if f in o.probe.expect)
        fp += len(o.unrelated)
        fn += sum(1 for f in o.probe.expect if f not in o.answered)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f, n


def report(
    outcomes: List[Outcome], builtin: Sequence[str], show_errors: Sequence[str] = (), by_scenario: Sequence[str] = ()
) -> None:
    by_suite: Dict[str, List[Outcome]] = defaultdict(list)
    for o in outcomes:
        own = o.probe.scenario not in builtin
        by_suite[f"{o.probe.suite}{' (scenario of the test)' if own else ''}"].append(o)
    for suite, items in sorted(by_suite.items()):
        p, r, f, n = relevance(items)
        right = sum(o.right for o in items)
        unrelated = sum(bool(o.unrelated) for o in items)
        figures = f"P {p:.3f} R {r:.3f} F {f:.3f}"
        print(f"{suite:32} {n:4} probes  right {right / n:6.1%}  unrelated fact {unrelated:3}  {figures}")
        kinds: Dict[str, List[Outcome]] = defaultdict(list)
        for o in items:
            kinds[o.probe.kind].append(o)
        print("    " + "  ".join(f"{k} {sum(o.right for o in v)}/{len(v)}" for k, v in sorted(kinds.items())))
        if items[0].probe.suite in by_scenario:
            scenarios: Dict[str, List[Outcome]] = defaultdict(list)
            for o in items:
                scenarios[o.probe.scenario].append(o)
            for scenario, own in sorted(scenarios.items()):
                n_right, f_here = sum(o.right for o in own), relevance(own)[2]
                print(f"    {scenario:28} {n_right:3}/{len(own):<3} right {n_right / len(own):6.1%}  F {f_here:.3f}")
    for o in outcomes:
        if o.probe.suite in show_errors and not o.right:
            print(f"  ✗ [{o.probe.scenario}/{o.probe.kind}] {o.probe.question!r} → {list(o.answered) or 'none'} "
                  f"(expected {list(o.probe.expect) or 'none'}; move {o.intent}) {o.reply[:110]!r}")  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-nlu", action="store_true", help="moves from the question's form, not the NLU model")
    parser.add_argument("--model", default=str(ROOT / "models" / "negotiation.tar.gz"))
    parser.add_argument("--errors", nargs="*", default=[], help="suites whose wrong probes are listed (e.g. dev)")
    parser.add_argument("--by-scenario", nargs="*", default=[], help="suites whose figures are also given per scenario")
    parser.add_argument("--probes", default=str(PROBES_DIR))
    args = parser.parse_args(argv)
    library = load_library(extra_scenario_dirs=HELDOUT_SCENARIOS)
    classify: Classifier = form_classifier
    if not args.no_nlu:
        if not Path(args.model).exists():
            parser.error(f"no trained model at {args.model}: run `make train`, or pass --no-nlu")
        classify = nlu_classifier(Path(args.model))
    outcomes = [play(library, probe, classify) for probe in load_probes(Path(args.probes))]
    report(outcomes, load_library().scenario_ids, args.errors, args.by_scenario)
    _, _, f, n = relevance(outcomes)
    print(f"relevance {f:.3f} ({n} probes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
