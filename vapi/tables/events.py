"""Events (printers.go printEvent), core and events.k8s.io/v1; the latter are read as the core
Events kube converts them to."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from vapi.tables.cells import Obj, _dict, get, _int, since, _str, _time
from vapi.tables.columns import NAME, Column, col


def _core_event(event: Obj) -> Obj:
    """An events.k8s.io/v1 Event read as the core Event kube converts it to."""
    if not ("regarding" in event or "note" in event or str(event.get("apiVersion", "")).startswith("events.k8s.io/")):
        return event
    renamed = {"regarding": "involvedObject", "note": "message", "deprecatedSource": "source",
               "deprecatedFirstTimestamp": "firstTimestamp", "deprecatedLastTimestamp": "lastTimestamp",
               "deprecatedCount": "count", "reportingController": "reportingComponent"}
    return {renamed.get(k, k): v for k, v in event.items()}


class _EventTimes(NamedTuple):
    last: str
    first: str
    occurrences: int


def _event_times(event: Obj) -> _EventTimes:
    """printers.go printEvent: first and last seen fall back to eventTime; a series overrides
    last seen and count; a singleton counts 1."""
    first = since(event.get("firstTimestamp")) if _time(event.get("firstTimestamp")) else since(event.get("eventTime"))
    last = since(event.get("lastTimestamp")) if _time(event.get("lastTimestamp")) else first
    count = _int(event.get("count"))
    series = event.get("series")
    if isinstance(series, dict):
        last, count = since(series.get("lastObservedTime")), _int(series.get("count"))
    elif count == 0:
        count = 1
    return _EventTimes(last, first, count)


def _event_object(event: Obj) -> str:
    involved = _dict(event.get("involvedObject"))
    kind = _str(involved.get("kind")).lower()
    return f"{kind}/{involved['name']}" if involved.get("name") else kind


def _event_source(event: Obj) -> str:
    """printers.go formatEventSource: component (or reporting controller), then host."""
    component = _str(get(event, "source", "component")) or _str(event.get("reportingComponent"))
    host = _str(get(event, "source", "host")) or _str(event.get("reportingInstance"))
    return f"{component}, {host}" if host else component


def _event_columns(view: Callable[[Obj], Obj]) -> list[Column]:
    return [
        col("Last Seen", lambda o: _event_times(view(o)).last, "The time at which the most recent occurrence of this event was recorded."),
        col("Type", lambda o: _str(view(o).get("type")), "Type of this event (Normal, Warning), new types could be added in the future"),
        col("Reason", lambda o: _str(view(o).get("reason")), "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
        col("Object", lambda o: _event_object(view(o)), "The object that this event is about."),
        col("Subobject", lambda o: _str(get(view(o), "involvedObject", "fieldPath")), "The part of the object this event is about.", wide=True),
        col("Source", lambda o: _event_source(view(o)), "The component reporting this event.", wide=True),
        col("Message", lambda o: _str(view(o).get("message")).strip(), "A human-readable description of the status of this operation."),
        col("First Seen", lambda o: _event_times(view(o)).first, "The time at which the event was first recorded.", wide=True),
        col("Count", lambda o: _event_times(view(o)).occurrences, "The number of times this event has occurred.", wide=True),
        NAME._replace(priority=1),
    ]


COLUMNS: dict[tuple[str, str], list[Column]] = {
    ("", "events"): _event_columns(lambda o: o),
    ("events.k8s.io", "events"): _event_columns(_core_event),
}
