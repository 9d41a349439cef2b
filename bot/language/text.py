"""Text primitives: accent-free normal form, keyword stems, numbers, references, register."""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable, List

_SPACES = re.compile(r"\s+")
_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:[ \u00a0\u202f.]\d{3})+|\d+)(?:[,.](\d+))?\s*(k|m)?(?![\w])", re.I)
_PERCENT = re.compile(r"(\d+(?:[,.]\d+)?)\s*(?:%|pour ?cent|pourcent)")
_CATALOGUE_REF = re.compile(r"\b[A-Z]{2,5}-[A-Za-z0-9]{1,6}(?:-[A-Za-z0-9]{1,4})?\b")


def normalize(text: str) -> str:
    """Lowercase, strip accents and control characters, collapse spaces.

    Keywords in scenario files are written in this form (``"releve"``, ``"decid"``).
    """
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c) and unicodedata.category(c)[0] != "C")
    stripped = stripped.replace("\u2019", "'").replace("œ", "oe").replace("æ", "ae")
    return _SPACES.sub(" ", stripped.lower()).strip()


def has_keyword(normalized: str, keyword: str) -> bool:
    """True when ``keyword`` starts a word of the normalized text (stems match)."""
    key = normalize(keyword)
    if not key:
        return False
    start = 0
    while True:
        idx = normalized.find(key, start)
        if idx < 0:
            return False
        if idx == 0 or not normalized[idx - 1].isalnum():
            return True
        start = idx + 1


def count_keywords(normalized: str, keywords: Iterable[str]) -> int:
    return sum(1 for k in keywords if has_keyword(normalized, k))


def any_keyword(normalized: str, keywords: Iterable[str]) -> bool:
    return any(has_keyword(normalized, k) for k in keywords)


def numbers(text: str) -> List[float]:
    """Numbers in a French text: ``45 000``, ``45k``, ``1,5``, ``29 800 €`` → floats."""
    found: List[float] = []
    for match in _NUMBER.finditer(text or ""):
        whole = re.sub(r"[ \u00a0\u202f.]", "", match.group(1))
        value = float(whole + ("." + match.group(2) if match.group(2) else ""))
        suffix = (match.group(3) or "").lower()
        if suffix == "k":
            value *= 1_000
        elif suffix == "m":
            value *= 1_000_000
        found.append(value)
    return found


def percentages(text: str) -> List[float]:
    return [float(m.group(1).replace(",", ".")) for m in _PERCENT.finditer(normalize(text))]


def catalogue_refs(text: str) -> List[str]:
    """Things that look like catalogue references (``VSD-45``, ``PAC-HT65``)."""
    return _CATALOGUE_REF.findall(text or "")


def clip(text: str, limit: int = 300) -> str:
    text = _SPACES.sub(" ", text or "").strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def contains(normalized: str, phrase: str) -> bool:
    """``phrase`` (already normalized; spaces count) anywhere, tolerant of a missing apostrophe."""
    if not phrase.strip():
        return False
    return phrase in normalized or phrase.replace("'", " ") in normalized.replace("'", " ")


def has_word(normalized: str, word: str) -> bool:
    """``word`` as a whole word (« mec » but not « mécanisée »)."""
    return re.search(r"(?<![\w-])" + re.escape(normalize(word)) + r"(?![\w-])", normalized) is not None


_TU = re.compile(r"(^|\W)(tu|toi|ton|ta|tes|t'(?=[a-z]))(\W|$)")


def is_tutoiement(normalized: str) -> bool:
    """The learner says « tu » to the client."""
    return bool(_TU.search(normalized))
