"""Score every graded transcript and print the agreement with the expert's scores.

``python scripts/score_transcripts.py [--dump scores.json] [--compare before.json] [DIR...]``: a refactor of the
engine or the assessment must not change a score unless meant; ``--compare`` lists every difference.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.assessment.replay import replay  # noqa: E402
from bot.assessment.rubric import default_rubric  # noqa: E402
from bot.assessment.rules import assess  # noqa: E402
from bot.engine.library import load_library  # noqa: E402
from bot.engine.simulation import seed_for  # noqa: E402


def score_all(directories):
    library = load_library()
    out = {}
    for directory in directories:
        for path in sorted(Path(directory).glob("*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            scenario = library.scenario(data["scenario"])
            turns = [tuple(t) for t in data["turns"]]
            records, state = replay(library, data["scenario"], turns, seed=seed_for(path.stem))
            result = assess(scenario, default_rubric(), records, state.to_dict(), na=scenario.na_criteria)
            out[path.stem] = {
                "outcome": state.outcome,
                "expected_outcome": data.get("expected_outcome"),
                "grade": result.grade_20,
                "scores": {cid: r.score for cid, r in result.scores.items()},
                "expected": {cid: (None if v == "na" else int(v)) for cid, v in data["expected"].items()},
            }
    return out


def agreement(scored):
    within = exact = total = 0
    for row in scored.values():
        for cid, expected in row["expected"].items():
            got = row["scores"][cid]
            total += 1
            if expected is None or got is None:
                ok = expected is None and got is None
                within, exact = within + ok, exact + ok
            else:
                within += abs(got - expected) <= 1
                exact += got == expected
    return within / total, exact / total, total


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("dirs", nargs="*", default=[str(ROOT / "tests" / "transcripts")])
    parser.add_argument("--dump")
    parser.add_argument("--compare")
    args = parser.parse_args()
    scored = score_all(args.dirs)
    for name, row in scored.items():
        flag = "" if row["outcome"] == row["expected_outcome"] else f"  (expected {row['expected_outcome']})"
        print(f"{name:38} {row['outcome']:5} {row['grade']:5.1f}{flag}")
    within, exact, total = agreement(scored)
    print(f"agreement on {total} ratings: within one point {within:.1%}, exact {exact:.1%}")
    if args.dump:
        Path(args.dump).write_text(json.dumps(scored, indent=1, ensure_ascii=False), encoding="utf-8")
    if args.compare:
        before = json.loads(Path(args.compare).read_text(encoding="utf-8"))
        changed = 0
        for name, row in scored.items():
            old = before.get(name)
            if not old:
                continue
            if old["outcome"] != row["outcome"] or old["grade"] != row["grade"]:
                print(f"{name}: outcome {old['outcome']} -> {row['outcome']}, grade {old['grade']} -> {row['grade']}")
            for cid, score in row["scores"].items():
                if old["scores"].get(cid) != score:
                    changed += 1
                    exp = row["expected"][cid]
                    print(f"  {name} {cid}: {old['scores'].get(cid)} -> {score} (expert {exp})")
        print(f"{changed} score(s) changed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
