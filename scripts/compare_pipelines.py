"""``make compare-pipelines``: which NLU pipeline to keep, on printed numbers (issue 13, item 5).

For each candidate (``scripts/pipelines/*.yml``, or the names given), trains the NLU alone with
``rasa train nlu`` on data/nlu, times it, then evaluates the model with ``rasa test nlu`` (the same
code as ``make eval-nlu``) on the two held-out sets. Prints one table row per candidate and writes the table of
every candidate measured so far to ``results/pipelines/table.md``; docs/nlu.md keeps the table the
current config was chosen on.

    PYTHONPATH=. .venv/bin/python scripts/compare_pipelines.py [linear rasa_logreg diet]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import List, Sequence

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.nlu_eval import read_report, run_rasa_test  # noqa: E402

PIPELINES = ROOT / "scripts" / "pipelines"
HELDOUT_SETS = (ROOT / "tests" / "nlu" / "heldout.yml", ROOT / "tests" / "nlu" / "heldout_new.yml")
OUT = ROOT / "results" / "pipelines"


@dataclass
class Row:
    name: str
    train_seconds: float | None  # None: a model trained elsewhere, evaluated only
    macro_f1: List[float]

    def line(self) -> str:
        scores = " | ".join(f"{f:.3f}" for f in self.macro_f1)
        seconds = "not timed here" if self.train_seconds is None else f"{self.train_seconds:.0f}"
        return f"| {self.name} | {seconds} | {scores} |"


def train(config: Path, out: Path) -> float:
    """Trains the NLU of one candidate; returns the wall-clock seconds of ``rasa train nlu``."""
    rasa = Path(sys.executable).parent / "rasa"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2"}
    command = [str(rasa), "train", "nlu", "--nlu", str(ROOT / "data" / "nlu"), "--config", str(config)]
    command += ["--out", str(out), "--fixed-model-name", config.stem]
    # a cold cache: a candidate must not reuse the featurizers another candidate trained
    with tempfile.TemporaryDirectory(prefix="rasa-cache-") as cache:
        start = time.monotonic()
        subprocess.run(command, check=True, env={**env, "RASA_CACHE_DIRECTORY": cache}, stdout=subprocess.DEVNULL)
        return time.monotonic() - start


def evaluate(name: str, model: Path | None = None) -> Row:
    """Trains the candidate (unless its ``model`` is given) and scores it on each held-out set."""
    seconds = None
    if model is None:
        model = OUT / "models" / f"{name}.tar.gz"
        seconds = train(PIPELINES / f"{name}.yml", model.parent)
    scores = []
    for data in HELDOUT_SETS:
        report = OUT / name / data.stem
        run_rasa_test(model, data, report)
        scores.append(read_report(report)[2])
    return Row(name, seconds, scores)


def header() -> str:
    sets = " | ".join(f"macro-F1 {d.stem}" for d in HELDOUT_SETS)
    return f"| pipeline | training s | {sets} |\n|---|---:|" + "---:|" * len(HELDOUT_SETS)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="candidates (file names in scripts/pipelines without .yml)")
    parser.add_argument(
        "--trained", metavar="NAME=MODEL", help="only evaluate a model trained elsewhere (e.g. diet=old.tar.gz)"
    )
    args = parser.parse_args(argv)
    if args.trained:
        name, model = args.trained.split("=", 1)
        todo = [(name, Path(model))]
    else:
        todo = [(n, None) for n in args.names or sorted(p.stem for p in PIPELINES.glob("*.yml"))]
    OUT.mkdir(parents=True, exist_ok=True)
    for name, model in todo:
        print(f"== {name}: training and evaluating", flush=True)
        row = evaluate(name, model)
        (OUT / name).mkdir(parents=True, exist_ok=True)
        (OUT / name / "row.md").write_text(row.line() + "\n", encoding="utf-8")
        print(row.line(), flush=True)
    # every candidate measured so far, also by an earlier run (DIET takes long: run it on its own)
    lines = [p.read_text(encoding="utf-8").strip() for p in sorted(OUT.glob("*/row.md"))]
    table = "\n".join([header(), *lines])
    (OUT / "table.md").write_text(table + "\n", encoding="utf-8")
    print()
    print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
