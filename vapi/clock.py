"""Kubernetes timestamps: RFC 3339 in UTC with whole seconds, as metav1.Time serializes, and
`decoded`, what kube-apiserver's decoding of a metav1.Time or metav1.MicroTime field makes of
what a client sent."""

from __future__ import annotations

import datetime
import re
import time
from typing import Any

_cached: tuple[int, str] = (0, "")


def now() -> str:
    """The current time as `2006-01-02T15:04:05Z`, formatted once per second: every write
    stamps one (creationTimestamp, managedFields time), so this sits on the hot path."""
    global _cached
    second = int(time.time())
    if _cached[0] != second:
        _cached = (second, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(second)))
    return _cached[1]


def shifted(stamp: str, seconds: int) -> str:
    """A `2006-01-02T15:04:05Z` time moved by some seconds."""
    t = datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ") + datetime.timedelta(seconds=seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(value: Any) -> datetime.datetime | None:
    """An RFC 3339 time with its zone, or None."""
    if not isinstance(value, str):
        return None
    try:
        t = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo is not None else None


class TimeError(ValueError):
    """Not a time the field's layout parses; the message is Go's time.Parse error."""


TIME_LAYOUT = "2006-01-02T15:04:05Z07:00"  # time.RFC3339, metav1.Time's
MICRO_LAYOUT = "2006-01-02T15:04:05.000000Z07:00"  # metav1.RFC3339Micro, metav1.MicroTime's
_ZONE = ("Z07:00", r"Z|[+-]\d\d:\d\d")
_DATE = [("2006", r"\d{4}"), ("-", "-"), ("01", r"\d\d"), ("-", "-"), ("02", r"\d\d"), ("T", "T"),
         ("15", r"\d\d?"), (":", ":"), ("04", r"\d\d"), (":", ":")]
# the layout's elements in order, each with what it reads; the seconds of RFC3339 take any
# fraction (Go reads one the layout lacks), RFC3339Micro's exactly six digits
_ELEMENTS = {
    False: [*_DATE, ("05", r"\d\d(?:[.,]\d+)?"), _ZONE],
    True: [*_DATE, ("05", r"\d\d"), (".000000", r"[.,]\d{6}"), _ZONE],
}
_STAMP = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d?):(\d\d):(\d\d)(?:[.,](\d+))?(Z|([+-])(\d\d):(\d\d))")


def decoded(value: str, *, micro: bool) -> str:
    """`value` as kube-apiserver stores a metav1.Time (`micro` False: whole seconds) or
    metav1.MicroTime field (`micro`: six fraction digits) it was sent in: parsed with the
    field's layout (apimachinery's Time.UnmarshalJSON, MicroTime.UnmarshalJSON), written in
    UTC. Raises TimeError with time.Parse's message for what the layout does not read."""
    layout = MICRO_LAYOUT if micro else TIME_LAYOUT
    rest = value
    for element, pattern in _ELEMENTS[micro]:
        m = re.match(pattern, rest)
        if m is None:
            raise TimeError(f'parsing time "{value}" as "{layout}": cannot parse "{rest}" as "{element}"')
        rest = rest[m.end():]
    if rest:
        raise TimeError(f'parsing time "{value}": extra text: "{rest}"')
    m = _STAMP.fullmatch(value.replace(",", "."))
    assert m is not None
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    fraction, zone, sign, zone_hours, zone_minutes = m.groups()[6:]
    for name, number, top in (("month", month, 12), ("hour", hour, 23), ("minute", minute, 59), ("second", second, 59)):
        if not (name == "month" and number == 0) and number <= top:
            continue
        raise TimeError(f'parsing time "{value}": {name} out of range')
    offset = datetime.timedelta()
    if zone != "Z":
        offset = datetime.timedelta(hours=int(zone_hours), minutes=int(zone_minutes)) * (-1 if sign == "-" else 1)
    try:
        stamp = datetime.datetime(year, month, day, hour, minute, second, int((fraction or "0")[:6].ljust(6, "0")),
                                  tzinfo=datetime.timezone(offset))
    except ValueError:
        raise TimeError(f'parsing time "{value}": day out of range') from None
    utc = stamp.astimezone(datetime.timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.%fZ" if micro else "%Y-%m-%dT%H:%M:%SZ")
