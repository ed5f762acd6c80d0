"""Money as integer minor units with an ISO 4217 currency."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

# ISO 4217 active codes and their minor-unit exponents (digits after the decimal point).
_ZERO_DECIMAL = {
    "BIF",
    "CLP",
    "DJF",
    "GNF",
    "ISK",
    "JPY",
    "KMF",
    "KRW",
    "PYG",
    "RWF",
    "UGX",
    "UYI",
    "VND",
    "VUV",
    "XAF",
    "XOF",
    "XPF",
}
_THREE_DECIMAL = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"}
_FOUR_DECIMAL = {"CLF", "UYW"}
_TWO_DECIMAL = set(
    (
        "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD "
        "BTN BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUP CVE CZK DKK DOP DZD EGP "
        "ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR "
        "JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU "
        "MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR "
        "RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS "
        "TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG "
    ).split()
)
CURRENCIES = _ZERO_DECIMAL | _TWO_DECIMAL | _THREE_DECIMAL | _FOUR_DECIMAL


def is_currency(code: str) -> bool:
    """Tell whether a code is an active ISO 4217 currency (upper case)."""
    return code in CURRENCIES


def minor_exponent(currency: str) -> int:
    """Return the number of minor-unit digits of a currency."""
    if currency in _ZERO_DECIMAL:
        return 0
    if currency in _THREE_DECIMAL:
        return 3
    if currency in _FOUR_DECIMAL:
        return 4
    return 2


def to_minor(amount: str | Decimal, currency: str) -> int:
    """Convert a decimal amount in major units to integer minor units, refusing lost digits."""
    try:
        value = Decimal(str(amount).strip())
    except InvalidOperation:
        raise ValueError(f"{amount!r} is not a decimal number") from None
    if not value.is_finite():
        raise ValueError(f"{amount!r} is not a finite number")
    scaled = value.scaleb(minor_exponent(currency))
    if scaled != scaled.to_integral_value():
        raise ValueError(
            f"{amount!r} has more than {minor_exponent(currency)} decimal places for {currency}"
        )
    return int(scaled)


def to_major(minor: int, currency: str) -> Decimal:
    """Convert integer minor units to a Decimal in major units."""
    return Decimal(minor).scaleb(-minor_exponent(currency))


def format_money(minor: int | float, currency: str, *, decimals: int | None = None) -> str:
    """Format minor units for people: 'USD 1,234.50'."""
    exponent = minor_exponent(currency)
    places = exponent if decimals is None else decimals
    value = (Decimal(str(minor)).scaleb(-exponent)).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN
    )
    return f"{currency} {value:,.{places}f}"
