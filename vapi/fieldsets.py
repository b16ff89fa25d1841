"""Field sets in the `FieldsV1` encoding of managedFields, after sigs.k8s.io/structured-merge-diff:
`f:<name>` for a field, `k:{...}` for an item of a map-type list (its key fields as JSON),
`v:<json>` for an item of a set-type list, `.` for a node that is itself a member.

A set is a trie of dicts, exactly the `fieldsV1` JSON. `of(value, schema)` is SMD's
ToFieldSet: scalars, atomic lists and maps, list items, map entries and empty or null fields
are members; struct fields with content are not (only what is under them).
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from vapi import schemas

Trie = dict[str, Any]
SELF = "."


# kube-apiserver defaults these list-map keys before it computes field sets
KEY_DEFAULTS = {"protocol": "TCP"}

# Paths no manager ever owns (k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager: the
# stripped set), plus status, which the main resource resets.
STRIPPED = [("f:apiVersion",), ("f:kind",), ("f:metadata", "f:name"), ("f:metadata", "f:namespace"),
            ("f:metadata", "f:creationTimestamp"), ("f:metadata", "f:selfLink"), ("f:metadata", "f:uid"),
            ("f:metadata", "f:generation"), ("f:metadata", "f:managedFields"),
            ("f:metadata", "f:resourceVersion"), ("f:metadata", "f:deletionTimestamp"),
            ("f:metadata", "f:deletionGracePeriodSeconds")]


def item_key(item: dict[str, Any], keys: list[str]) -> str:
    values = {k: item.get(k, KEY_DEFAULTS.get(k)) for k in sorted(keys)}
    return "k:" + json.dumps({k: v for k, v in values.items() if v is not None}, separators=(",", ":"))


def value_key(item: Any) -> str:
    return "v:" + json.dumps(item, separators=(",", ":"))


def list_type(schema: schemas.Schema | None) -> tuple[str, list[str]]:
    """(atomic|set|map, map keys) of a list field; lists say atomic when the schema is silent."""
    for node in (schema, schemas.resolve(schema)):
        if node is not None and "x-kubernetes-list-type" in node:
            return str(node["x-kubernetes-list-type"]), list(node.get("x-kubernetes-list-map-keys") or [])
    return "atomic", []


def _walk(value: Any, schema: schemas.Schema | None) -> tuple[Trie, bool]:
    """(children, whether the node itself is a member), after SMD's toFieldSetWalker."""
    node = schemas.resolve(schema)
    if value is None:
        return {}, False
    if isinstance(value, dict):
        if node is None or node.get("x-kubernetes-map-type") == "atomic" or (
            "properties" not in node and "additionalProperties" not in node
        ):
            return {}, True
        declared = node.get("properties") or {}
        out: Trie = {}
        for k, v in value.items():
            child, member = _walk(v, schemas.field(node, k))
            member = member or v is None or (isinstance(v, dict) and not v) or k not in declared
            if member:
                child = {SELF: {}, **child} if child else {}
            if child or member:
                out["f:" + k] = child
        return out, False
    if isinstance(value, list):
        kind, keys = list_type(schema)
        if kind == "map" and keys:
            item_schema = schemas.items(schema)
            out = {}
            for item in value:
                if isinstance(item, dict):
                    child, _ = _walk(item, item_schema)
                    out[item_key(item, keys)] = {SELF: {}, **child} if child else {}
            return out, False
        if kind == "set":
            return {value_key(item): {} for item in value}, False
        return {}, True
    return {}, True


def of(obj: Any, schema: schemas.Schema | None) -> Trie:
    """The field set an object (or an apply configuration) sets, minus what nobody owns."""
    trie, _ = _walk(obj, schema)
    for p in STRIPPED:
        remove(trie, p)
    trie.pop("f:status", None)
    return trie


def union(a: Trie, b: Trie) -> Trie:
    out: Trie = orjson.loads(orjson.dumps(a))
    for k, v in b.items():
        out[k] = union(out[k], v) if k in out else orjson.loads(orjson.dumps(v))
    return out


def add(trie: Trie, path: tuple[str, ...], source: Trie) -> None:
    """Put the member path `path` of `source` into trie, with the `.` marker it has there
    (a list item or map entry that is a member and also holds owned fields)."""
    node, src = trie, source
    for p in path:
        node = node.setdefault(p, {})
        src = src.get(p) or {}
    if SELF in src:
        node[SELF] = {}


def paths(trie: Trie, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Member paths: leaves, and nodes marked `.`."""
    out = []
    for k, v in trie.items():
        if k == SELF:
            out.append(prefix)
        elif not v:
            out.append(prefix + (k,))
        else:
            out += paths(v, prefix + (k,))
    return out


def contains(trie: Trie, path: tuple[str, ...]) -> bool:
    node = trie
    for p in path:
        if p not in node:
            return False
        node = node[p]
    return not node or SELF in node


def remove(trie: Trie, path: tuple[str, ...]) -> None:
    """Drop one member path (and empty parents)."""
    if not path:
        trie.pop(SELF, None)
        return
    head, rest = path[0], path[1:]
    if head not in trie:
        return
    if not rest:
        child = trie[head]
        if child and SELF in child and len(child) > 1:
            child.pop(SELF)
        elif not child or child == {SELF: {}}:
            del trie[head]
        return
    remove(trie[head], rest)
    if not trie[head]:
        del trie[head]


def sort(trie: Trie) -> Trie:
    """FieldsV1 key order: `.` first, then fields, keys, values, each sorted."""
    order = {".": 0, "f": 1, "k": 2, "v": 3, "i": 4}
    return {k: sort(trie[k]) for k in sorted(trie, key=lambda k: (order.get(k[0], 9), k))}


def path_string(path: tuple[str, ...]) -> str:
    """`.spec.template.spec.containers[name="c"].image`, as SMD prints paths."""
    out = ""
    for p in path:
        if p.startswith("f:"):
            out += "." + p[2:]
        elif p.startswith("k:"):
            keys = json.loads(p[2:])
            out += "[" + ",".join(f"{k}={json.dumps(v)}" for k, v in keys.items()) + "]"
        elif p.startswith("v:"):
            out += f"[={p[2:]}]"
    return out


def get(value: Any, path: tuple[str, ...]) -> tuple[bool, Any]:
    """The value at a member path of an object: (present, value)."""
    cur = value
    for p in path:
        if p.startswith("f:"):
            if not isinstance(cur, dict) or p[2:] not in cur:
                return False, None
            cur = cur[p[2:]]
        elif p.startswith("k:"):
            keys = json.loads(p[2:])
            if not isinstance(cur, list):
                return False, None
            match = [i for i in cur if isinstance(i, dict) and all(i.get(k, KEY_DEFAULTS.get(k)) == v for k, v in keys.items())]
            if not match:
                return False, None
            cur = match[0]
        elif p.startswith("v:"):
            want = json.loads(p[2:])
            if not isinstance(cur, list) or want not in cur:
                return False, None
            cur = want
    return True, cur


def delete(value: Any, path: tuple[str, ...]) -> None:
    """Remove the member at `path` from an object, in place."""
    if not path:
        return
    parent_present, parent = get(value, path[:-1])
    if not parent_present:
        return
    last = path[-1]
    if last.startswith("f:") and isinstance(parent, dict):
        parent.pop(last[2:], None)
    elif last.startswith("k:") and isinstance(parent, list):
        keys = json.loads(last[2:])
        parent[:] = [i for i in parent if not (isinstance(i, dict) and all(i.get(k, KEY_DEFAULTS.get(k)) == v for k, v in keys.items()))]
    elif last.startswith("v:") and isinstance(parent, list):
        want = json.loads(last[2:])
        parent[:] = [i for i in parent if i != want]
