"""Reading objects and printing their fields, as the Go printers do: times and durations, the
tolerant field reads a printer makes of an object that may lack any field, quantities, labels and
label selectors (k8s.io/apimachinery). Every cell that prints how long ago something happened reads
the clock through `_now`, the one place a test pins it."""

from __future__ import annotations

import datetime
from typing import Any

from vapi import clock, quantity

Obj = dict[str, Any]


def human_duration(seconds: float) -> str:
    """k8s.io/apimachinery/pkg/util/duration.HumanDuration."""
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 120:
        return f"{s}s"
    m = s // 60
    if m < 10:
        return f"{m}m{s % 60}s" if s % 60 else f"{m}m"
    if m < 180:
        return f"{m}m"
    h = m // 60
    if h < 8:
        return f"{h}h{m % 60}m" if m % 60 else f"{h}h"
    if h < 48:
        return f"{h}h"
    if h < 24 * 8:
        return f"{h // 24}d{h % 24}h" if h % 24 else f"{h // 24}d"
    if h < 24 * 365 * 2:
        return f"{h // 24}d"
    y = h // (24 * 365)
    if h < 24 * 365 * 8:
        days = (h // 24) % 365
        return f"{y}y{days}d" if days else f"{y}y"
    return f"{y}y"


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _time(value: Any) -> datetime.datetime | None:
    """A metav1.Time, or None for an unset (or unreadable, or zero) one."""
    t = clock.parse(value)
    return None if t is None or t.year <= 1 else t


def _later(a: datetime.datetime | None, b: datetime.datetime | None) -> datetime.datetime | None:
    if a is None:
        return b
    return b if b is not None and b > a else a


def since(value: Any) -> str:
    """printers.go translateTimestampSince: how long ago, `<unknown>` for an unset time."""
    t = _time(value)
    return "<unknown>" if t is None else human_duration((_now() - t).total_seconds())


def age(obj: Obj) -> str:
    return since(get(obj, "metadata", "creationTimestamp"))


def _created_at(obj: Obj) -> str:
    """rest.defaultTableConvertor: the creation time in RFC 3339, the zero time when unset."""
    t = clock.parse(get(obj, "metadata", "creationTimestamp"))
    if t is None:
        return "0001-01-01T00:00:00Z"
    return t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def get(obj: Obj, *path: str, default: Any = None) -> Any:
    cur: Any = obj
    for p in path:
        if not isinstance(cur, dict):
            return default
        cur = cur.get(p)
    return default if cur is None else cur


def name(obj: Obj) -> str:
    return str(get(obj, "metadata", "name", default=""))


def _dict(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> list[Obj]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _str(value: Any) -> str:
    return "" if value is None else str(value)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _or(value: Any, fallback: str) -> str:
    """A string field, or `fallback` when it is unset (a nil pointer in the Go printer)."""
    return fallback if value is None else str(value)


def _nonempty(value: Any, fallback: str) -> str:
    return str(value) if value else fallback


def _deleting(obj: Obj) -> bool:
    return get(obj, "metadata", "deletionTimestamp") is not None


def _condition_true(conditions: Any, kind: str) -> bool:
    """The first condition of the type is True (printers.go hasJobCondition and kin)."""
    for c in _dicts(conditions):
        if c.get("type") == kind:
            return c.get("status") == "True"
    return False


def _bool_text(value: Any) -> str:
    """printers.go printBoolPtr."""
    return "<unset>" if value is None else ("True" if value else "False")


def _quantity(value: Any) -> str:
    """A resource.Quantity's String(); the zero quantity when unset. Stored quantities are
    canonical already; one that is not a quantity is printed as it is."""
    if value is None:
        return "0"
    try:
        return quantity.normalized(value)
    except quantity.QuantityError:
        return str(value)


def _quantity_ptr(value: Any) -> str:
    """(*resource.Quantity).String() of an optional quantity: `<nil>` when unset."""
    return "<nil>" if value is None else _quantity(value)


def format_labels(labels: Any) -> str:
    """labels.FormatLabels: `k=v` pairs sorted, `<none>` for none."""
    pairs = sorted(f"{k}={v}" for k, v in _dict(labels).items())
    return ",".join(pairs) or "<none>"


def _selector_string(selector: Any) -> str | None:
    """metav1.LabelSelectorAsSelector(selector).String(): "" for a nil or empty selector,
    None for one that does not convert (an unknown operator, In without values)."""
    if not isinstance(selector, dict):
        return ""
    reqs: list[tuple[str, str]] = [(str(k), f"{k}={v}") for k, v in _dict(selector.get("matchLabels")).items()]
    for e in _dicts(selector.get("matchExpressions")):
        key, op = str(e.get("key", "")), e.get("operator")
        values = [str(v) for v in e.get("values") or []]
        if op in ("In", "NotIn"):
            if not values:
                return None
            reqs.append((key, f"{key} {'in' if op == 'In' else 'notin'} ({','.join(sorted(values))})"))
        elif op in ("Exists", "DoesNotExist"):
            if values:
                return None
            reqs.append((key, key if op == "Exists" else f"!{key}"))
        else:
            return None
    reqs.sort(key=lambda r: r[0])
    return ",".join(text for _, text in reqs)


def format_label_selector(selector: Any) -> str:
    """metav1.FormatLabelSelector: `app=web,env in (prod,stage)`, `<none>`, or `<error>`."""
    text = _selector_string(selector)
    if text is None:
        return "<error>"
    return text or "<none>"


def _with_more(items: list[str], total: int, limit: int = 3, empty: str = "<unset>") -> str:
    """printers.go listWithMoreString: the first `limit` items and `+ N more...`."""
    text = ",".join(items[:limit])
    if total > limit:
        return f"{text} + {total - limit} more..."
    return text or empty
