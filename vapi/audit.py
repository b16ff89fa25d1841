"""The audit log: one JSON line per write and per denied request, in the shape of
kube-apiserver's `audit.k8s.io/v1` Event at level Metadata, plus the workspace.

Only metadata is recorded (who, verb, object reference, workspace, result code), never a
request or response body and never a credential, so Secret data cannot reach the log.
"""

from __future__ import annotations

import logging
import sys
from typing import IO, Any

import orjson

from vapi import access, clock, ids
from vapi.requestinfo import RequestInfo

log = logging.getLogger("vapi.audit")

WRITES = frozenset({"create", "update", "patch", "delete", "deletecollection"})


def wanted(info: RequestInfo | None, code: int) -> bool:
    """Writes, whatever their outcome, and every request refused for who sent it."""
    return code in (401, 403) or (info is not None and info.is_resource and info.verb in WRITES)


class AuditLog:
    """Appends to a file ("-" is stdout, "" turns the log off); each line is flushed as
    written, so a crash loses at most the line being written."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._out: IO[bytes] | None = None
        if path == "-":
            self._out = sys.stdout.buffer
        elif path:
            self._out = open(path, "ab", buffering=0)

    def record(self, *, user: access.User | None, info: RequestInfo | None, name: str, workspace: str, code: int,
               method: str, uri: str, source: str, received: str, impersonated: access.User | None = None) -> None:
        if self._out is None or not wanted(info, code):
            return
        event: dict[str, Any] = {
            "kind": "Event",
            "apiVersion": "audit.k8s.io/v1",
            "level": "Metadata",
            "auditID": ids.new_uid(),
            "stage": "ResponseComplete",
            "requestURI": uri,
            "verb": info.verb if info is not None else method.lower(),
            "user": {"username": user.name, "groups": list(user.all_groups)} if user is not None
                    else {"username": "system:anonymous", "groups": ["system:unauthenticated"]},
            "sourceIPs": [source] if source else [],
            "workspace": workspace,
            "responseStatus": {"metadata": {}, "code": code},
            "requestReceivedTimestamp": received,
            "stageTimestamp": clock.now(),
        }
        if impersonated is not None:
            event["impersonatedUser"] = {"username": impersonated.name, "groups": list(impersonated.all_groups)}
        if info is not None and info.is_resource:
            ref = {"resource": info.resource, "namespace": info.namespace, "name": info.name or name,
                   "apiGroup": info.group, "apiVersion": info.version, "subresource": info.subresource}
            event["objectRef"] = {k: v for k, v in ref.items() if v}
        try:
            self._out.write(orjson.dumps(event) + b"\n")
        except OSError as e:
            log.error("audit log %s: %s", self.path or "stdout", e)

    def close(self) -> None:
        if self._out is not None and self.path not in ("", "-"):
            self._out.close()
        self._out = None
