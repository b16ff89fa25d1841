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

from vapi import golang, schemas

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


# How kube-openapi's schemaconv (pkg/schemaconv/openapi.go) types a schema node for SMD:
# `integer` and `number` are numeric, `string` is a string unless it has a format other than
# `byte` (date-time, int-or-string: untyped scalars), `boolean`, `object` a map, `array` a
# list; a node without a type takes any scalar, list or map; Quantity (and the built-in
# IntOrString, a oneOf here) take any scalar, RawExtension anything.
ANY, SCALAR, NUMERIC, STRING, BOOLEAN, MAP, LIST, UNTYPED = range(8)
UNTYPED_SCALARS = ("io.k8s.apimachinery.pkg.api.resource.Quantity", "io.k8s.apimachinery.pkg.util.intstr.IntOrString")
ANYTHING = ("io.k8s.apimachinery.pkg.runtime.RawExtension",)

# what the CRD OpenAPI builder gives every x-kubernetes-embedded-resource object
# (addEmbeddedProperties in apiextensions-apiserver's controller/openapi/builder)
EMBEDDED: dict[str, schemas.Schema] = {
    "apiVersion": {"type": "string"}, "kind": {"type": "string"},
    "metadata": {"$ref": "#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}}

# (atom, resolved node, the node itself, which keeps its id from being reused)
_Atom = tuple[int, schemas.Schema, schemas.Schema | None]
_atoms: dict[int, _Atom] = {}


def _atom(schema: schemas.Schema | None) -> _Atom:
    got = _atoms.get(id(schema))
    if got is not None and got[2] is schema:
        return got
    node = schemas.resolve(schema)
    name = schemas.ref_name(schema)
    kind = UNTYPED
    if node is None or name in ANYTHING:
        kind = ANY
    elif name in UNTYPED_SCALARS or "oneOf" in node:
        kind = SCALAR
    else:
        types = node.get("type")
        typ = types if isinstance(types, str) else next((t for t in types or () if t != "null"), None)
        if typ in ("integer", "number"):
            kind = NUMERIC
        elif typ == "string":
            kind = STRING if node.get("format") in (None, "", "byte") else SCALAR
        elif typ is not None:
            kind = {"boolean": BOOLEAN, "object": MAP, "array": LIST}.get(typ, SCALAR)
    out = (kind, node or {}, schema)
    _atoms[id(schema)] = out
    return out


def _at(path: str, message: str) -> str:
    return f"{path}: {message}" if path else message


def typed_errors(value: Any, schema: schemas.Schema | None, path: str = "", *, preserve: bool = False) -> list[str]:
    """What SMD's typed conversion of an apply configuration refuses (typed/validate.go, with
    the schema schemaconv makes), each as its ValidationError prints (`<path>: <message>`,
    list items by key: `containers[name="web"]`), in the order it walks (map entries in the
    configuration's order; Go's is random):

    - values of the wrong type: `expected string, got &value.valueUnstructured{Value:1}`
      (%#v of the value), `expected numeric (int or float), got string` (%T),
      `expected boolean, got &{yes}`, `expected any scalar, got ...`, `expected map, got
      ...`, `expected list, got ...` (%v); null is accepted anywhere, and floats pass as
      numeric (decoding refuses them later);
    - fields the schema does not declare, the first of each map only (SMD stops walking a
      map there); under x-kubernetes-preserve-unknown-fields (which schemaconv passes down)
      they are taken as they are, while declared fields are still typed;
    - duplicate items of map-type lists (by key) and set-type lists (by value), and items
      that cannot be keyed (SMD then skips the rest of the list). kube-apiserver converts
      the configuration without AllowDuplicates (the live object it converts with), so one
      apply can never write two items with one key.

    fieldValidation does not enter into it."""
    if value is None:
        return []
    kind, node, _ = _atom(schema)
    if kind == ANY:
        return []
    if kind <= BOOLEAN:  # a scalar
        if kind == NUMERIC and (isinstance(value, bool) or not isinstance(value, (int, float))):
            return [_at(path, f"expected numeric (int or float), got {golang.type_name(value)}")]
        if kind == STRING and not isinstance(value, str):
            return [_at(path, f"expected string, got &value.valueUnstructured{{Value:{golang.sprint_sharp_v(value)}}}")]
        if kind == BOOLEAN and not isinstance(value, bool):
            return [_at(path, f"expected boolean, got &{{{golang.sprint_v(value)}}}")]
        if kind == SCALAR and isinstance(value, (dict, list)):
            return [_at(path, f"expected any scalar, got &{{{golang.sprint_v(value)}}}")]
        return []
    if isinstance(value, dict):
        if kind == LIST:
            return [_at(path, f"expected list, got &{{{golang.sprint_v(value)}}}")]
        return _map_errors(value, node, path, preserve or bool(node.get("x-kubernetes-preserve-unknown-fields")))
    if isinstance(value, list):
        if kind == MAP:
            return [_at(path, f"expected map, got &{{{golang.sprint_v(value)}}}")]
        return _list_errors(value, schema, path, preserve or bool(node.get("x-kubernetes-preserve-unknown-fields")))
    if kind != UNTYPED:
        return [_at(path, f"expected {'map' if kind == MAP else 'list'}, got &{{{golang.sprint_v(value)}}}")]
    return []


def _map_errors(value: dict[str, Any], node: schemas.Schema, path: str, preserve: bool) -> list[str]:
    props, extra = node.get("properties"), node.get("additionalProperties")
    embedded = bool(node.get("x-kubernetes-embedded-resource"))
    if props is None and extra is None and not embedded:
        return []  # a free-form object: its entries are deduced
    out: list[str] = []
    for k, v in value.items():
        if embedded and k in EMBEDDED:
            out += typed_errors(v, EMBEDDED[k], f"{path}.{k}", preserve=preserve)
        elif props is not None and k in props:
            out += typed_errors(v, props[k], f"{path}.{k}", preserve=preserve)
        elif isinstance(extra, dict):
            out += typed_errors(v, extra, f"{path}.{k}", preserve=preserve)
        elif not (extra is True or (extra is None and preserve)):
            out.append(f"{path}.{k}: field not declared in schema")
            break
    return out


def _list_errors(value: list[Any], schema: schemas.Schema | None, path: str, preserve: bool) -> list[str]:
    kind, keys = list_type(schema)
    item_schema = schemas.items(schema)
    out: list[str] = []
    seen: set[str] = set()
    for n, item in enumerate(value):
        element = f"[{n}]"
        if kind in ("map", "set"):
            refused = _unkeyable(item, keys) if kind == "set" or keys else ""
            if refused:
                out.append(f"{path}: element {n}: {refused}")
                return out
            if kind == "set" or keys:
                key = item_key(item, keys) if keys else value_key(item)
                element = path_string((key,))
                if key in seen:
                    out.append(f"{path}: duplicate entries for key {element}")
                seen.add(key)
        out += typed_errors(item, item_schema, path + element, preserve=preserve)
    return out


def _unkeyable(item: Any, keys: list[str]) -> str:
    """Why SMD cannot key a list item (listItemToPathElement in typed/helpers.go), or ""."""
    if keys:
        if item is None:
            return "associative list with keys may not have a null element"
        if not isinstance(item, dict):
            return "associative list with keys may not have non-map elements"
        if all(k not in item and k not in KEY_DEFAULTS for k in keys):
            listed = " ".join(golang.quote(k) for k in keys)
            return (f"associative list with keys has an element that omits all key fields [{listed}] "
                    "(and doesn't have default values for any key fields)")
        return ""
    if isinstance(item, dict):
        return "associative list without keys has an element that's a map type"
    if isinstance(item, list):
        return "not supported: associative list with lists as elements"
    if item is None:
        return "associative list without keys has an element that's an explicit null"
    return ""


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
