"""Amounts, discounts, payment terms and dates as learners write them (bot.language.terms)."""

from __future__ import annotations

import pytest

from bot.language.numbers import digits
from bot.language.terms import figures
from bot.language.text import normalize


def read(text: str, negotiating: bool = False):
    return figures(normalize(text), negotiating=negotiating)


@pytest.mark.parametrize(
    "text, value, period",
    [
        ("L'ensemble revient à 39 150 € HT, installation comprise", 39150, "total"),
        ("ça fait 39 k€", 39000, "total"),
        ("on est à 39k€ tout compris", 39000, "total"),
        ("trente-neuf mille euros HT", 39000, "total"),
        ("cent vingt mille euros", 120000, "total"),
        ("soixante-quinze mille euros votés", 75000, "total"),
        ("1 690 € par mois en location sur 36 mois", 1690, "month"),
        ("1690€/mois", 1690, "month"),
        ("le contrat Sérénité est à 2 400 €/an", 2400, "year"),
        ("2 400 euros par an", 2400, "year"),
        ("350 € la semaine pour le compresseur de secours", 350, "week"),
        ("1 553 euros HT par poste", 1553, "unit"),
        ("36 000 HT", 36000, "total"),
        ("12 600,50 € HT", 12600.5, "total"),
        ("un budget de 1,2 M€", 1200000, "total"),
    ],
)  # fmt: skip
def test_money(text, value, period):
    money = read(text).money
    assert money, text
    assert money[0].value == pytest.approx(value) and money[0].period == period


def test_number_words_and_percent_words():
    assert digits("quatre-vingt-dix jours") == "90 jours"
    assert digits("deux mille cinq cents euros") == "2500 euros"
    assert digits("vingt et un jours") == "21 jours"
    assert digits("une remise de huit pour cent") == "une remise de 8%"
    assert digits("un devis et une visite") == "un devis et une visite"  # articles stay words


@pytest.mark.parametrize(
    "text, percent, amount, offered, whole, negotiating",
    [
        ("Je vous accorde 5 % de remise", 5, None, True, False, False),
        ("une remise de huit pour cent sur le matériel", 8, None, True, False, False),
        ("8 % sur tout, installation comprise", 8, None, True, True, False),
        ("je peux vous faire au maximum 5 % de remise", 5, None, True, False, False),
        ("Je ne peux pas aller au-delà de 5 %", 5, None, True, False, False),
        ("Je vous fais 2 000 € de remise", None, 2000, True, False, False),
        ("je baisse de 1 500 euros", None, 1500, True, False, False),
        ("Je ne m'aligne pas sur 12 %, mais je vous accorde 3 % si vous signez", 3, None, True, False, False),
        ("votre concurrent vous fait 12 % de remise", 12, None, False, False, False),
        ("Je ne peux pas faire 12 %, mais 4 % si vous signez avant le 19 juin", 4, None, True, False, True),
        ("Malgré la hausse, je vous fais 2 % sur le Grand Cru", 2, None, True, False, True),
    ],
)  # fmt: skip
def test_discounts(text, percent, amount, offered, whole, negotiating):
    found = [d for d in read(text, negotiating).discounts if d.offered == offered]
    assert found, (text, read(text, negotiating).discounts)
    d = found[-1] if offered else found[0]
    assert (d.percent, d.amount, d.whole_scope) == (percent, amount, whole)


@pytest.mark.parametrize(
    "text",
    [
        "vous économisez 30 % sur la facture",
        "une baisse de 20 % de la consommation",
        "65 % de l'activité est automobile",
        "acompte de 30 % à la commande",
        "vous nous avez confié +17,6 % sur N-2",
        "25 % de volumes en plus l'an prochain",
        "un portefeuille qui progresse de 8 % par an",
        "12 600 € de moins que chez Moreau",
        "les pièces de moins de 500 € sont incluses",
        "je peux vous proposer de lisser la hausse : 3 % en janvier et 3 % en septembre",
        "La hausse sera de 6 % au 1er mars",
    ],
)
def test_percentages_and_amounts_that_are_not_discounts(text):
    assert not read(text, negotiating=True).discounts, text


@pytest.mark.parametrize(
    "text, days, end_of_month, month, open_ended, offered",
    [
        ("paiement à 90 jours", 90, False, None, False, True),
        ("règlement à quatre-vingt-dix jours", 90, False, None, False, True),
        ("règlement à 45 jours fin de mois", 45, True, None, False, True),
        ("solde à 45 jours fdm", 45, True, None, False, True),
        ("acompte de 30 % puis solde à 60 jours", 60, False, None, False, True),
        ("Le délai de livraison est de 6 semaines, paiement à 30 jours", 30, False, None, False, True),
        ("vous paierez le solde après la moisson", None, False, 8, False, True),
        ("vous réglerez après les vendanges", None, False, 10, False, True),
        ("payer en septembre", None, False, 9, False, True),
        ("le solde quand vous aurez reçu la subvention", None, False, None, True, True),
        ("paiement à 3 mois", 90, False, None, False, True),
        ("un paiement à 90 jours, la loi nous l'interdit", 90, False, None, False, False),
        ("je ne peux pas accepter un paiement à 90 jours", 90, False, None, False, False),
        ("vous demandez 90 jours de délai de paiement", 90, False, None, False, False),
    ],
)  # fmt: skip
def test_payment_terms(text, days, end_of_month, month, open_ended, offered):
    terms = read(text).payment_terms
    assert terms, text
    t = terms[0]
    assert (t.days, t.end_of_month, t.month, t.open_ended, t.offered) == (
        days,
        end_of_month,
        month,
        open_ended,
        offered,
    )


def test_days_counted_from_the_meeting():
    (after_harvest,) = read("solde après la moisson").payment_terms
    assert after_harvest.days_from(12) == 8 * 30  # in December, the harvest is eight months away
    (eom,) = read("solde à 45 jours fin de mois").payment_terms
    assert eom.days_from(4) == 60  # the legal maximum


def test_delivery_days_are_not_a_payment_term():
    assert not read("livraison sous 15 jours").payment_terms
    assert not read("intervention sous 48 heures, garantie 2 ans").payment_terms


@pytest.mark.parametrize(
    "text, weekdays, months, hour",
    [
        ("On se voit jeudi 14 à 10 h ?", ("jeudi",), (), True),
        ("Je vous propose mardi prochain à 14h30 ou jeudi", ("mardi", "jeudi"), (), True),
        ("une livraison la première semaine d'août", (), (8,), False),
        ("je vous rappelle le 15 mars", (), (3,), False),
        ("je vous envoie le devis demain", (), (), False),
    ],
)  # fmt: skip
def test_dates(text, weekdays, months, hour):
    dates = read(text).dates
    assert dates.weekdays == weekdays and dates.months == months and dates.has_hour == hour
    assert dates.dated


def test_a_message_with_everything():
    f = read(
        "Voici l'offre : VSD-45 29 800 €, sécheur 3 900 €, soit 39 150 € HT ; je vous accorde 3 % sur le matériel "
        "si vous commandez avant le 19 juin ; acompte de 30 %, solde à 45 jours fin de mois ; pose en août."
    )
    assert 39150 in f.totals
    assert [d.percent for d in f.discounts if d.offered] == [3]
    assert [(t.days, t.end_of_month) for t in f.payment_terms] == [(45, True)]
    assert 8 in f.dates.months
