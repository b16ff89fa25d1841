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


def typed_errors(value: Any, schema: schemas.Schema | None, path: str = "") -> list[str]:
    """What SMD's typed conversion of an apply configuration refuses (typed/validate.go), each
    as its ValidationError prints (`<path>: <message>`, list items by key: `containers[name=
    "web"]`): fields the schema does not declare, and duplicate items of map-type lists (by
    key) and set-type lists (by value). kube-apiserver converts the configuration without
    AllowDuplicates (the live object it converts with), so one apply can never write two
    items with one key. fieldValidation does not enter into it."""
    node = schemas.resolve(schema)
    if node is None or node.get("x-kubernetes-preserve-unknown-fields"):
        return []
    out: list[str] = []
    if isinstance(value, dict):
        props, extra = node.get("properties"), node.get("additionalProperties")
        if props is None and extra is None:
            return []
        for k, v in value.items():
            if (props is not None and k in props) or isinstance(extra, dict):
                out += typed_errors(v, schemas.field(node, k), f"{path}.{k}")
            elif extra is not True:
                out.append(f"{path}.{k}: field not declared in schema")
    elif isinstance(value, list):
        kind, keys = list_type(schema)
        seen: set[str] = set()
        for n, item in enumerate(value):
            element = f"[{n}]"
            if (kind == "map" and keys and isinstance(item, dict)) or (kind == "set" and not isinstance(item, (dict, list))):
                key = item_key(item, keys) if kind == "map" else value_key(item)
                element = path_string((key,))
                if key in seen:
                    out.append(f"{path}: duplicate entries for key {element}")
                seen.add(key)
            out += typed_errors(item, schemas.items(schema), path + element)
    return out


def typed_error_message(errors_: list[str]) -> str:
    """SMD's ValidationErrors.Error(): one error as it is, several under `errors:`."""
    return errors_[0] if len(errors_) == 1 else "\n  ".join(["errors:", *errors_])


def of(obj: Any, schema: schemas.Schema | None, *, scope: str = "main") -> Trie:
    """The field set an object (or an apply configuration) sets, minus what nobody owns and
    what the endpoint resets: status on the main resource, all but status on /status."""
    trie, _ = _walk(obj, schema)
    for p in STRIPPED:
        remove(trie, p)
    if scope == "status":
        return {k: v for k, v in trie.items() if k == "f:status"}
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


def decodes(trie: Any) -> bool:
    """Whether a client's `fieldsV1` reads as a field set (sigs.k8s.io/structured-merge-diff's
    Set.FromJSON): objects all the way down, keyed by `.` or a path element, `f:<name>`,
    `k:<JSON object>`, `v:<JSON>` or `i:<int>` (keys of another kind are skipped there)."""
    if not isinstance(trie, dict):
        return False
    for k, v in trie.items():
        if not isinstance(v, dict) or not decodes(v):
            return False
        if k[:2] in ("k:", "v:", "i:"):
            try:
                element = json.loads(k[2:]) if k[0] != "i" else int(k[2:])
            except ValueError:
                return False
            if k[0] == "k" and not isinstance(element, dict):
                return False
    return True


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


# -- comparing two objects (SMD typed/compare.go) ------------------------------------------

ABSENT: Any = type("Absent", (), {"__repr__": lambda self: "ABSENT"})()


def _leaf(lhs: Any, rhs: Any, schema: schemas.Schema | None) -> bool:
    """Whether a node compares as one value: scalars, atomic lists and maps, nodes the schema
    does not describe, and lists or maps that are empty (or missing) on both sides."""
    values = [v for v in (lhs, rhs) if v is not ABSENT and v is not None]
    if not values:
        return True
    if all(isinstance(v, dict) for v in values):
        node = schemas.resolve(schema)
        if node is None or node.get("x-kubernetes-map-type") == "atomic" or (
            "properties" not in node and "additionalProperties" not in node
        ):
            return True
        return all(not v for v in values)
    if all(isinstance(v, list) for v in values):
        kind, keys = list_type(schema)
        return kind == "atomic" or (kind == "map" and not keys) or all(not v for v in values)
    return True


def _items(value: Any, schema: schemas.Schema | None) -> dict[str, Any]:
    """A set or map-type list by path element (the first of duplicates)."""
    if not isinstance(value, list):
        return {}
    kind, keys = list_type(schema)
    out: dict[str, Any] = {}
    for item in value:
        if kind == "map":
            if isinstance(item, dict):
                out.setdefault(item_key(item, keys), item)
        else:
            out.setdefault(value_key(item), item)
    return out


def _compare(lhs: Any, rhs: Any, schema: schemas.Schema | None, path: tuple[str, ...],
             out: tuple[list[tuple[str, ...]], list[tuple[str, ...]], list[tuple[str, ...]]]) -> None:
    added, modified, removed = out
    if lhs is not ABSENT and lhs == rhs:
        return  # equal values differ nowhere
    if _leaf(lhs, rhs, schema):
        if lhs is ABSENT:
            added.append(path)
        elif rhs is ABSENT:
            removed.append(path)
        elif lhs != rhs:
            modified.append(path)
        return
    if isinstance(lhs if lhs is not ABSENT and lhs is not None else rhs, dict):
        left = lhs if isinstance(lhs, dict) else {}
        right = rhs if isinstance(rhs, dict) else {}
        node = schemas.resolve(schema)
        for k in {**left, **right}:
            _compare(left.get(k, ABSENT), right.get(k, ABSENT), schemas.field(node, k), path + ("f:" + k,), out)
    else:
        item_schema = schemas.items(schema)
        left, right = _items(lhs, schema), _items(rhs, schema)
        for pe in {**left, **right}:
            _compare(left.get(pe, ABSENT), right.get(pe, ABSENT), item_schema, path + (pe,), out)
    if path and lhs is ABSENT:
        added.append(path)
    elif path and rhs is ABSENT:
        removed.append(path)


def compare(old: Any, new: Any, schema: schemas.Schema | None, *, scope: str = "main") -> tuple[Trie, Trie, Trie]:
    """(added, modified, removed) going from old to new, as SMD's Compare: a leaf is added,
    removed or modified; a list item, map entry or struct field that holds fields is added or
    removed as a whole, besides what is under it. The stripped metadata is left out, and
    what the endpoint resets (status on the main resource, all but status on /status)."""
    out: tuple[list[tuple[str, ...]], list[tuple[str, ...]], list[tuple[str, ...]]] = ([], [], [])
    _compare(old, new, schema, (), out)

    def kept(p: tuple[str, ...]) -> bool:
        return not _stripped(p) and (p[:1] == ("f:status",)) == (scope == "status")

    tries = tuple(from_paths(p for p in ps if kept(p)) for ps in out)
    return tries[0], tries[1], tries[2]


def _stripped(path: tuple[str, ...]) -> bool:
    return path == ("f:metadata",) or path in STRIPPED_PATHS or path[:2] == ("f:metadata", "f:managedFields")


STRIPPED_PATHS = set(STRIPPED)


def from_paths(member_paths: Any) -> Trie:
    """The FieldsV1 trie holding these member paths."""
    root: Trie = {}
    members: set[tuple[str, ...]] = set()
    for p in member_paths:
        if not p:
            continue
        members.add(p)
        node = root
        for part in p:
            node = node.setdefault(part, {})

    def finish(node: Trie, prefix: tuple[str, ...]) -> Trie:
        out = {k: finish(v, prefix + (k,)) for k, v in node.items()}
        if out and prefix in members:
            out[SELF] = {}
        return out

    return finish(root, ())


def intersection(a: Trie, b: Trie) -> list[tuple[str, ...]]:
    """Member paths of a that are members of b, in SMD's iteration order."""
    return [p for p in ordered_paths(a) if contains(b, p)]


def ordered_paths(trie: Trie, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Member paths in the order SMD's Set.Iterate walks them: a node's members (sorted), then
    each child's (sorted)."""
    keys = [k for k in sort(trie) if k != SELF]
    out = [prefix + (k,) for k in keys if not trie[k] or SELF in trie[k]]
    for k in keys:
        out += ordered_paths({c: v for c, v in trie[k].items() if c != SELF}, prefix + (k,))
    return out


def difference(a: Trie, paths_: list[tuple[str, ...]]) -> Trie:
    """a without these member paths."""
    out: Trie = orjson.loads(orjson.dumps(a))
    for p in paths_:
        remove(out, p)
    return out
