"""Fit the fact ranker (``data/language/fact_ranker.yml``) on the development probes.

``python scripts/fit_fact_ranker.py [--write]``: one (question, fact) pair per fact of the scenario for
every probe of the fitting suites (``dev``, and ``heldout`` since it was used to diagnose the engine) with
one expected fact (or none); the features are scenario-independent
(:data:`bot.language.matching.FEATURES`), so the weights carry over to scenarios written later. Prints a
leave-one-scenario-out estimate (each scenario ranked by weights fitted on the others: what a new
scenario can expect), then fits on all dev probes and, with ``--write``, saves the weights and the
threshold. The fresh held-out suite (``heldout2``) is never read here.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Dict, List, Tuple

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.dialogue_eval import PROBES_DIR, load_probes  # noqa: E402
from bot.engine.discovery import fact_index  # noqa: E402
from bot.engine.library import load_library  # noqa: E402
from bot.language.matching import FEATURES, NONE_FEATURES, RANKER_FILE  # noqa: E402
from bot.language.understanding import understand  # noqa: E402

Sample = Tuple[str, np.ndarray, np.ndarray, int]  # scenario, fact features, « no fact » features, target (-1: none)


#: added to the « no fact » utility: answering with an unrelated fact is worse than asking « c'est-à-dire ? »
#: (+0.5 removed a third of the unrelated answers on the tuning suites without fewer right ones)
PRUDENCE = 0.5
#: probe suites the ranker may learn from (heldout2 and any later held-out suite are never read here)
FIT_SUITES = ("dev", "heldout")


def samples() -> List[Sample]:
    library = load_library(extra_scenario_dirs=[ROOT / "tests" / "dialogue" / "heldout" / "scenarios"])
    out: List[Sample] = []
    probes = [p for suite in FIT_SUITES for p in load_probes(PROBES_DIR / suite)]
    for probe in probes:
        if probe.kind == "double":
            continue
        scenario = library.scenario(probe.scenario)
        index = fact_index(scenario)
        question = understand(probe.question, questions_expected=True).questions[-1]
        features, none = index.features(question.words or question.text, question.topics)
        # a vague follow-up asks about no fact by itself: the engine deepens the fact under discussion
        target = index.ids.index(probe.expect[0]) if probe.expect and probe.kind != "vague" else -1
        out.append((probe.scenario, features, none, target))
    return out


def _split(params: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    return params[: len(FEATURES)], params[len(FEATURES) :]


def fit(train: List[Sample], l2: float, fixed: Dict[int, float] | None = None) -> np.ndarray:
    """Maximum likelihood of the expected alternative (a fact, or « no fact »), with an L2 penalty.

    ``fixed``: weights kept as they are (by position), the others fitted around them."""
    from scipy.optimize import minimize

    fixed = fixed or {}
    free = [i for i in range(len(FEATURES) + len(NONE_FEATURES)) if i not in fixed]

    def full(values: np.ndarray) -> np.ndarray:
        params = np.zeros(len(FEATURES) + len(NONE_FEATURES))
        params[free] = values
        for i, value in fixed.items():
            params[i] = value
        return params

    def loss(values: np.ndarray) -> float:
        params = full(values)
        weights, none_weights = _split(params)
        total = l2 * float(values @ values)
        for _, features, none, target in train:
            utilities = np.append(features @ weights, none @ none_weights)
            top = utilities.max()
            log_norm = top + np.log(np.exp(utilities - top).sum())
            total -= utilities[target] - log_norm  # target -1 is the « no fact » alternative
        return total

    return full(minimize(loss, np.zeros(len(free)), method="L-BFGS-B").x)


def _fixed_weights(fitted: List[str]) -> Dict[int, float]:
    """The weights of the current file, by position, except those to fit (and features it does not have yet)."""
    data = yaml.safe_load(RANKER_FILE.read_text(encoding="utf-8"))
    current = {**data["weights"], **data["none_weights"]}
    names = [*FEATURES, *NONE_FEATURES]
    return {i: float(current[name]) for i, name in enumerate(names) if name not in fitted and name in current}


def decide(params: np.ndarray, features: np.ndarray, none: np.ndarray) -> int:
    weights, none_weights = _split(params)
    utilities = np.append(features @ weights, none @ none_weights)
    best = int(np.argmax(utilities))
    return -1 if best == len(features) else best


def accuracy(params: np.ndarray, data: List[Sample]) -> float:
    return float(np.mean([decide(params, f, n) == t for _, f, n, t in data]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--l2", type=float, default=0.05)
    parser.add_argument(
        "--only", nargs="*", default=None, help="fit only these weights (a new feature), the others kept from the file"
    )
    args = parser.parse_args()
    fixed = _fixed_weights(args.only) if args.only is not None else None
    data = samples()
    scenarios = sorted({s for s, _, _, _ in data})
    right = total = 0
    for held in scenarios:
        params = fit([d for d in data if d[0] != held], args.l2, fixed)
        test = [d for d in data if d[0] == held]
        hits = sum(decide(params, f, n) == t for _, f, n, t in test)
        right, total = right + hits, total + len(test)
        print(f"  {held:26} {hits}/{len(test)} with weights fitted on the other scenarios")
    print(f"leave-one-scenario-out: {right / total:.1%} of {total} dev probes (one fact or none)")
    params = fit(data, args.l2, fixed)
    weights, none_weights = _split(params)
    named = {name: round(float(w), 4) for name, w in zip(FEATURES, weights, strict=True)}
    none_named = {name: round(float(w), 4) for name, w in zip(NONE_FEATURES, none_weights, strict=True)}
    print(f"all dev probes: {accuracy(params, data):.1%}; weights {named}; no fact {none_named}")
    if args.write:
        header = (
            "# Fact ranker: a conditional logit over a scenario's facts and « no fact », on the\n"
            "# scenario-independent features of bot/language/matching.py,\n"
            "# fitted by scripts/fit_fact_ranker.py on tests/dialogue/probes/dev.\n"
        )
        body = {"weights": named, "none_weights": none_named, "prudence": PRUDENCE}
        RANKER_FILE.write_text(header + yaml.safe_dump(body, sort_keys=False), encoding="utf-8")
        print(f"written to {RANKER_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
