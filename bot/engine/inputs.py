"""Screening of raw learner input before it reaches the client persona."""

from __future__ import annotations

import re
import unicodedata

MAX_CHARS = 2000
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
_FRENCH_HINTS = re.compile(
    r"\b(le|la|les|de|des|du|un|une|et|est|vous|nous|je|pour|que|qui|avec|sur|pas|oui|non|votre|vos|bonjour|merci|ca|c'est|on)\b"
)
_ENGLISH_HINTS = re.compile(r"\b(the|and|you|your|is|are|what|how|hello|please|thanks|with|for|this|that|we|can)\b")


def screen(text: str) -> str | None:
    """A coach message key when the input cannot be played as is, else None.

    ``empty`` (nothing readable), ``too_long`` (read but clipped), ``other_language``.
    """
    visible = "".join(c for c in (text or "") if unicodedata.category(c)[0] not in "CZ")
    if not _LETTER.search(visible) and not re.search(r"\d", visible):
        return "empty"
    if len(text) > MAX_CHARS:
        return "too_long"
    lowered = text.lower()
    letters = _LETTER.findall(lowered)
    latin = sum(1 for c in letters if "a" <= unicodedata.normalize("NFKD", c)[0] <= "z")
    if letters and latin / len(letters) < 0.5:
        return "other_language"
    words = re.findall(r"[\w']+", lowered)
    if len(words) >= 4 and len(_ENGLISH_HINTS.findall(lowered)) >= 2 and not _FRENCH_HINTS.search(lowered):
        return "other_language"
    return None
