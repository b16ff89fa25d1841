"""Resource quantities (`500m`, `1Gi`, `12e6`) as apimachinery's resource.Quantity reads and
writes them: kube-apiserver decodes every Quantity field and serializes it in canonical
form, so `cpu: 0.5` is stored as `500m`, `1000m` as `1`, `2048Mi` as `2Gi`.

Parsing follows ParseQuantity: a signed decimal number and one suffix, decimal SI
(`n u m k M G T P E`), binary SI (`Ki Mi Gi Ti Pi Ei`) or an exponent (`e3`, `E-2`); values
round up to the nano and are capped at 2^63-1. The canonical form keeps the format the
suffix chose: decimal forms print an integer mantissa with the largest exponent that is a
multiple of 3 (`1500`, `1k`, `500m`); binary forms print the largest power of 1024 that
divides the value exactly, falling back to decimal below 1024 or for fractions.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

FORMAT_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
SUFFIX_ERROR = "unable to parse quantity's suffix"

DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL_SUFFIX = {exp: suffix for suffix, exp in DECIMAL.items()}
_BINARY_SUFFIX = {"": 0, **BINARY}
_BINARY_BY_POWER = {exp // 10: suffix for suffix, exp in _BINARY_SUFFIX.items()}
_SUFFIX_CHARS = frozenset("eEinumkKMGTP")
_NANO = Fraction(1, 10**9)
_MAX = Fraction(2**63 - 1)


class QuantityError(ValueError):
    """Not a quantity; the message is apimachinery's."""


def parse(text: str) -> tuple[Fraction, str]:
    """(value, format) of a quantity string; format is "DecimalSI", "BinarySI" or
    "DecimalExponent". Raises QuantityError."""
    if text == "":
        raise QuantityError(FORMAT_ERROR)
    pos, end = 0, len(text)
    negative = text[0] == "-"
    if text[0] in "+-":
        pos = 1
    start = pos
    while pos < end and text[pos].isascii() and text[pos].isdigit():
        pos += 1
    whole = text[start:pos]
    fraction = ""
    if pos < end and text[pos] == ".":
        pos += 1
        start = pos
        while pos < end and text[pos].isascii() and text[pos].isdigit():
            pos += 1
        fraction = text[start:pos]
    suffix_start = pos
    while pos < end and text[pos] in _SUFFIX_CHARS:
        pos += 1
    if pos < end and text[pos] in "+-":
        pos += 1
    while pos < end and text[pos].isascii() and text[pos].isdigit():
        pos += 1
    if pos < end:
        raise QuantityError(FORMAT_ERROR)
    suffix = text[suffix_start:]
    number = Fraction(int(whole or "0") * 10 ** len(fraction) + int(fraction or "0"), 10 ** len(fraction))
    if suffix in DECIMAL:
        value, fmt = number * Fraction(10) ** DECIMAL[suffix], "DecimalSI"
    elif suffix in BINARY:
        value, fmt = number * 2 ** BINARY[suffix], "BinarySI"
    elif len(suffix) > 1 and suffix[0] in "eE" and _is_int(suffix[1:]):
        exponent = int(suffix[1:])
        if abs(exponent) > 2**31 - 1:
            raise QuantityError(SUFFIX_ERROR)
        # beyond what a Quantity can hold either way: keep the arithmetic small
        exponent = max(min(exponent, 40), -40)
        value, fmt = number * Fraction(10) ** exponent, "DecimalExponent"
    else:
        raise QuantityError(SUFFIX_ERROR)
    if value:
        value = math.ceil(value / _NANO) * _NANO  # round up to the nano: some is never none
    value = min(value, _MAX)
    if fmt == "BinarySI" and 0 < value < 1:
        fmt = "DecimalSI"
    return (-value if negative else value), fmt


def _is_int(text: str) -> bool:
    digits = text[1:] if text[:1] in ("+", "-") else text
    return digits.isascii() and digits.isdigit()


def canonical(value: Fraction, fmt: str) -> str:
    """A quantity's canonical text (Quantity.String)."""
    if value == 0:
        return "0"
    if fmt == "BinarySI" and (-1024 < value < 1024 or value.denominator != 1):
        fmt = "DecimalSI"
    if fmt == "BinarySI":
        mantissa, power = int(value), 0
        while abs(mantissa) >= 1024 and mantissa % 1024 == 0 and power < 6:
            mantissa //= 1024
            power += 1
        return f"{mantissa}{_BINARY_BY_POWER[power]}"
    # integer mantissa, exponent the largest multiple of 3 that keeps it whole
    exponent = 0
    while value.denominator != 1:
        value *= 1000
        exponent -= 3
    mantissa = int(value)
    while mantissa % 1000 == 0:
        mantissa //= 1000
        exponent += 3
    if fmt == "DecimalExponent":
        return f"{mantissa}e{exponent}" if exponent else str(mantissa)
    if exponent not in _DECIMAL_SUFFIX:  # a Quantity never gets here: nano..exa covers its range
        return f"{mantissa}e{exponent}"
    return f"{mantissa}{_DECIMAL_SUFFIX[exponent]}"


def normalized(value: Any) -> str:
    """The canonical text of a Quantity field's JSON value (string or number), as
    kube-apiserver stores it. Raises QuantityError."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise QuantityError(FORMAT_ERROR)
    text = value.strip() if isinstance(value, str) else _number_text(value)
    if text == "0":
        return "0"
    return canonical(*parse(text))


def _number_text(value: int | float) -> str:
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        raise QuantityError(FORMAT_ERROR)
    return repr(value)  # Go reads the number's JSON text: the shortest form that round-trips


def value_of(value: Any) -> Fraction | None:
    """A quantity's value (`1`, `1000m` and `1e0` are equal); None if not one."""
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return Fraction(value)
        if not isinstance(value, str):
            return None
        return parse(value.strip())[0]
    except (QuantityError, ValueError, OverflowError):
        return None
