"""core/v1 and events.k8s.io/v1 Events are one resource in two versions, as in kube-apiserver:
its events.k8s.io REST storage is the core event storage (pkg/registry/events/rest), so an
event created through either API is read, listed, watched and described through both, and
`kubectl describe` (which lists core events by involvedObject) shows events a controller
wrote with events.k8s.io/v1.

Stored objects keep the version they were written in; reading one through the other version
renames its fields as k8s.io/kubernetes/pkg/apis/events/v1/conversion.go does (regarding is
involvedObject, note is message, reportingController is reportingComponent, the deprecated*
fields are the core event's source, timestamps and count), then encodes it as the Go type of
the version asked for (`source: {}`, `deprecatedFirstTimestamp: null`, ...)."""

from __future__ import annotations

from typing import Any

from vapi import kubeproto

Obj = dict[str, Any]

CORE = "v1"
EVENTS = "events.k8s.io/v1"

# events.k8s.io/v1 field -> core/v1 field, for the fields the two name differently; every
# other field (reason, type, action, eventTime, series, related, reportingInstance) is shared
_RENAMED = {
    "regarding": "involvedObject",
    "note": "message",
    "reportingController": "reportingComponent",
    "deprecatedSource": "source",
    "deprecatedFirstTimestamp": "firstTimestamp",
    "deprecatedLastTimestamp": "lastTimestamp",
    "deprecatedCount": "count",
}
_TO_CORE = _RENAMED
_TO_EVENTS = {core: events for events, core in _RENAMED.items()}


def shares_storage(group: str, resource: str, *, builtin: bool) -> bool:
    """Whether a resource is one of the two event APIs."""
    return builtin and resource == "events" and group in ("", "events.k8s.io")


def convert(obj: Obj, api_version: str) -> Obj:
    """The event `obj` (in either version) in `api_version`, in place; unchanged if it is
    already there."""
    if obj.get("apiVersion") == api_version or api_version not in (CORE, EVENTS):
        return obj
    names = _TO_EVENTS if api_version == EVENTS else _TO_CORE
    for field in [f for f in obj if f in names]:
        value = obj.pop(field)
        if value is not None:
            obj[names[field]] = value
    if api_version == EVENTS:  # omitempty there, not in core/v1: a core event's "" is no value
        for field in ("reportingController", "reportingInstance"):
            if obj.get(field) == "":
                obj.pop(field)
    obj["apiVersion"] = api_version
    kubeproto.as_encoded(obj, f"{kubeproto.package(api_version)}.Event")
    return obj
