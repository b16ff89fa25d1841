"""OpenAPI schemas of vapi's own tenancy kinds, published next to Kubernetes' in each
workspace's /openapi/v2 and /openapi/v3 so that `kubectl explain workspace.spec` and
clients' schema-driven tools know them, as they know a CRD's kinds.

They describe only: what these kinds accept is decided by vapi/validation.py, whose
messages they mirror (enums, required fields, a non-negative quota).
"""

from __future__ import annotations

from typing import Any

from vapi.crds import OBJECT_META

Json = Any


def _kind(description: str, spec: Json, status: Json | None = None, required: tuple[str, ...] = ()) -> Json:
    props: dict[str, Json] = {
        "apiVersion": {"type": "string", "description": "APIVersion defines the versioned schema of this representation of an object."},
        "kind": {"type": "string", "description": "Kind is a string value representing the REST resource this object represents."},
        "metadata": OBJECT_META,
        "spec": spec,
    }
    if status is not None:
        props["status"] = status
    out: Json = {"type": "object", "description": description, "properties": props}
    if required:
        out["required"] = list(required)
    return out


def _string(description: str, **more: Json) -> Json:
    return {"type": "string", "description": description, **more}


_NAMES = {"type": "array", "items": {"type": "string"}}

SCHEMAS: dict[tuple[str, str], Json] = {
    ("tenancy.vapi.dev", "Workspace"): _kind(
        "A child workspace of the workspace that holds this object, served at /clusters/<parent>:<name>. "
        "Deleting it deletes its subtree and everything in them.",
        {"type": "object", "description": "What the workspace may hold.", "properties": {
            "quota": {"type": "object", "description": "Limits on what the workspace stores.", "properties": {
                "objects": {"type": "integer", "format": "int64", "minimum": 0,
                            "description": "The most objects the workspace may hold; creates beyond it are "
                                           "refused (403), updates and deletes never are. 0 or unset: the "
                                           "server's --workspace-object-quota."}}}}},
        {"type": "object", "description": "Set by the server.", "properties": {
            "phase": _string("Ready once the workspace can be used."),
            "URL": _string("The workspace's server URL, for a kubeconfig.")}},
    ),
    ("tenancy.vapi.dev", "AccessGrant"): _kind(
        "Gives a user or group a role on the workspace that holds it and on every workspace below.",
        {"type": "object", "required": ["subject", "role"], "properties": {
            "subject": {"type": "object", "required": ["kind", "name"], "description": "Who is granted the role.",
                        "properties": {"kind": _string("User or Group.", enum=["User", "Group"]),
                                       "name": _string("The user's or group's name.")}},
            "role": _string("view: get, list, watch; edit: view and every write except grants and workspaces; "
                            "admin: everything, grants and child workspaces included.", enum=["view", "edit", "admin"])}},
        required=("spec",),
    ),
    ("tenancy.vapi.dev", "AccessToken"): _kind(
        "A bearer token vapi issued (only in the root workspace): the SHA-256 of its secret and who it "
        "stands for. Deleting it revokes the token.",
        {"type": "object", "required": ["user", "tokenHash"], "properties": {
            "user": _string("The user the token authenticates as."),
            "groups": {**_NAMES, "description": "The user's groups."},
            "tokenHash": _string('"sha256:" and the hex digest of the token\'s secret.'),
            "expirationTimestamp": _string("When the token stops working; unset: never.", format="date-time"),
            "audiences": {**_NAMES, "description": "Who the token is for."},
            "workspace": _string("A service account token's workspace."),
            "serviceAccount": {"type": "object", "description": "The service account a token stands for.",
                               "properties": {k: _string(f"The service account's {k}.") for k in ("namespace", "name", "uid")}}}},
        required=("spec",),
    ),
}
