"""Numbers written in words, as students write them (« trente-neuf mille », « quatre-vingt-dix jours »).

:func:`digits` rewrites number words of a normalized text as digits, so that every later reading
(amounts, percentages, payment terms) deals with one notation. A lone « un »/« une » is an article,
not a number, unless a unit follows (« une remise d'un pour cent » keeps « une remise »).
"""

from __future__ import annotations

import re
from typing import List, Tuple

_UNITS = {
    "zero": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15,
    "seize": 16, "vingt": 20, "vingts": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60,
}  # fmt: skip
_HUNDRED = {"cent", "cents"}
_THOUSAND = {"mille", "milles"}
_MILLION = {"million", "millions"}
_PERCENT_WORDS = re.compile(r"\s*\bpour ?cents?\b")
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*")
#: what may follow a lone « un »/« une » for it to be a number rather than an article
_UNIT_AFTER = re.compile(r"^\s*(pour ?cent|%|euros?\b|€|k€|mille|million|jours?\b|mois\b|an\b|ans\b|semaines?\b)")


def _parts(word: str) -> List[str]:
    return [p for p in word.split("-") if p and p != "et"]


def _is_number_word(word: str) -> bool:
    parts = _parts(word)
    return bool(parts) and all(p in _UNITS or p in _HUNDRED or p in _THOUSAND or p in _MILLION for p in parts)


def _value(words: List[str]) -> int | None:
    """The value of a sequence of number words (French rules: « quatre-vingt », « deux cents », « mille »)."""
    total, current = 0, 0
    for word in words:
        for part in _parts(word):
            if part in _UNITS:
                value = _UNITS[part]
                if value == 20 and current % 100 == 4:  # quatre-vingt(s)
                    current = current - 4 + 80
                elif value >= 10 and current % 100 == 60 and value < 20:  # soixante-dix…dix-neuf
                    current += value
                elif value == 10 and current % 100 == 80:  # quatre-vingt-dix
                    current += 10
                elif value >= 10 and current % 100 == 80 and value < 20:  # quatre-vingt-onze…
                    current += value
                else:
                    current += value
            elif part in _HUNDRED:
                current = (current or 1) * 100
            elif part in _THOUSAND:
                total += (current or 1) * 1000
                current = 0
            elif part in _MILLION:
                total += (current or 1) * 1_000_000
                current = 0
            else:
                return None
    return total + current


def digits(normalized: str) -> str:
    """The text with number words written as digits (« trente-neuf mille euros » → « 39000 euros »).

    « pour cent » becomes « % » first, so that its « cent » is not read as a hundred.
    """
    normalized = _PERCENT_WORDS.sub("%", normalized)
    out: List[str] = []
    pos = 0
    tokens: List[Tuple[int, int, str]] = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(normalized)]
    i = 0
    while i < len(tokens):
        start, end, word = tokens[i]
        if not _is_number_word(word):
            i += 1
            continue
        j = i
        words = [word]
        # extend over following number words, allowing « et » between them (« vingt et un »)
        while j + 1 < len(tokens):
            nxt = tokens[j + 1][2]
            gap = normalized[tokens[j][1] : tokens[j + 1][0]]
            if gap.strip() or "\n" in gap:
                break
            if nxt == "et" and j + 2 < len(tokens) and _is_number_word(tokens[j + 2][2]):
                j += 2
                words += [tokens[j][2]]
                continue
            if not _is_number_word(nxt):
                break
            j += 1
            words.append(nxt)
        end = tokens[j][1]
        if len(words) == 1 and words[0] in ("un", "une") and not _UNIT_AFTER.match(normalized[end:]):
            i = j + 1
            continue
        value = _value(words)
        if value is None:
            i = j + 1
            continue
        out.append(normalized[pos:start])
        out.append(str(value))
        pos = end
        i = j + 1
    out.append(normalized[pos:])
    return "".join(out)


_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:[ \u00a0\u202f.]\d{3})+|\d+)(?:[,.](\d+))?\s*(k|m)?(?![\w])", re.I)


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
