"""The three PATCH formats kubectl sends: JSON patch (RFC 6902), JSON merge patch (RFC 7386)
and strategic merge patch, whose list handling comes from the schema's patch metadata
(`x-kubernetes-patch-strategy`, `x-kubernetes-patch-merge-key`) and whose directives are
`$patch`, `$retainKeys`, `$setElementOrder/<list>` and `$deleteFromPrimitiveList/<list>`
(semantics after k8s.io/apimachinery/pkg/util/strategicpatch/patch.go)."""

from __future__ import annotations

import copy
from typing import Any

from vapi import errors, schemas

Json = Any


class PatchError(Exception):
    """The patch does not apply to the object (a 422), as opposed to a malformed patch (400)."""


# -- JSON patch --------------------------------------------------------------------------


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise errors.bad_request(f"invalid JSON pointer {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _index(container: list[Json], token: str, *, insert: bool) -> int:
    if token == "-" and insert:
        return len(container)
    if not (token.isascii() and token.isdigit()) or (len(token) > 1 and token[0] == "0"):
        raise PatchError(f"invalid array index {token!r}")
    i = int(token)
    if i > len(container) or (i == len(container) and not insert):
        raise PatchError(f"array index {i} out of range")
    return i


def _parent(doc: Json, tokens: list[str]) -> Json:
    cur = doc
    for t in tokens[:-1]:
        if isinstance(cur, dict):
            if t not in cur:
                raise PatchError(f"path /{'/'.join(tokens)} does not exist")
            cur = cur[t]
        elif isinstance(cur, list):
            cur = cur[_index(cur, t, insert=False)]
        else:
            raise PatchError(f"path /{'/'.join(tokens)} does not exist")
    return cur


def _get(doc: Json, tokens: list[str]) -> Json:
    if not tokens:
        return doc
    parent = _parent(doc, tokens)
    last = tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise PatchError(f"path /{'/'.join(tokens)} does not exist")
        return parent[last]
    if isinstance(parent, list):
        return parent[_index(parent, last, insert=False)]
    raise PatchError(f"path /{'/'.join(tokens)} does not exist")


def _add(doc: Json, tokens: list[str], value: Json) -> Json:
    if not tokens:
        return value
    parent = _parent(doc, tokens)
    last = tokens[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        parent.insert(_index(parent, last, insert=True), value)
    else:
        raise PatchError(f"cannot add at /{'/'.join(tokens)}")
    return doc


def _remove(doc: Json, tokens: list[str]) -> Json:
    if not tokens:
        raise PatchError("cannot remove the whole document")
    parent = _parent(doc, tokens)
    last = tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise PatchError(f"path /{'/'.join(tokens)} does not exist")
        return parent.pop(last)
    if isinstance(parent, list):
        return parent.pop(_index(parent, last, insert=False))
    raise PatchError(f"path /{'/'.join(tokens)} does not exist")


def json_patch(doc: Json, ops: Json) -> Json:
    if not isinstance(ops, list):
        raise errors.bad_request("a JSON patch must be a list of operations")
    doc = copy.deepcopy(doc)
    for op in ops:
        if not isinstance(op, dict) or not isinstance(op.get("op"), str) or not isinstance(op.get("path"), str):
            raise errors.bad_request(f"invalid JSON patch operation: {op!r}")
        kind, path = op["op"], _pointer(op["path"])
        if kind in ("add", "replace", "test") and "value" not in op:
            raise errors.bad_request(f"JSON patch operation {kind!r} needs a value")
        if kind == "add":
            doc = _add(doc, path, copy.deepcopy(op["value"]))
        elif kind == "remove":
            _remove(doc, path)
        elif kind == "replace":
            _get(doc, path)
            if not path:
                doc = copy.deepcopy(op["value"])
            else:
                _remove(doc, path)
                doc = _add(doc, path, copy.deepcopy(op["value"]))
        elif kind in ("move", "copy"):
            if not isinstance(op.get("from"), str):
                raise errors.bad_request(f"JSON patch operation {kind!r} needs 'from'")
            src = _pointer(op["from"])
            value = _remove(doc, src) if kind == "move" else copy.deepcopy(_get(doc, src))
            doc = _add(doc, path, value)
        elif kind == "test":
            if _get(doc, path) != op["value"]:
                raise PatchError(f"testing value /{'/'.join(path)} failed")
        else:
            raise errors.bad_request(f"unknown JSON patch operation {kind!r}")
    return doc


# -- merge patch -------------------------------------------------------------------------


def merge_patch(doc: Json, patch: Json) -> Json:
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = dict(doc) if isinstance(doc, dict) else {}
    for k, v in patch.items():
        if v is None:
            out.pop(k, None)
        else:
            out[k] = merge_patch(out.get(k), v)
    return out


# -- strategic merge patch ---------------------------------------------------------------

SET_ORDER = "$setElementOrder/"
DELETE_PRIMITIVE = "$deleteFromPrimitiveList/"


def _strip(value: Json) -> Json:
    """A patch value with its directives removed, for places where it is set whole."""
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if not k.startswith("$")}
    if isinstance(value, list):
        return [_strip(v) for v in value if not (isinstance(v, dict) and v.get("$patch") == "delete")]
    return value


def strategic_merge(doc: Json, patch: Json, schema: schemas.Schema | None) -> Json:
    if not isinstance(patch, dict):
        raise errors.bad_request("a strategic merge patch must be an object")
    out = _merge_map(doc if isinstance(doc, dict) else {}, patch, schema)
    return out if out is not None else {}


def _merge_map(original: dict[str, Json], patch: dict[str, Json], schema: schemas.Schema | None) -> dict[str, Json] | None:
    directive = patch.get("$patch")
    if directive == "replace":
        return _strip(patch)  # type: ignore[no-any-return]
    if directive == "delete":
        return None
    if directive not in (None, "merge"):
        raise errors.bad_request(f"unknown patch directive $patch: {directive!r}")
    out = dict(original)
    for k, v in patch.items():
        if k.startswith(DELETE_PRIMITIVE):
            name = k[len(DELETE_PRIMITIVE):]
            if isinstance(out.get(name), list) and isinstance(v, list):
                out[name] = [x for x in out[name] if x not in v]
            continue
        if k.startswith("$"):
            continue
        if v is None:
            out.pop(k, None)
            continue
        sub = schemas.field(schema, k)
        cur = out.get(k)
        if isinstance(v, dict) and isinstance(cur, dict):
            merged = _merge_map(cur, v, sub)
            if merged is None:
                out.pop(k, None)
            else:
                out[k] = merged
        elif isinstance(v, dict) and v.get("$patch") == "delete":
            out.pop(k, None)
        elif isinstance(v, list) and isinstance(cur, list):
            out[k] = _merge_list(cur, v, sub)
        else:
            out[k] = _strip(v)
    for k, order in patch.items():
        if k.startswith(SET_ORDER) and isinstance(order, list):
            name = k[len(SET_ORDER):]
            if isinstance(out.get(name), list):
                key = (schemas.field(schema, name) or {}).get("x-kubernetes-patch-merge-key")
                out[name] = _reorder(out[name], order, key)
    retain = patch.get("$retainKeys")
    if isinstance(retain, list):
        out = {k: v for k, v in out.items() if k in retain}
    return out


def _merge_list(original: list[Json], patch: list[Json], schema: schemas.Schema | None) -> list[Json]:
    strategy = (schema or {}).get("x-kubernetes-patch-strategy", "")
    if "merge" not in strategy.split(","):
        return _strip(patch)  # type: ignore[no-any-return]
    for item in patch:
        if isinstance(item, dict) and item.get("$patch") == "replace":
            return [_strip(x) for x in patch if not (isinstance(x, dict) and "$patch" in x)]
    key = (schema or {}).get("x-kubernetes-patch-merge-key")
    if not key:  # a set of primitives: union, in order
        out = list(original)
        for item in patch:
            if item not in out:
                out.append(item)
        return out
    item_schema = schemas.items(schema)
    out = list(original)
    for item in patch:
        if not isinstance(item, dict):
            raise errors.bad_request(f"list items merged by {key!r} must be objects")
        if key not in item:
            raise errors.bad_request(f"map in list has no merge key {key!r}: {item!r}")
        found = next((i for i, x in enumerate(out) if isinstance(x, dict) and x.get(key) == item[key]), None)
        if item.get("$patch") == "delete":
            if found is not None:
                out.pop(found)
            continue
        if found is None:
            out.append(_strip(item))
        else:
            merged = _merge_map(out[found], item, item_schema)
            if merged is None:
                out.pop(found)
            else:
                out[found] = merged
    return out


def _reorder(items: list[Json], order: list[Json], key: str | None) -> list[Json]:
    def ident(x: Json) -> Json:
        return x.get(key) if key and isinstance(x, dict) else x

    wanted = [ident(o) if key and isinstance(o, dict) else o for o in order]
    rank = {repr(w): i for i, w in enumerate(wanted)}
    listed = [x for x in items if repr(ident(x)) in rank]
    rest = [x for x in items if repr(ident(x)) not in rank]
    listed.sort(key=lambda x: rank[repr(ident(x))])
    return listed + rest
