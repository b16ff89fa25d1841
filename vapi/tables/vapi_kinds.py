"""vapi's own kinds: tenancy (workspaces, access grants and tokens) and edge (clusters,
placements, status summaries and reported statuses)."""

from __future__ import annotations

from vapi.tables.cells import Obj, format_labels, get
from vapi.tables.columns import AGE, NAME, Column, col, _field


def _condition(obj: Obj, kind: str) -> str:
    for c in get(obj, "status", "conditions", default=[]) or []:
        if isinstance(c, dict) and c.get("type") == kind:
            return str(c.get("status", "Unknown"))
    return "Unknown"


COLUMNS: dict[tuple[str, str], list[Column]] = {
    ("tenancy.vapi.dev", "workspaces"): [
        NAME,
        col("Phase", _field("status", "phase")),
        col("URL", _field("status", "URL")),
        AGE,
    ],
    ("tenancy.vapi.dev", "accessgrants"): [
        NAME,
        col("Subject", lambda o: f"{get(o, 'spec', 'subject', 'kind', default='')}/{get(o, 'spec', 'subject', 'name', default='')}"),
        col("Role", _field("spec", "role")),
        AGE,
    ],
    ("tenancy.vapi.dev", "accesstokens"): [
        NAME,
        col("User", _field("spec", "user")),
        col("Groups", lambda o: ",".join(str(g) for g in get(o, "spec", "groups", default=[]) or []) or "<none>"),
        col("Expires", lambda o: get(o, "spec", "expirationTimestamp", default="<never>")),
        AGE,
    ],
    ("edge.vapi.dev", "edgeclusters"): [
        NAME,
        col("Ready", lambda o: _condition(o, "Ready")),
        col("Synced", lambda o: _condition(o, "Synced")),
        col("Applied", lambda o: get(o, "status", "objectsApplied", default=0), kind="integer"),
        col("Failing", lambda o: get(o, "status", "objectsFailing", default=0), kind="integer"),
        col("Heartbeat", lambda o: get(o, "status", "lastHeartbeatTime", default="<none>")),
        col("Labels", lambda o: format_labels(get(o, "metadata", "labels")), wide=True),
        AGE,
    ],
    ("edge.vapi.dev", "statussummaries"): [
        NAME,
        col("Placement", _field("spec", "placement")),
        col("Object", lambda o: f"{str(get(o, 'spec', 'object', 'kind', default='')).lower()}/{get(o, 'spec', 'object', 'name', default='')}"),
        col("Clusters", lambda o: get(o, "status", "clusters", default=0), kind="integer"),
        col("Observed", lambda o: get(o, "status", "observed", default=0), kind="integer"),
        col("Ready", lambda o: get(o, "status", "ready", default=0), kind="integer"),
        col("Attention", lambda o: get(o, "status", "attention", default=0), kind="integer"),
        AGE,
    ],
    ("edge.vapi.dev", "reportedstatuses"): [
        NAME,
        col("Cluster", _field("spec", "cluster")),
        col("Object", lambda o: f"{str(get(o, 'spec', 'object', 'kind', default='')).lower()}/{get(o, 'spec', 'object', 'name', default='')}"),
        col("Observed", lambda o: str(get(o, "status", "observedGeneration", default="<none>"))),
        AGE,
    ],
    ("edge.vapi.dev", "placements"): [
        NAME,
        col("Clusters", lambda o: get(o, "status", "clusters", default=0), kind="integer"),
        col("Objects", lambda o: get(o, "status", "objects", default=0), kind="integer"),
        col("Errors", lambda o: len(get(o, "status", "errors", default=[]) or []), kind="integer"),
        AGE,
    ],
}
