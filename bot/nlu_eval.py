"""NLU evaluation on held-out data: macro-F1, per-intent F1 and the confusions."""

from __future__ import annotations

import collections
import json
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Tuple


def run_rasa_test(model: Path, data: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    rasa = Path(sys.executable).parent / "rasa"
    subprocess.run(
        [
            str(rasa),
            "test",
            "nlu",
            "--nlu",
            str(data),
            "--model",
            str(model),
            "--out",
            str(out),
            "--no-plot",
            "--quiet",
        ],
        check=True,
    )


def read_report(out: Path) -> Tuple[Dict[str, dict], List[Tuple[str, str, int]], float]:
    report = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
    intents = {k: v for k, v in report.items() if isinstance(v, dict) and "f1-score" in v and " avg" not in k}
    errors_file = out / "intent_errors.json"
    errors = json.loads(errors_file.read_text(encoding="utf-8")) if errors_file.exists() else []
    pairs = collections.Counter((e["intent"], e["intent_prediction"]["name"]) for e in errors)
    confusions = [(t, p, n) for (t, p), n in pairs.most_common()]
    return intents, confusions, float(report["macro avg"]["f1-score"])


def format_report(intents: Dict[str, dict], confusions: List[Tuple[str, str, int]], macro: float) -> str:
    lines = [f"{'intent':28} {'F1':>6} {'prec':>6} {'rec':>6} {'n':>4}"]
    for name, row in sorted(intents.items(), key=lambda kv: kv[1]["f1-score"]):
        lines.append(
            f"{name:28} {row['f1-score']:6.3f} {row['precision']:6.3f} {row['recall']:6.3f} {int(row['support']):4d}"
        )
    lines.append("")
    lines.append("Confusions (true -> predicted: count):")
    lines += [f"  {t} -> {p}: {n}" for t, p, n in confusions[:30]] or ["  none"]
    lines.append("")
    lines.append(f"MACRO-F1 = {macro:.3f} on {sum(int(r['support']) for r in intents.values())} held-out examples")
    return "\n".join(lines)


def evaluate(model: Path, data: Path, out: Path, min_macro_f1: float = 0.0) -> int:
    run_rasa_test(model, data, out)
    intents, confusions, macro = read_report(out)
    print(format_report(intents, confusions, macro))
    if macro < min_macro_f1:
        print(f"FAIL: macro-F1 {macro:.3f} < {min_macro_f1:.2f}")
        return 1
    return 0
