"""The schema of a purchase (``kind: purchase``, C4.1.1 role swap): what only a purchase needs.

The learner is the buyer and the bot the salesperson: the buyer's specification and the quotes he
compares, his target and maximum price, and the salesperson's list price, floor price (never
revealed), concession steps and the counterparts she asks for. A field of :class:`bot.engine.scenario_schema.Scenario`
(``purchase:``); read by :mod:`bot.engine.purchase` and :mod:`bot.assessment.rules.purchase`.
"""

from __future__ import annotations

from typing import List

from pydantic import Field, root_validator, validator

from bot.engine.play_schema import _Model
from bot.engine.play_schema import as_lines as _as_lines

Lines = List[str]


class Requirement(_Model):
    """One line of the buyer's specification (cahier des charges): a must-have or a nice-to-have."""

    id: str
    label: str
    must: bool = True


class Quote(_Model):
    """One of the quotes the buyer compares (prices € HT, in the unit of ``purchase.price_unit``)."""

    id: str
    supplier: str
    price: float = Field(gt=0)
    delivery: str
    payment: str
    warranty: str
    includes: List[str] = Field(default_factory=list)
    #: requirements of the specification this quote does not meet (ids of ``purchase.specification``)
    misses: List[str] = Field(default_factory=list)
    #: the words that name this quote (its supplier) when the buyer cites it
    keywords: List[str] = Field(min_items=1)
    #: the quote of the supplier met in the meeting (exactly one)
    ours: bool = False
    #: what the salesperson answers when the buyer cites this (competitor's) quote at its right price
    rebuttal: Lines = Field(default_factory=list)

    _lines = validator("rebuttal", pre=True, allow_reuse=True)(_as_lines)


class Counterpart(_Model):
    """What the salesperson asks in exchange for a concession step (a volume, a longer commitment,
    a faster payment, a reference, a delivery window). The buyer grants it by naming it (``keywords``)
    or, for a faster payment, by offering to pay within ``payment_within`` days of the invoice."""

    id: str
    label: str
    keywords: List[str] = Field(default_factory=list)
    payment_within: int | None = Field(default=None, gt=0)
    #: how the salesperson asks for it (« si vous signez le contrat de maintenance… »)
    ask: Lines = Field(min_items=1)

    _lines = validator("ask", pre=True, allow_reuse=True)(_as_lines)

    @root_validator(skip_on_failure=True)
    def _recognisable(cls, values: dict) -> dict:
        if not values.get("keywords") and not values.get("payment_within"):
            raise ValueError(f"contrepartie « {values.get('id')} » : « keywords » ou « payment_within » attendu")
        return values


class Purchase(_Model):
    """What only a purchase (``kind: purchase``) needs: the learner is the buyer, the bot the salesperson.

    The buyer's brief (specification, three quotes, target and maximum price) is shown in the
    preparation sheet; the salesperson's list price, floor price (never revealed), concession steps and
    the counterparts he asks for drive :mod:`bot.engine.purchase`. Prices are € HT in ``price_unit``.
    """

    specification: List[Requirement] = Field(min_items=2)
    quotes: List[Quote] = Field(min_items=2)
    price_unit: str = "€ HT"
    #: the salesperson's price as quoted (the ``ours`` quote's price)
    list_price: float = Field(gt=0)
    #: the lowest price he can accept (his direction's floor); never said to the buyer
    floor_price: float = Field(gt=0)
    #: the buyer's target and maximum price (his brief)
    target_price: float = Field(gt=0)
    max_price: float = Field(gt=0)
    #: the prices he concedes to, one step per counterpart granted, decreasing, never below the floor
    steps: List[float] = Field(min_items=1)
    counterparts: List[Counterpart] = Field(min_items=1)
    #: the payment term of his quote in days from the invoice (45 days end of month ≈ 60)
    payment_days: int = Field(gt=0)
    #: a cited price this close to the quote's (relative) is right (« environ 198 000 € »)
    quote_tolerance: float = Field(default=0.02, ge=0, lt=0.2)
    #: the quantity the unit prices are for (a buyer may cite a unit price: total / quantity)
    quantity: int = Field(default=1, ge=1)

    @root_validator(skip_on_failure=True)
    def _consistent(cls, values: dict) -> dict:
        ours = [q for q in values["quotes"] if q.ours]
        if len(ours) != 1:
            raise ValueError(
                "purchase.quotes : exactement un devis doit porter « ours: true » (le fournisseur rencontré)"
            )
        if abs(ours[0].price - values["list_price"]) > 0.01:
            raise ValueError("purchase.list_price doit être le prix du devis « ours »")
        spec_ids = {r.id for r in values["specification"]}
        for quote in values["quotes"]:
            for miss in quote.misses:
                if miss not in spec_ids:
                    raise ValueError(f"devis « {quote.id} » : exigence inconnue « {miss} »")
        steps, floor = values["steps"], values["floor_price"]
        previous = values["list_price"]
        for price in steps:
            if not floor <= price < previous:
                raise ValueError(
                    "purchase.steps : chaque palier doit être inférieur au précédent (et au prix catalogue) "
                    "et jamais sous le prix plancher"
                )
            previous = price
        if values["target_price"] > values["max_price"]:
            raise ValueError("purchase : le prix cible doit être inférieur ou égal au prix maximum")
        if len(values["counterparts"]) < len(steps):
            raise ValueError("purchase : il faut au moins autant de contreparties que de paliers de concession")
        return values
