"""What Go's standard library says, where kube-apiserver's messages pass its words on:
strconv.Quote (%q), encoding/json's Marshal (how field errors print composite values since
apimachinery 1.34), strconv.Atoi's errors, time.ParseDuration's and time.LoadLocation's, and
fmt's %v, %#v and %T of unstructured values (structured-merge-diff's typed errors print them).
The parsers return the error text Go would give ("" when Go accepts the input).
"""

from __future__ import annotations

import decimal
import json
import zoneinfo
from typing import Any

INT_BITS = 64  # Go's int on the 64-bit platforms kube-apiserver is built for


def quote(s: str) -> str:
    """A string as strconv.Quote (and %q) prints it."""
    out = ""
    for ch in s:
        if ch in ('"', "\\"):
            out += "\\" + ch
        elif ch.isprintable():
            out += ch
        elif ord(ch) < 0x80:
            out += {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t",
                    "\v": "\\v"}.get(ch, f"\\x{ord(ch):02x}")
        else:
            out += f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}"
    return f'"{out}"'


def marshal(value: Any) -> str:
    """json.Marshal: compact, UTF-8 kept, <, > and & (and U+2028/9) escaped as Go escapes
    them for HTML. Maps must come with their keys sorted (Go sorts them), structs in field order."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    for ch, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                        ("\u2029", "\\u2029")):
        text = text.replace(ch, escaped)
    return text


def _time_quote(s: str) -> str:
    """The time package's own quoting: non-ASCII and control characters as \\x bytes."""
    out = ""
    for ch in s:
        if ord(ch) < 0x20 or ord(ch) >= 0x80:
            out += "".join(f"\\x{b:02x}" for b in ch.encode("utf-8", "surrogatepass"))
        else:
            out += "\\" + ch if ch in ('"', "\\") else ch
    return f'"{out}"'


def atoi(s: str) -> tuple[int, str]:
    """strconv.Atoi: the number, or the error (sign allowed, decimal digits only)."""
    digits = s[1:] if s[:1] in ("+", "-") else s
    if not digits or not all("0" <= c <= "9" for c in digits):
        return 0, f"strconv.Atoi: parsing {quote(s)}: invalid syntax"
    n = int(s)
    if not -(2 ** (INT_BITS - 1)) <= n < 2 ** (INT_BITS - 1):
        return 0, f"strconv.Atoi: parsing {quote(s)}: value out of range"
    return n, ""


NANOSECONDS = {"ns": 1, "us": 10**3, "\u00b5s": 10**3, "\u03bcs": 10**3, "ms": 10**6, "s": 10**9,
               "m": 60 * 10**9, "h": 3600 * 10**9}


def parse_duration(s: str) -> tuple[int, str]:
    """time.ParseDuration: nanoseconds, or the error ([-+]?([0-9]*(\\.[0-9]*)?[a-z]+)+)."""
    invalid = f"time: invalid duration {_time_quote(s)}"
    rest, neg = s, False
    if rest[:1] in ("-", "+"):
        neg, rest = rest[0] == "-", rest[1:]
    if rest == "0":
        return 0, ""
    if not rest:
        return 0, invalid
    total = 0
    while rest:
        if not (rest[0] == "." or "0" <= rest[0] <= "9"):
            return 0, invalid
        i = 0
        while i < len(rest) and "0" <= rest[i] <= "9":
            i += 1
        whole = int(rest[:i]) if i else 0
        if whole > 2**63:
            return 0, invalid
        pre, rest = i > 0, rest[i:]
        frac, scale, post, overflow = 0, 1, False, False
        if rest[:1] == ".":
            rest = rest[1:]
            i = 0
            while i < len(rest) and "0" <= rest[i] <= "9":
                grown = frac * 10 + int(rest[i])
                if not overflow and frac <= (2**63 - 1) // 10 and grown <= 2**63:
                    frac, scale = grown, scale * 10
                else:  # Go keeps the digits that fit and skips the rest
                    overflow = True
                i += 1
            post, rest = i > 0, rest[i:]
        if not pre and not post:
            return 0, invalid
        i = 0
        while i < len(rest) and not (rest[i] == "." or "0" <= rest[i] <= "9"):
            i += 1
        if i == 0:
            return 0, f"time: missing unit in duration {_time_quote(s)}"
        unit, rest = rest[:i], rest[i:]
        if unit not in NANOSECONDS:
            return 0, f"time: unknown unit {_time_quote(unit)} in duration {_time_quote(s)}"
        nanos = NANOSECONDS[unit]
        if whole > 2**63 // nanos:
            return 0, invalid
        value = whole * nanos + (int(float(frac) * (float(nanos) / scale)) if frac else 0)
        total += value
        if value > 2**63 or total > 2**63:
            return 0, invalid
    if not neg and total > 2**63 - 1:
        return 0, invalid
    return -total if neg else total, ""


def load_location(name: str) -> str:
    """time.LoadLocation against the tz database (kube-apiserver embeds one; so does the
    tzdata package vapi depends on)."""
    if name in ("", "UTC", "Local"):
        return ""
    if ".." in name or name[0] in "/\\":
        return "time: invalid location name"
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return f"unknown time zone {name}"
    return ""


# -- fmt's verbs on the interface{} values of an unstructured object (numbers as apimachinery's
# YAML and JSON decoding leaves them: int64 when the text is an integer in range, else float64)


def format_float(x: float) -> str:
    """%v (and %#v) of a float64: strconv.FormatFloat(x, 'g', -1, 64), the shortest digits
    that read back, in exponent form when the exponent is below -4 or at least 6 (`1e+06`)."""
    if x != x or x in (float("inf"), float("-inf")):
        return {"nan": "NaN", "inf": "+Inf", "-inf": "-Inf"}[repr(x)]
    sign, digit_tuple, exponent = decimal.Decimal(repr(x)).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    point = len(digit_tuple) + int(exponent)  # digits before the decimal point
    lead = "-" if sign else ""
    if not digits:
        return lead + "0"
    exp10 = point - 1
    if exp10 < -4 or exp10 >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{lead}{mantissa}e{'-' if exp10 < 0 else '+'}{abs(exp10):02d}"
    if point <= 0:
        return f"{lead}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return lead + digits + "0" * (point - len(digits))
    return f"{lead}{digits[:point]}.{digits[point:]}"


def _number(n: int | float) -> str:
    if isinstance(n, int) and -(2**63) <= n < 2**63:
        return str(n)
    return format_float(float(n))


def type_name(value: Any) -> str:
    """%T of an unstructured value."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64" if -(2**63) <= value < 2**63 else "float64"
    return {float: "float64", str: "string", list: "[]interface {}"}.get(type(value), "map[string]interface {}")


def sprint_v(value: Any) -> str:
    """%v of an unstructured value: `map[a:1 b:[x <nil>]]`, strings bare."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _number(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "[" + " ".join(sprint_v(v) for v in value) + "]"
    return "map[" + " ".join(f"{k}:{sprint_v(value[k])}" for k in sorted(value)) + "]"


def sprint_sharp_v(value: Any) -> str:
    """%#v of an unstructured value: `map[string]interface {}{"a":[]interface {}{1, "x"}}`."""
    if value is None:
        return "interface {}(nil)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _number(value)
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, list):
        return "[]interface {}{" + ", ".join(sprint_sharp_v(v) for v in value) + "}"
    return "map[string]interface {}{" + ", ".join(f"{quote(k)}:{sprint_sharp_v(value[k])}" for k in sorted(value)) + "}"
