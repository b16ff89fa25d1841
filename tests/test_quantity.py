"""Resource quantities are stored as resource.Quantity serializes them. Expected values
follow apimachinery's pkg/api/resource (quantity.go: ParseQuantity, CanonicalizeBytes;
quantity_test.go has the same kinds of cases)."""

from __future__ import annotations

from fractions import Fraction

import pytest

from vapi import quantity

CANONICAL = [
    ("0.5", "500m"), ("1000m", "1"), ("1500", "1500"), ("1000", "1k"), ("5000k", "5M"), ("100m", "100m"),
    ("0.1m", "100u"), ("0.000001", "1u"),
    ("0.1n", "1n"), ("1.5n", "2n"),  # rounded up to the nano
    ("2048Mi", "2Gi"), ("1.5Gi", "1536Mi"), ("1025Ki", "1025Ki"),
    ("1.1Gi", "1181116006400m"),  # a binary value that is no whole number goes decimal
    ("0.5Ki", "512"),  # binary values under 1024 go decimal
    ("1e3", "1e3"), ("12e6", "12e6"), ("1.5e3", "1500"),  # the exponent form stays
    ("-500m", "-500m"), ("0Gi", "0"), (".5", "500m"), ("1.", "1"), ("+2", "2"), (" 2 ", "2"),
    ("1e100", "9223372036854775807"),  # capped at the largest int64
    (0.5, "500m"), (2, "2"),  # JSON numbers read by their text
]


@pytest.mark.parametrize("written,stored", CANONICAL)
def test_canonical_form(written: str | float, stored: str) -> None:
    assert quantity.normalized(written) == stored


@pytest.mark.parametrize("text,error", [
    ("abc", quantity.FORMAT_ERROR), ("", quantity.FORMAT_ERROR), ("1.2.3", quantity.FORMAT_ERROR),
    ("1 Gi", quantity.FORMAT_ERROR), (True, quantity.FORMAT_ERROR),
    ("1K", quantity.SUFFIX_ERROR), ("1e", quantity.SUFFIX_ERROR), ("1Gii", quantity.SUFFIX_ERROR),
    ("--1", quantity.SUFFIX_ERROR),
])
def test_not_quantities(text: str, error: str) -> None:
    with pytest.raises(quantity.QuantityError) as e:
        quantity.normalized(text)
    assert str(e.value) == error


def test_values_compare_across_forms() -> None:
    assert quantity.value_of("1") == quantity.value_of("1000m") == quantity.value_of("1e0") == 1
    assert quantity.value_of("1Ki") == Fraction(1024)
    assert quantity.value_of("nope") is None and quantity.value_of(None) is None
