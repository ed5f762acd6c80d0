"""Parsers of cell values: each returns the value or raises BadValue saying what was expected."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from headway.core.fields import MAX_DB_INT, normalise_email
from headway.core.money import is_currency, minor_exponent, to_minor
from headway.revenue.schemas import MAX_AMOUNT

# Amounts are stored as 64-bit minor units; the API refuses more than a trillion in major units too.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_COUNT = re.compile(r"\d{1,3}(,\d{3})+|\d+")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")


class BadValue(ValueError):
    """A cell value that is not what its column needs; the message says what was expected."""


def text(value: str, *, max_length: int) -> str:
    """Return a trimmed text value of at most max_length characters."""
    if len(value) > max_length:
        raise BadValue(f"at most {max_length} characters (this one has {len(value)})")
    return value


def iso_date(value: str) -> date:
    """Parse an ISO calendar date, YYYY-MM-DD."""
    if not _ISO_DATE.fullmatch(value):
        raise BadValue("an ISO date YYYY-MM-DD, e.g. 2025-01-31")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadValue("an existing calendar date YYYY-MM-DD") from None


def count(value: str) -> int:
    """Parse a whole number ≥ 0 (thousands separators and a spreadsheet's '.0' allowed)."""
    plain = value[:-2] if value.endswith(".0") else value
    if not _COUNT.fullmatch(plain):
        raise BadValue("a whole number ≥ 0, e.g. 250")
    number = int(plain.replace(",", ""))
    if number > MAX_DB_INT:
        raise BadValue(f"a whole number at most {MAX_DB_INT:,}")
    return number


def currency(value: str) -> str:
    """Parse an ISO 4217 currency code (any case)."""
    code = value.upper()
    if not is_currency(code):
        raise BadValue("an ISO 4217 currency code, e.g. USD, EUR, JPY")
    return code


def amount(value: str) -> Decimal:
    """Parse a decimal amount in major units, ≥ 0 (the currency decides how many decimals)."""
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = Decimal("NaN")
    if not number.is_finite():
        raise BadValue("a decimal amount in major units, e.g. 1200.50 (no currency sign)")
    if number < 0:
        raise BadValue("an amount ≥ 0")
    if number > MAX_AMOUNT:
        raise BadValue(f"an amount at most {MAX_AMOUNT:,}")
    return number


def amount_minor(value: str, currency_code: str) -> int:
    """Parse a decimal amount in major units into integer minor units of the currency."""
    number = amount(value)
    try:
        return to_minor(number, currency_code)
    except ValueError:
        places = minor_exponent(currency_code)
        raise BadValue(f"at most {places} decimal places for {currency_code}") from None


def interval(value: str) -> str:
    """Parse a billing interval: month or year."""
    lowered = value.lower()
    if lowered not in ("month", "year"):
        raise BadValue("month or year")
    return lowered


def email(value: str) -> str:
    """Return an email address trimmed and in lower case, as Headway stores them."""
    try:
        return text(normalise_email(value), max_length=320)
    except ValueError:
        raise BadValue("an email address, e.g. jane@example.com") from None


def domain(value: str) -> str:
    """Return the bare domain of a domain or website: 'https://www.acme.com/' → 'acme.com'."""
    host = _SCHEME.sub("", value.strip().lower())
    host = host.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    host = host.rsplit("@", 1)[-1].split(":", 1)[0].rstrip(".")
    host = host.removeprefix("www.")
    if not host or "." not in host or any(c.isspace() or c in "<>\"'," for c in host):
        raise BadValue("a domain or website, e.g. acme.com or https://www.acme.com")
    return text(host, max_length=255)


def key_of(value: str) -> str:
    """Fold a label people type ('Decision maker', 'High-touch') to compare it with a key."""
    return re.sub(r"[\s_-]+", "_", value.strip().casefold())
