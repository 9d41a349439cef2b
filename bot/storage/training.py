"""Teachers' corrections of move labels, written back as Rasa NLU training data."""

from __future__ import annotations

from collections import defaultdict
from typing import Dict, List, Sequence, Tuple


def _example(text: str) -> str:
    """One line of a Rasa ``examples: |`` block (no entity syntax, no line breaks)."""
    line = " ".join(text.split())
    for ch in "[]{}()":
        line = line.replace(ch, " ")
    return " ".join(line.split())


def corrections_yaml(pairs: Sequence[Tuple[str, str]]) -> str:
    """Rasa 3 NLU YAML with one block per intent, duplicates removed."""
    by_intent: Dict[str, List[str]] = defaultdict(list)
    for intent, text in pairs:
        example = _example(text)
        if example and example not in by_intent[intent]:
            by_intent[intent].append(example)
    lines = [
        "# Teachers' corrections of the move of learner turns (make export-corrections).",
        "# Review, then copy into data/nlu/ and retrain (make train).",
        'version: "3.1"',
        "nlu:",
    ]
    for intent in sorted(by_intent):
        lines.append(f"- intent: {intent}")
        lines.append("  examples: |")
        lines.extend(f"    - {example}" for example in by_intent[intent])
    return "\n".join(lines) + "\n"
