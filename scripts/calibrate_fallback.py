"""Where to put the NLU confidence thresholds, on held-out data, for a trained model.

Two thresholds read the classifier's confidence: the FallbackClassifier's ``threshold`` (config.yml;
below it a message is ``nlu_fallback`` and goes to the coach) and ``RESCUE_MIN_CONFIDENCE``
(bot/engine/routing.py; above it, the best client move behind an ``nlu_fallback`` is played anyway).
Their right values depend on the classifier's confidence scale, so they are set again whenever the
classifier changes. For each candidate threshold this prints the share of held-out messages below it:
rightly classified real moves (should stay above: they must not fall back), wrongly classified ones
(better below), and nonsense (tests/nlu/nonsense.yml: should be below, so the coach answers).

    PYTHONPATH=. .venv/bin/python scripts/calibrate_fallback.py [--model models/negotiation.tar.gz]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import yaml

ROOT = Path(__file__).resolve().parents[1]
HELDOUT_SETS = (ROOT / "tests" / "nlu" / "heldout.yml", ROOT / "tests" / "nlu" / "heldout_new.yml")
NONSENSE = ROOT / "tests" / "nlu" / "nonsense.yml"
THRESHOLDS = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)


def heldout_examples(path: Path) -> List[Tuple[str, str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    pairs = []
    for block in data["nlu"]:
        for line in block["examples"].splitlines():
            if line.strip().startswith("- "):
                pairs.append((block["intent"], line.strip()[2:]))
    return pairs


def best_guess(parsed: Dict) -> Tuple[str, float]:
    """The classifier's own top intent and confidence, behind an ``nlu_fallback`` if there is one."""
    for ranked in parsed.get("intent_ranking") or []:
        if ranked.get("name") != "nlu_fallback":
            return str(ranked["name"]), float(ranked.get("confidence") or 0.0)
    intent = parsed.get("intent") or {}
    return str(intent.get("name") or ""), float(intent.get("confidence") or 0.0)


def share_below(values: Sequence[float], threshold: float) -> str:
    return f"{100 * sum(v < threshold for v in values) / max(len(values), 1):5.1f}%"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(ROOT / "models" / "negotiation.tar.gz"))
    args = parser.parse_args(argv)
    from rasa.core.agent import Agent

    agent = Agent.load(args.model)
    loop = asyncio.new_event_loop()

    def guess(text: str) -> Tuple[str, float]:
        return best_guess(loop.run_until_complete(agent.parse_message(text)))

    right: List[float] = []
    wrong: List[float] = []
    for path in HELDOUT_SETS:
        for intent, text in heldout_examples(path):
            name, confidence = guess(text)
            (right if name == intent else wrong).append(confidence)
    nonsense = yaml.safe_load(NONSENSE.read_text(encoding="utf-8"))["nonsense"]
    junk = []
    print("nonsense: best guess")
    for text in nonsense:
        name, confidence = guess(text)
        junk.append(confidence)
        print(f"  {confidence:.3f} {name:24} {text[:50]}")
    print(f"\nmodel {args.model}: {len(right)} right, {len(wrong)} wrong held-out, {len(junk)} nonsense")
    print(f"{'threshold':>9} {'right below':>12} {'wrong below':>12} {'nonsense below':>15}")
    for t in THRESHOLDS:
        print(f"{t:9.2f} {share_below(right, t):>12} {share_below(wrong, t):>12} {share_below(junk, t):>15}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
