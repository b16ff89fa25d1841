"""OpenAPI schemas of vapi's own kinds (vapi/resources.py `VAPI_GROUPS`), in the JSON Schema
form `vapi.schemas` loads for the built-in kinds (kubernetes-validate's: `$ref`s into `#/$defs/`,
`x-kubernetes-*` metadata), so that they are served in /openapi/v2 and /openapi/v3, explained by
`kubectl explain`, and applied on writes (unknown fields, JSON types, server-side apply's list
keys) exactly as the built-in kinds' are.

Each schema says what the code reads and writes, no more: vapi/placement.py and
vapi/summaries.py (Placement), syncer/agent.py and vapi/liveness.py (EdgeCluster status),
vapi/reports.py (StatusSummary, ReportedStatus), vapi/syncview.py (Placement status),
vapi/access.py, vapi/tokens.py and vapi/quota.py (tenancy). Definitions are named as
kube-apiserver names those of an API group (`dev.vapi.edge.v1alpha1.PlacementSpec`); their
Go-like names appear in decoding errors (`Go struct field EdgeClusterSpec.spec.properties`).
`required` is said only where vapi's validation refuses an absent or empty value anyway
(vapi/kindrules.py enforces what a schema requires outside status), and list-map keys are
required, as server-side apply needs them.

`REFUSED` marks the objects whose unknown fields vapi's own validation refuses (422) rather
than letting them be dropped: a misspelt `matchLabels` or `apiGroups` would widen what a
placement selects. Under fieldValidation=Strict they are refused as any unknown field is;
otherwise they are kept for that validation to name. The mark is not published.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

REFUSED = "x-vapi-unknown-fields-refused"
META = "io.k8s.apimachinery.pkg.apis.meta.v1."
GROUPS = {"edge.vapi.dev": "dev.vapi.edge.v1alpha1.", "tenancy.vapi.dev": "dev.vapi.tenancy.v1alpha1."}
EDGE = GROUPS["edge.vapi.dev"]
TENANCY = GROUPS["tenancy.vapi.dev"]
VERSION = "v1alpha1"


def _ref(name: str, description: str, **extra: Any) -> Schema:
    return {"$ref": f"#/$defs/{name}", "description": description, **extra}


def _string(description: str, **extra: Any) -> Schema:
    return {"type": "string", "description": description, **extra}


def _integer(description: str, fmt: str = "int64") -> Schema:
    return {"type": "integer", "format": fmt, "description": description}


def _boolean(description: str) -> Schema:
    return {"type": "boolean", "description": description}


def _strings(description: str) -> Schema:
    return {"type": "array", "items": {"type": "string"}, "description": description, "x-kubernetes-list-type": "atomic"}


def _list(item: str, description: str, *keys: str) -> Schema:
    """A list of `item` definitions: a map keyed by `keys` (server-side apply merges its items
    by them), else atomic (replaced whole)."""
    out: Schema = {"type": "array", "items": {"$ref": f"#/$defs/{item}"}, "description": description}
    if keys:
        out.update({"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": list(keys)})
    else:
        out["x-kubernetes-list-type"] = "atomic"
    return out


def _struct(description: str, properties: dict[str, Schema], *, required: tuple[str, ...] = (),
            refused: bool = False) -> Schema:
    out: Schema = {"type": "object", "description": description, "properties": properties}
    if required:
        out["required"] = list(required)
    if refused:
        out[REFUSED] = True
    return out


def _selector(description: str) -> Schema:
    return _ref(META + "LabelSelector", description, **{REFUSED: True})


ANY = {"x-kubernetes-preserve-unknown-fields": True}


def _kind(group: str, kind: str, description: str, spec: str | None, status: str | None,
          spec_text: str = "", status_text: str = "") -> dict[str, Schema]:
    """A kind's definition and its list's, as kube-apiserver publishes both."""
    prefix = GROUPS[group]
    props: dict[str, Schema] = {
        "apiVersion": _string("APIVersion defines the versioned schema of this representation of an object. Servers should "
                              "convert recognized schemas to the latest internal value, and may reject unrecognized values. "
                              "More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources"),
        "kind": _string("Kind is a string value representing the REST resource this object represents. Servers may infer "
                        "this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: "
                        "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds"),
        "metadata": _ref(META + "ObjectMeta", "Standard object's metadata. More info: "
                         "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata"),
    }
    if spec is not None:
        props["spec"] = _ref(prefix + spec, spec_text)
    if status is not None:
        props["status"] = _ref(prefix + status, status_text)
    listed = dict(props)
    listed.pop("spec", None)
    listed.pop("status", None)
    listed["metadata"] = _ref(META + "ListMeta", "Standard list metadata.")
    listed["items"] = {"type": "array", "items": {"$ref": f"#/$defs/{prefix}{kind}"}, "description": f"The {kind}s."}
    return {
        prefix + kind: {"type": "object", "description": description, "properties": props,
                        "x-kubernetes-group-version-kind": [{"group": group, "version": VERSION, "kind": kind}]},
        prefix + kind + "List": {"type": "object", "description": f"A list of {kind}s.", "properties": listed,
                                 "required": ["items"],
                                 "x-kubernetes-group-version-kind": [{"group": group, "version": VERSION, "kind": kind + "List"}]},
    }


def _conditions(description: str) -> Schema:
    return _list(META + "Condition", description, "type")


# -- tenancy.vapi.dev ------------------------------------------------------------------------

_TENANCY: dict[str, Schema] = {
    **_kind("tenancy.vapi.dev", "Workspace",
            "A child workspace of the workspace that holds this object, served at /clusters/<parent>:<name>. Deleting "
            "it deletes its subtree and everything in it.",
            "WorkspaceSpec", "WorkspaceStatus", "What the workspace may hold.", "Where the workspace is served."),
    TENANCY + "WorkspaceSpec": _struct("What the workspace may hold.", {
        "quota": _ref(TENANCY + "WorkspaceQuota", "Limits of the workspace. Absent: the server's --workspace-object-quota."),
    }),
    TENANCY + "WorkspaceQuota": _struct("Limits of a workspace.", {
        "objects": _integer("The most objects the workspace may store; creates beyond it get 403 Forbidden (updates and "
                            "deletes never do). 0: no limit."),
    }),
    TENANCY + "WorkspaceStatus": _struct("Where the workspace is served; set when it is created.", {
        "phase": _string("Ready once the workspace exists."),
        "URL": _string("The server URL of the workspace (…/clusters/<path>), as a kubeconfig names it."),
    }),
    **_kind("tenancy.vapi.dev", "AccessGrant",
            "Gives a user or group a role on the workspace that holds it and on every workspace below it. vapi decides "
            "access by these grants alone: RBAC objects in workspaces grant nothing.",
            "AccessGrantSpec", None, "Who gets which role."),
    TENANCY + "AccessGrantSpec": _struct("Who gets which role.", {
        "subject": _ref(TENANCY + "Subject", "The user or group the role is given to."),
        "role": _string("view: get, list and watch. edit: view, plus writes, except grants and child workspaces. "
                        "admin: everything, grants and child workspaces included.", enum=["view", "edit", "admin"]),
    }, required=("subject", "role")),
    TENANCY + "Subject": _struct("A user or a group, as authentication names them.", {
        "kind": _string("User or Group.", enum=["User", "Group"]),
        "name": _string("The user's or group's name (a client certificate's CN or O, a token's user or groups)."),
    }, required=("kind", "name")),
    **_kind("tenancy.vapi.dev", "AccessToken",
            "A bearer token vapi issued, valid in the root workspace only: it holds the token's digest, never the token. "
            "Deleting it revokes the token at once.",
            "AccessTokenSpec", None, "Whom the token authenticates, and until when."),
    TENANCY + "AccessTokenSpec": _struct("Whom the token authenticates, and until when.", {
        "user": _string("The user the token authenticates as."),
        "groups": _strings("The groups of that user."),
        "tokenHash": _string('The SHA-256 digest of the token\'s secret: "sha256:" and 64 lowercase hex digits.'),
        "expirationTimestamp": _ref(META + "Time", "When the token stops being valid (RFC 3339). Absent: never."),
        "audiences": _strings("The audiences the token is valid for (a service account token's)."),
        "workspace": _string("For a service account token: the only workspace where it is valid."),
        "serviceAccount": _ref(TENANCY + "ServiceAccountReference",
                               "For a service account token: the account it stands for; the token dies with it."),
    }, required=("user", "tokenHash")),
    TENANCY + "ServiceAccountReference": _struct("A service account, by namespace, name and uid.", {
        "namespace": _string("The service account's namespace."),
        "name": _string("The service account's name."),
        "uid": _string("The service account's uid: a new account of the same name is another account."),
    }),
}


# -- edge.vapi.dev ---------------------------------------------------------------------------

_SELECTION_NOTE = "May hold * wildcards."

_EDGE_CLUSTER: dict[str, Schema] = {
    **_kind("edge.vapi.dev", "EdgeCluster",
            "An edge cluster of the inventory: its labels select it (a Placement's clusterSelector), its properties "
            "customize what it gets ($(cluster.properties.<name>)), its status is kept fresh by its syncer.",
            "EdgeClusterSpec", "EdgeClusterStatus", "The cluster's named properties.",
            "What the cluster's syncer last reported."),
    EDGE + "EdgeClusterSpec": _struct("The cluster's named properties.", {
        "properties": {"type": "object", "additionalProperties": {"type": "string"},
                       "description": "Named values that customizations refer to as $(cluster.properties.<name>) and that "
                                      "clusterPredicate reads as cluster.properties (an image registry, a replica count)."},
    }),
    EDGE + "EdgeClusterStatus": _struct("What the cluster's syncer last reported.", {
        "lastHeartbeatTime": _ref(META + "Time", "When the syncer last reported. Without a heartbeat for the server's "
                                                 "--edge-heartbeat-grace, the Ready condition turns Unknown (HeartbeatMissed)."),
        "syncerVersion": _string("The version of the syncer."),
        "viewResourceVersion": _string("The resourceVersion of the sync view the syncer has seen."),
        "objectsApplied": _integer("How many objects of the view are applied at the edge.", "int32"),
        "objectsFailing": _integer("How many objects of the view the edge refused.", "int32"),
        "failures": _list(EDGE + "SyncFailure", "The first objects the edge refused, with why."),
        "conditions": _conditions("Ready (the syncer is connected) and Synced (every object of the view is applied)."),
    }),
    EDGE + "SyncFailure": _struct("An object of the view the edge refused.", {
        "object": _string("The object: kind, namespace and name."),
        "message": _string("Why the edge refused it."),
    }),
}

def _summary_properties() -> Schema:
    return _struct("A summary of the clusters' status: CEL expressions over cluster (name, labels, properties), obj (the "
                   "workspace object), status (the cluster's copy's status) and associated. An expression that cannot "
                   "be evaluated for a cluster leaves that value out and counts in evaluationErrors.", {
        "name": _string("The summary's name, unique in the placement."),
        "filter": _string("A CEL expression: only clusters where it is true count."),
        "groupBy": _strings("CEL expressions whose values make the group key."),
        "aggregates": _list(EDGE + "Aggregate", "Values computed per group (count, sum, avg, min, max)."),
        "select": {"type": "array", "x-kubernetes-list-type": "atomic",
                   "items": {**ANY, "description": "A CEL expression, or {name, expression}."},
                   "description": "Per-cluster rows: each item a CEL expression, or {name, expression}."},
        "orderBy": _string("A CEL expression the rows are sorted by. Default: the cluster name."),
        "limit": _integer("How many rows (and clusters on the attention list) are shown; default 20, at most 1000.", "int32"),
        "attention": {**ANY, "description": "The clusters that need a look: a CEL predicate, or {expression, limit} to "
                                            "cap that list on its own. A cluster it cannot be evaluated for is listed too."},
    }, required=("name",), refused=True)


_PLACEMENT: dict[str, Schema] = {
    **_kind("edge.vapi.dev", "Placement",
            "What goes where, and how it differs per cluster: workspace objects (spec.objects) sent to the edge "
            "clusters of the inventory that spec.clusterSelector and spec.clusterPredicate select, customized per "
            "cluster, with their reported status collected back.",
            "PlacementSpec", "PlacementStatus", "What goes where, how it differs and what comes back.",
            "What the placement selects, and the (object, cluster) pairs it could not make."),
    EDGE + "PlacementSpec": _struct("What goes where, how it differs and what comes back.", {
        "clusterSelector": _selector("Which EdgeClusters the placement selects, by their labels. Absent or empty: every "
                                     "cluster."),
        "clusterPredicate": _string("A CEL expression over cluster.name, cluster.labels and cluster.properties; a cluster "
                                    "is selected only where it is true. A cluster it cannot be evaluated for (a missing "
                                    "property) is left out and named in status.errors."),
        "objects": _list(EDGE + "ObjectSelector", "Which objects of the workspace go to the selected clusters: those "
                         "matching any entry (entries are ORed, the fields of one entry ANDed). vapi's own kinds and "
                         "cluster-local kinds (events, leases, nodes, endpoints, pods, ...) are never sent."),
        "customizations": _list(EDGE + "Customization", "How each cluster's copy differs: rules applied in order, each "
                                "to the clusters and objects it selects. A rule that fails for an (object, cluster) pair "
                                "(a missing property) leaves that pair out, named in status.errors."),
        "localFields": _list(EDGE + "LocalField", "Fields the edge owns once an object exists there (spec.replicas under "
                             "a local HPA): set when the copy is created, never overwritten."),
        "createOnly": _list(EDGE + "ObjectTarget", "Objects created at the edge once and then left alone."),
        "statusCollection": _ref(EDGE + "StatusCollection", "What comes back from the edges: the merged status written "
                                 "into each object, summaries, full per-cluster copies."),
    }),
    EDGE + "ObjectSelector": _struct("Workspace objects, by group, resource, namespace, name and labels; every field "
                                     "given must match.", {
        "apiGroup": _string('The API group ("" for the core group, the default). ' + _SELECTION_NOTE),
        "resources": _strings("Resource names (plural, lowercase: deployments). Absent: every resource. " + _SELECTION_NOTE),
        "namespaces": _strings("Namespaces of namespaced objects; cluster-scoped objects match only when the list holds "
                               "*. Absent: every namespace, and cluster-scoped objects. " + _SELECTION_NOTE),
        "names": _strings("Object names. Absent: every name. " + _SELECTION_NOTE),
        "labelSelector": _selector("The objects' labels. Absent: any labels."),
        "namespaceSelector": _selector("The labels of the object's namespace (for a Namespace, its own). Absent: any."),
    }, refused=True),
    EDGE + "Customization": _struct("One customization rule: exactly one of mergePatch and jsonPatch, whose strings may "
                                    "hold $(cluster.name), $(cluster.labels.<key>) and $(cluster.properties.<key>) "
                                    "(a whole-string reference takes the type of the field it sets).", {
        "clusterSelector": _selector("The clusters the rule applies to, by their labels. Absent: every selected cluster."),
        "target": _ref(EDGE + "ObjectTarget", "The objects the rule applies to. Absent: every object.", **{REFUSED: True}),
        "mergePatch": {"type": "object", "x-kubernetes-preserve-unknown-fields": True,
                       "description": "A merge patch of the object; lists of built-in kinds merge by their strategic "
                                      "merge keys (containers by name)."},
        "jsonPatch": _list(EDGE + "JSONPatchOperation", "A JSON patch (RFC 6902) of the object."),
    }, refused=True),
    EDGE + "ObjectTarget": _struct("Objects, by group, resource, namespace and name; every field given must match.", {
        "apiGroup": _string('The API group ("" for the core group, the default). ' + _SELECTION_NOTE),
        "resource": _string("The resource name (plural, lowercase). Absent: any. " + _SELECTION_NOTE),
        "namespace": _string("The namespace. Absent: any. " + _SELECTION_NOTE),
        "name": _string("The object name. Absent: any. " + _SELECTION_NOTE),
    }, refused=True),
    EDGE + "JSONPatchOperation": _struct("One JSON patch operation (RFC 6902).", {
        "op": _string("The operation.", enum=["add", "remove", "replace", "move", "copy", "test"]),
        "path": _string('A JSON pointer: "" or starting with "/".'),
        "from": _string("For move and copy: the JSON pointer of the source."),
        "value": {**ANY, "description": "For add, replace and test: the value (any JSON)."},
    }, required=("op",)),  # path "" is the whole object: a required string may not be empty
    EDGE + "LocalField": _struct("A field the edge owns after creation, in objects of some resources.", {
        "apiGroup": _string('The API group ("" for the core group, the default). ' + _SELECTION_NOTE),
        "resource": _string("The resource name (plural, lowercase). Absent: any. " + _SELECTION_NOTE),
        "path": _string("The field, dotted (spec.replicas)."),
    }, required=("path",), refused=True),
    EDGE + "StatusCollection": _struct("What comes back from the edges. The summary fields (filter, groupBy, "
                                       "aggregates, select, orderBy, limit, attention) may be written here directly: one "
                                       "summary named default.", {
        "writeBack": _boolean("Whether the edges' status, merged, is written into each object's .status (with the "
                              "vapi.dev/clusters annotation), where kubectl rollout status, helm --wait and kstatus read "
                              "it. Default true."),
        "full": _boolean("Whether each cluster's status of each object is kept as a ReportedStatus. Default false."),
        "associated": _list(EDGE + "AssociatedKind", "Objects the edge makes for each placed object (ReplicaSets, Pods, "
                            "reports) reported with it, summarized, for CEL expressions as `associated`."),
        "summaries": _list(EDGE + "Summary", "SQL-like summaries of the clusters' status, kept in a StatusSummary per "
                           "(object, placement).", "name"),
        **{k: v for k, v in _summary_properties()["properties"].items() if k != "name"},
    }, refused=True),
    EDGE + "AssociatedKind": _struct("A kind of edge-made object reported with each placed object.", {
        "apiVersion": _string("Its apiVersion (apps/v1)."),
        "kind": _string("Its kind (ReplicaSet)."),
        "via": _string("owner (the default): those the placed object owns, down the owner chain; labels: those "
                       "labelSelector selects in the object's namespace.", enum=["owner", "labels"]),
        "labelSelector": _selector("For via: labels, which objects."),
    }, refused=True),
    EDGE + "Summary": _summary_properties(),
    EDGE + "Aggregate": _struct("An aggregate over the clusters of a group: function and expression, or the short form "
                                "{sum: <expression>} ({count: true}).", {
        "name": _string("The name of the value in the summary. Default: the function and expression."),
        "function": _string("How values are combined.", enum=["count", "sum", "avg", "min", "max"]),
        "expression": _string("A CEL expression giving a number (not for count)."),
        "count": _boolean("Short form of function: count."),
        "sum": _string("Short form of function: sum, with this expression."),
        "avg": _string("Short form of function: avg, with this expression."),
        "min": _string("Short form of function: min, with this expression."),
        "max": _string("Short form of function: max, with this expression."),
    }, refused=True),
    EDGE + "PlacementStatus": _struct("What the placement selects, and the (object, cluster) pairs it could not make.", {
        "clusters": _integer("How many clusters it selects.", "int32"),
        "objects": _integer("How many objects it selects.", "int32"),
        "errorCount": _integer("How many (object, cluster) pairs are left out.", "int32"),
        "errors": _strings("Why pairs are left out (a missing property, two placements customizing one object "
                           "differently for one cluster, a predicate that cannot be evaluated), the first ones."),
        "conditions": _conditions("Valid: whether the spec compiles."),
        "observedGeneration": _integer("The generation of the spec this status is about."),
    }),
}


_RESULTS: dict[str, Schema] = {
    **_kind("edge.vapi.dev", "StatusSummary",
            "The summaries one placement asks for of one workspace object, kept up to date by vapi as the edges "
            "report.", "StatusSummarySpec", "StatusSummaryStatus", "Which placement and object.",
            "The summaries."),
    EDGE + "StatusSummarySpec": _struct("Which placement and object.", {
        "placement": _string("The placement's name."),
        "object": _ref(EDGE + "ObjectReference", "The workspace object."),
    }),
    EDGE + "ObjectReference": _struct("A workspace object.", {
        "apiVersion": _string("Its apiVersion."),
        "kind": _string("Its kind."),
        "namespace": _string("Its namespace (empty for a cluster-scoped object)."),
        "name": _string("Its name."),
    }),
    EDGE + "StatusSummaryStatus": _struct("Where the object stands across the clusters selected for it.", {
        "clusters": _integer("How many clusters are selected for the object.", "int32"),
        "reporting": _integer("How many of them report it.", "int32"),
        "observed": _integer("How many have observed its current generation.", "int32"),
        "ready": _integer("How many are done with it (a Deployment rolled out, a Job complete, a Ready condition).", "int32"),
        "attention": _integer("How many clusters the summaries' attention lists count, in all.", "int32"),
        "summaries": _list(EDGE + "SummaryResult", "One result per summary of the placement.", "name"),
    }),
    EDGE + "SummaryResult": _struct("The result of one summary.", {
        "name": _string("The summary's name."),
        "clusters": _integer("How many clusters contribute.", "int32"),
        "groups": _list(EDGE + "SummaryGroup", "One entry per group, in the order of their keys."),
        "rows": {"type": "array", "x-kubernetes-list-type": "atomic",
                 "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": True,
                           "properties": {"cluster": _string("The cluster.")},
                           "description": "The cluster, and the value of each select expression by its name."},
                 "description": "Per-cluster rows, ordered by orderBy, the first limit of them."},
        "attention": _ref(EDGE + "AttentionList", "The clusters where the attention predicate holds (or cannot be "
                                                  "evaluated)."),
        "evaluationErrors": _integer("How many expression values could not be evaluated.", "int32"),
    }, required=("name",)),
    EDGE + "SummaryGroup": _struct("One group of clusters.", {
        "key": {"type": "object", "additionalProperties": ANY,
                "description": "The value of each groupBy expression, by the expression."},
        "values": {"type": "object", "additionalProperties": {"type": "number"},
                   "description": "The value of each aggregate, by its name (null when no cluster gives one)."},
    }),
    EDGE + "AttentionList": _struct("Clusters that need a look.", {
        "count": _integer("How many.", "int32"),
        "clusters": _strings("Their names, sorted, the first limit of them."),
    }),
    **_kind("edge.vapi.dev", "ReportedStatus",
            "One cluster's reported status of one workspace object, kept when a placement asks for full copies "
            "(statusCollection.full). Labelled edge.vapi.dev/cluster and edge.vapi.dev/placement.",
            "ReportedStatusSpec", "ReportedStatusStatus", "Which cluster and object.", "The status the cluster reported."),
    EDGE + "ReportedStatusSpec": _struct("Which cluster and object.", {
        "cluster": _string("The edge cluster."),
        "object": _ref(EDGE + "ObjectReference", "The workspace object."),
    }),
    EDGE + "ReportedStatusStatus": {
        "type": "object", "x-kubernetes-preserve-unknown-fields": True,
        "description": "The edge copy's status as the cluster reported it, with the generations in the center's terms.",
        "properties": {
            "generation": _integer("The center object's generation the copy was made from."),
            "observedGeneration": _integer("The generation the edge's controllers observed, in the center's terms."),
            "associated": {"type": "array", "x-kubernetes-list-type": "atomic",
                           "items": {"type": "object", **ANY},
                           "description": "Summaries of the edge-made objects reported with it."},
        },
    },
}


def definitions() -> dict[str, Schema]:
    """Every definition, by name."""
    return {**_TENANCY, **_EDGE_CLUSTER, **_PLACEMENT, **_RESULTS}
