"""The form of a question: open, closed, alternative or suggestive, by explicit predicates.

The client says more to an open question, and the assessment credits open questions first: both read
this one definition. An open question asks for a description (« Comment… ? », « Quels… ? »,
« Pouvez-vous me décrire… ? ») or starts with a QQOQCCP interrogative (« Qui… ? », « Quand… ? »,
« Où… ? »); a question asking for a figure (« Combien… ? ») or for yes/no is closed; « A ou B ? » is an
alternative; a question that suggests its answer (« …, n'est-ce pas ? ») is suggestive.
"""

from __future__ import annotations

import re
from typing import List, Literal, Tuple

from bot.language.lexicon import lexicon
from bot.language.text import contains

QuestionForm = Literal["open", "closed", "alternative", "suggestive"]

#: how far into a question an open word still makes it open (« Et pour vous, quel est… »)
_HEAD = 60
_ALTERNATIVE = re.compile(r"\bou\b(?! en)(?! ca)")
_CLAUSES = re.compile(r"[.!?;:]")


def strip_fillers(question: str) -> str:
    """The question without its leading fillers (« et », « alors », « du coup »...)."""
    fillers = lexicon()["question_fillers"].cues
    changed = True
    while changed:
        changed = False
        for filler in fillers:
            if question.startswith(filler):
                question = question[len(filler) :].lstrip(" ,")
                changed = True
    return question


def is_question(sentence: str) -> bool:
    """A normalized sentence that asks something."""
    stripped = sentence.rstrip()
    if stripped.endswith("?"):
        return True
    return "?" in stripped and any(strip_fillers(stripped).startswith(s) for s in lexicon()["question_starts"].cues)


def question_form(sentence: str) -> QuestionForm:
    """The form of one normalized question sentence."""
    lex = lexicon()
    if any(sentence.startswith(s) or f" {s}" in sentence for s in lex["suggestive_question"].cues):
        return "suggestive"
    if _ALTERNATIVE.search(sentence) and not sentence.startswith("ou "):
        return "alternative"
    head = strip_fillers(sentence)[:_HEAD]
    if any(head.startswith(s) for s in lex["figure_question_starts"].cues):
        return "closed"
    if any(head.startswith(s) for s in lex["open_question_starts"].cues):
        return "open"
    if any(contains(f" {head}", f" {w}") for w in lex["open_question_words"].cues):
        return "open"
    return "closed"


def implication(normalized: str) -> bool:
    """The learner asks what a problem costs or causes (a SPIN implication question)."""
    return lexicon()["implication_question"].found_in(normalized)


def question_spans(normalized: str) -> List[Tuple[int, int]]:
    """Where the question sentences of a message are, in order (text before the first one excluded)."""
    out: List[Tuple[int, int]] = []
    start = 0
    for match in _CLAUSES.finditer(normalized):
        if match.group() == "?":
            left, right = start, match.end()
            while left < right and normalized[left] in " ,":
                left += 1
            if left < right:
                out.append((left, right))
        start = match.end()
    return out


def question_clauses(normalized: str) -> List[str]:
    """The question sentences of a message, in order (text before the first one excluded)."""
    return [normalized[a:b] for a, b in question_spans(normalized)]


def last_question_form(normalized: str) -> QuestionForm | None:
    """The form of the message's last question (a greeting or a remark may come before), or None."""
    clauses = question_clauses(normalized)
    return question_form(clauses[-1]) if clauses else None
