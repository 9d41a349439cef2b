"""Amounts, discounts, payment terms and dates in a learner's message, as typed values.

The client compares these with the scenario (budget, margin, discountable scope, legal payment terms)
and the assessment reads the same values, so both agree on what the learner offered. Everything works
on the normalized text with number words turned into digits (:func:`bot.language.numbers.digits`);
the words that introduce each notion are cue lists of ``data/lexicon/figures.yml`` and the calendar
words are ``data/language/calendar.yml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Literal, Tuple

import yaml

from bot.language.lexicon import lexicon
from bot.language.numbers import digits
from bot.language.text import CLAUSE_STOP, SENTENCE_STOP

Period = Literal["total", "month", "year", "week", "unit"]
CALENDAR_FILE = Path(__file__).resolve().parents[2] / "data" / "language" / "calendar.yml"

_NUM = r"\d{1,3}(?:[ .]\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)?"
_MONEY = re.compile(
    rf"(?<![\w,.])({_NUM})\s*(k|m)?\s*(k€|keur|k ?euros?|€|eur\b|euros?\b|e\b(?= ?ht)|balles\b|ht\b|ttc\b|h\.t\.)"
)
_PERCENT = re.compile(rf"(?<![\w,.])({_NUM})\s*%")
#: « 8 % sur le matériel », « 5 % de remise »: a percentage applied to something is a discount
_PERCENT_ON = re.compile(r"\s*(?:sur|de remise|de rabais|de reduction|de moins|de geste)\b")
#: « 50 % du parking », « 65 % des ventes »: a share of something, not a discount
_SHARE_AFTER = re.compile(r"^\s*(?:du|de la|des|de l'|d'|de nos|de vos|de leur|de notre|de votre|de ce|de cette)\b")
#: « +17,6 % sur N-2 », « 5 % sur cinq ans »: a change over time, not a discount
_OVER_TIME = re.compile(
    r"\s*sur\s+(?:n-?\d|l'an|l'annee|un an|une annee|\d+ ans|\d+ mois|la periode|le trimestre|le mois)"
)
#: « 2 000 € de moins » is a discount; « 12 600 € de moins que chez Moreau » and « moins de 500 € » are not
_LESS_AFTER = re.compile(r"^\s*(?:ht\s+)?de moins\b(?!\s+(?:que|qu'|de)\b)")
_DAYS = re.compile(r"(?<![\w,.])(\d{1,3})\s*(?:jours?|j\b)(?!\s*ouvr)")
_MONTHS_TERM = re.compile(r"\b(?:a|sous|dans|apres|au bout de)\s+(\d{1,2})\s+mois\b")
_CLAUSE_SPLIT = re.compile(
    rf"[;:!?\n]|{CLAUSE_STOP}|\b(?:mais|alors que|tandis que|par contre|en revanche|contre|sauf)\b"
)
_SENTENCE_SPLIT = re.compile(rf"[;!?\n]|{SENTENCE_STOP}")
_HOUR = re.compile(r"\b([01]?\d|2[0-3])\s*(?:h|heures?)\s*(\d{2})?\b|\ba midi\b|\bmidi\b")
_DAY_NUMBER = re.compile(
    r"\b(?:le\s+)?(1er|\d{1,2})\s+(?=(janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre)\b)"
)
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{2,4}))?\b")
_RELATIVE = re.compile(
    r"\b(demain|apres-demain|ce soir|cet apres-midi|ce matin|semaine prochaine|mois prochain|la semaine du"
    r"|dans (?:\d+|les) (?:jours|semaines|heures)|d'ici (?:\d+ jours|la fin|demain|ce soir|lundi|mardi|mercredi"
    r"|jeudi|vendredi|samedi)|sous (?:\d+) ?(?:h|heures|jours)|j ?\+ ?\d+)\b"
)


@dataclass(frozen=True)
class Money:
    """An amount in euros, as the learner said it (HT unless « TTC »)."""

    value: float
    period: Period = "total"
    ttc: bool = False
    clause: str = ""
    sentence: str = ""
    #: where the amount starts in ``sentence`` (which supplier of the sentence it belongs to)
    start: int = field(default=0, compare=False)

    @property
    def monthly(self) -> float | None:
        return {"month": self.value, "year": self.value / 12, "week": self.value * 52 / 12}.get(self.period)

    @property
    def saved(self) -> bool:
        """What the client saves or gains, not a price: said after a word of savings in its sentence (« vous
        gagnez 11 secondes par colis, soit 11 000 € par an ») or in its own clause (« 13 000 € d'économies »);
        « l'EC-ZIP2 est à 0,99 €, vous économisez… » gives a price first."""
        savings = lexicon()["savings"]
        return savings.found_in(self.sentence[: self.start]) or savings.found_in(self.clause)


@dataclass(frozen=True)
class Discount:
    """A discount in % or in €, and whether the learner gives it (not a competitor's, not refused)."""

    percent: float | None = None
    amount: float | None = None
    offered: bool = True
    whole_scope: bool = False
    clause: str = ""
    sentence: str = ""


@dataclass(frozen=True)
class PaymentTerm:
    """When the client would pay: days (end of month or not), a month of the year, or open-ended."""

    days: int | None = None
    end_of_month: bool = False
    month: int | None = None
    event: str = ""
    open_ended: bool = False
    offered: bool = True
    clause: str = ""

    def days_from(self, reference_month: int) -> int | None:
        """Days until payment, counting an event's month from the scenario's month (≈ 30 days a month)."""
        if self.days is not None:
            return self.days + (15 if self.end_of_month else 0)
        if self.month is not None:
            return ((self.month - reference_month) % 12) * 30  # this month: within the month
        return None


@dataclass(frozen=True)
class Dates:
    """Dates and hours the message gives (for a meeting, a delivery, a follow-up)."""

    weekdays: Tuple[str, ...] = ()
    months: Tuple[int, ...] = ()
    day_numbers: Tuple[int, ...] = ()
    hours: Tuple[str, ...] = ()
    relative: Tuple[str, ...] = ()

    @property
    def dated(self) -> bool:
        return bool(self.weekdays or self.months or self.day_numbers or self.relative)

    @property
    def has_hour(self) -> bool:
        return bool(self.hours)


@dataclass(frozen=True)
class Figures:
    """Everything countable in one message."""

    money: Tuple[Money, ...] = ()
    percents: Tuple[float, ...] = ()
    discounts: Tuple[Discount, ...] = ()
    payment_terms: Tuple[PaymentTerm, ...] = ()
    dates: Dates = Dates()

    @property
    def totals(self) -> List[float]:
        """Amounts that are not per month/year/week/unit (a total price, a budget, a discount in €)."""
        return [m.value for m in self.money if m.period == "total"]


@lru_cache(maxsize=1)
def calendar() -> Dict[str, object]:
    return yaml.safe_load(CALENDAR_FILE.read_text(encoding="utf-8"))


def _number(raw: str) -> float:
    raw = raw.strip()
    if re.fullmatch(r"\d{1,3}(?:[ .]\d{3})+(?:,\d+)?", raw):
        raw = raw.replace(" ", "").replace(".", "")
    return float(raw.replace(",", "."))


def _clauses(sentence: str) -> List[Tuple[int, int]]:
    """Spans of the sub-clauses of a sentence (split on commas and contrastive connectors)."""
    spans, start = [], 0
    for m in _CLAUSE_SPLIT.finditer(sentence):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(sentence)))
    return spans


def _around(sentence: str, position: int) -> str:
    for start, end in _clauses(sentence):
        if start <= position <= end:
            return sentence[start:end]
    return sentence


def _period(after: str) -> Period:
    lex = lexicon()
    window = after[:22]
    for name, period in (("per_month", "month"), ("per_year", "year"), ("per_week", "week"), ("per_unit", "unit")):
        if lex[name].found_in(window):
            return period  # type: ignore[return-value]
    return "total"


def _money(sentence: str) -> List[Tuple[Money, int]]:
    """Amounts of a sentence, each with the position where it ends (what follows tells a discount)."""
    out = []
    for m in _MONEY.finditer(sentence):
        value = _number(m.group(1))
        unit = m.group(3)
        if m.group(2) == "k" or unit.startswith("k"):
            value *= 1000
        elif m.group(2) == "m":
            value *= 1_000_000
        if unit in ("ht", "ttc", "h.t.") and value < 100 and not m.group(2):
            continue  # « 8 HT » is not an amount a learner writes; « 24 h » is not « HT »
        rest = sentence[m.end() :]
        ttc = unit == "ttc" or rest[:6].strip().startswith("ttc")
        clause = _around(sentence, m.start()).strip()
        out.append((Money(value, _period(rest), ttc, clause, sentence, m.start()), m.end()))
    return out


#: « je ne m'aligne donc pas », « nous n'irons pas »: a negated verb
_NEGATED = re.compile(r"\b(?:ne|n')\s*[a-z']+(?:\s+[a-z']+){0,3}\s+(?:pas|plus|jamais|point)\b")


def _refused(clause: str) -> bool:
    return lexicon()["negation"].found_in(f" {clause} ") or _NEGATED.search(clause) is not None


def _offered(clause: str) -> bool:
    """The figure of this clause is the learner's own offer (not a competitor's, not one refused)."""
    lex = lexicon()
    if lex["third_party"].found_in(clause):
        return False
    return not _refused(clause) or lex["cap_words"].found_in(clause)


#: the first word after a percentage (« 65 % coton » -> « coton »)
_NEXT_WORD = re.compile(r"\s*([a-z]+)")


def _made_of(after: str) -> bool:
    """The percentage is followed by what it is made of (« 65 % coton »), not by a discount's words."""
    m = _NEXT_WORD.match(after)
    return m is not None and not lexicon()["percent_followers"].found_in(m.group(1))


def _clause_start(sentence: str, position: int) -> int:
    for start, end in _clauses(sentence):
        if start <= position <= end:
            return start
    return 0


def _discount_worded(clause: str, position: int) -> bool:
    """The clause speaks of a discount before the percentage, or right after it: « une remise de 30 % des
    frais », « 5 % de remise »; not « 30 % de nos clients prennent la remise », which counts people."""
    lex = lexicon()
    before, after = clause[:position], clause[position:]
    return lex["discount_words"].found_in(before) or lex["discount_words"].found_in(after[:25])


def _discounts(sentence: str, money_ends: List[Tuple[Money, int]], negotiating: bool) -> List[Discount]:
    """Discounts of a sentence. A percentage is a discount when its clause says so (« remise », « je vous
    fais », « 8 % sur le matériel »), when its sentence speaks of a discount, or while a price is being
    negotiated (``negotiating``), unless it measures something else (savings, a share, a deposit)."""
    lex = lexicon()
    out = []
    whole = lex["whole_scope"].found_in(sentence)
    sentence_about_discount = lex["discount_words"].found_in(sentence) or lex["offer_verbs"].found_in(sentence)
    for m in _PERCENT.finditer(sentence):
        clause = _around(sentence, m.start())
        after = sentence[m.end() : m.end() + 30]
        if sentence[max(0, m.start() - 1) : m.start()] == "+" or _OVER_TIME.match(after):
            continue  # a growth or a change over time
        other_measure = (
            lex["not_discount"].found_in(f"{clause} {after}")
            or lex["payment_context"].found_in(clause)
            or (lex["payment_context"].found_in(sentence) and not lex["discount_words"].found_in(clause))
            # « je lisse la hausse : 3 % en mars et 3 % en septembre » phases an increase, it gives no discount
            or (
                lex["price_increase"].found_in(sentence)
                and not (lex["discount_words"].found_in(clause) or lex["offer_verbs"].found_in(clause))
            )
        )
        if _made_of(after):
            continue  # « 65 % coton », « 35 % polyester »: what something is made of
        worded = _discount_worded(clause, m.start() - _clause_start(sentence, m.start()))
        share = _SHARE_AFTER.match(after) is not None or _number(m.group(1)) >= 100
        if share and not worded:
            continue  # « 50 % du parking », « 100 % arabica », « 30 % de nos clients »: a share
        explicit = worded or (
            (lex["offer_verbs"].found_in(clause) or _PERCENT_ON.match(after) is not None) and not other_measure
        )
        if not explicit and (other_measure or not (sentence_about_discount or negotiating)):
            continue
        value = _number(m.group(1))
        out.append(Discount(percent=value, offered=_offered(clause), whole_scope=whole, clause=clause.strip(),
                            sentence=sentence))  # fmt: skip
    for item, end in money_ends:
        clause = item.clause
        less = _LESS_AFTER.match(sentence[end:]) is not None
        worded = lex["discount_words"].found_in(clause) and not lex["not_discount"].found_in(clause)
        if item.period == "total" and (less or worded) and not _PERCENT.search(clause):
            out.append(Discount(amount=item.value, offered=_offered(clause), whole_scope=whole, clause=clause,
                                sentence=sentence))  # fmt: skip
    return out


def _next_clause(sentence: str, position: int) -> str:
    spans = _clauses(sentence)
    for i, (start, end) in enumerate(spans):
        if start <= position <= end and i + 1 < len(spans):
            return sentence[spans[i + 1][0] : spans[i + 1][1]]
    return ""


def _term_offered(sentence: str, position: int) -> bool:
    """A payment term the learner offers: not refused in its clause nor in the next one (« 90 jours, la loi
    nous l'interdit »)."""
    clause = _around(sentence, position)
    if lexicon()["law_citation"].found_in(clause):
        return False  # « la loi plafonne à 60 jours »: the law quoted, not a term offered
    return _offered(clause) and not _refused(_next_clause(sentence, position))


def _payment_terms(sentence: str) -> List[PaymentTerm]:
    lex = lexicon()
    if not lex["payment_context"].found_in(sentence) and not re.search(r"\ba \d{1,3} (?:jours|j)\b", sentence):
        return []
    out = []
    for m in _DAYS.finditer(sentence):
        clause = _around(sentence, m.start())
        if lex["delivery_context"].found_in(clause) and not lex["payment_context"].found_in(clause):
            continue
        tail = sentence[m.end() : m.end() + 25]
        eom = lex["end_of_month"].found_in(tail)
        offered = _term_offered(sentence, m.start())
        out.append(PaymentTerm(days=int(m.group(1)), end_of_month=eom, offered=offered, clause=clause.strip()))
    for m in _MONTHS_TERM.finditer(sentence):
        clause = _around(sentence, m.start())
        if lex["payment_context"].found_in(clause):
            out.append(PaymentTerm(days=int(m.group(1)) * 30, offered=_offered(clause), clause=clause.strip()))
    cal = calendar()
    for event, month in cal["events"].items():
        for m in re.finditer(
            rf"\b(?:apres|a|au|en|pour|fin|des|lors de|a la fin de)\s+(?:la |le |l'|les )?{event}", sentence
        ):
            clause = _around(sentence, m.start())
            if lex["payment_context"].found_in(sentence):
                out.append(PaymentTerm(month=int(month), event=event, offered=_offered(clause), clause=clause.strip()))
    for i, month in enumerate(cal["months"], 1):
        for m in re.finditer(rf"\b(?:en|fin|debut|a partir de|mi-)\s*{month}\b", sentence):
            clause = _around(sentence, m.start())
            if lex["payment_context"].found_in(clause) and not lex["delivery_context"].found_in(clause):
                offered = _term_offered(sentence, m.start())
                out.append(PaymentTerm(month=i, event=month, offered=offered, clause=clause.strip()))
    for phrase in cal["open_ended"]:
        if phrase in sentence and f"au {phrase}" not in sentence:  # « au plus tard le 31 mars » is a date
            clause = _around(sentence, sentence.index(phrase))
            out.append(PaymentTerm(open_ended=True, event=phrase, offered=_offered(clause), clause=clause.strip()))
    return out


def _dates(text: str) -> Dates:
    cal = calendar()
    weekdays = tuple(d for d in cal["weekdays"] if re.search(rf"\b{d}\b", text))
    months = tuple(i for i, name in enumerate(cal["months"], 1) if re.search(rf"\b{name}\b", text))
    day_numbers = [int(m.group(1).replace("er", "")) for m in _DAY_NUMBER.finditer(text)]
    day_numbers += [int(m.group(1)) for m in _NUMERIC_DATE.finditer(text) if 1 <= int(m.group(2)) <= 12]
    hours = tuple(m.group(0).strip() for m in _HOUR.finditer(text))
    relative = tuple(m.group(0) for m in _RELATIVE.finditer(text))
    return Dates(weekdays, months, tuple(day_numbers), hours, relative)


def figures(normalized: str, negotiating: bool = False) -> Figures:
    """Read the amounts, discounts, payment terms and dates of a normalized message.

    ``negotiating``: a price is under discussion (the client asked for a discount), so a bare « 4 % »
    is read as a discount.
    """
    text = digits(normalized)
    money: List[Money] = []
    discounts: List[Discount] = []
    terms: List[PaymentTerm] = []
    percents: List[float] = []
    for sentence in (s.strip() for s in _SENTENCE_SPLIT.split(text)):
        if not sentence:
            continue
        found = _money(sentence)
        money += [m for m, _ in found]
        percents += [_number(m.group(1)) for m in _PERCENT.finditer(sentence)]
        discounts += _discounts(sentence, found, negotiating)
        terms += _payment_terms(sentence)
    return Figures(tuple(money), tuple(percents), tuple(discounts), tuple(terms), _dates(text))
