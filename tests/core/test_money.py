"""Money in integer minor units."""

from __future__ import annotations

from decimal import Decimal

import pytest

from headway.core.money import format_money, is_currency, to_major, to_minor


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [("12.50", "USD", 1250), ("1000", "JPY", 1000), ("1.234", "KWD", 1234), ("0", "EUR", 0)],
)
def test_amounts_convert_to_minor_units_by_the_currency_exponent(amount, currency, minor):
    assert to_minor(amount, currency) == minor
    assert to_major(minor, currency) == Decimal(amount)


@pytest.mark.parametrize(("amount", "currency"), [("12.345", "USD"), ("10.5", "JPY")])
def test_more_decimals_than_the_currency_has_are_refused_not_rounded(amount, currency):
    with pytest.raises(ValueError, match="decimal places"):
        to_minor(amount, currency)


@pytest.mark.parametrize("amount", ["abc", "", "NaN", "1,000.00"])
def test_non_numbers_are_refused(amount):
    with pytest.raises(ValueError):
        to_minor(amount, "USD")


def test_iso_4217_codes_are_known_and_others_are_not():
    assert is_currency("USD") and is_currency("EUR") and is_currency("JPY")
    assert not is_currency("usd") and not is_currency("XYZ") and not is_currency("BTC")


def test_money_is_formatted_for_people():
    assert format_money(123_450, "USD") == "USD 1,234.50"
    assert format_money(123_450, "USD", decimals=0) == "USD 1,234"
    assert format_money(5000, "JPY") == "JPY 5,000"
