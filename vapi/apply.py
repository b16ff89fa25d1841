"""Server-side apply, after sigs.k8s.io/structured-merge-diff (merge.Updater.Apply) and
k8s.io/apiserver/pkg/endpoints/handlers/fieldmanager.

An apply configuration is merged into the live object by the schema (map-type lists by key,
set-type lists by value, atomic lists and maps replaced, structs field by field). The applier
then owns exactly the configuration's field set. A field another manager owns and the apply
would change is a conflict (409) unless `force`, which takes it over. Fields the applier owned
before, no longer applies and nobody else owns are removed from the object.

Managers of non-apply writes (`Update` entries) are recorded too, from the fields a write
changes (see `track_update`).
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import orjson

from vapi import clock, errors, fieldsets, kubeproto, schemas

Obj = dict[str, Any]
Trie = fieldsets.Trie


def _copy(value: Any) -> Any:
    """A deep copy of JSON data (orjson: several times faster than copy.deepcopy)."""
    if isinstance(value, (dict, list)):
        return orjson.loads(orjson.dumps(value))
    return value



# -- structured merge --------------------------------------------------------------------


def merge(live: Any, config: Any, schema: schemas.Schema | None) -> Any:
    node = schemas.resolve(schema)
    if isinstance(config, dict) and isinstance(live, dict) and node is not None \
            and node.get("x-kubernetes-map-type") != "atomic" \
            and ("properties" in node or "additionalProperties" in node):
        out = dict(live)
        for k, v in config.items():
            out[k] = merge(live.get(k), v, schemas.field(node, k)) if k in live else _copy(v)
        return out
    if isinstance(config, list) and isinstance(live, list):
        kind, keys = fieldsets.list_type(schema)
        if kind == "map" and keys:
            item_schema = schemas.items(schema)
            out_list = list(live)
            index = {fieldsets.item_key(i, keys): n for n, i in enumerate(out_list) if isinstance(i, dict)}
            for item in config:
                if not isinstance(item, dict):
                    continue
                k = fieldsets.item_key(item, keys)
                if k in index:
                    out_list[index[k]] = merge(out_list[index[k]], item, item_schema)
                else:
                    index[k] = len(out_list)
                    out_list.append(_copy(item))
            return out_list
        if kind == "set":
            return list(live) + [_copy(i) for i in config if i not in live]
    return _copy(config)


# -- managedFields -----------------------------------------------------------------------


def entries(obj: Obj) -> list[Obj]:
    return [e for e in obj.get("metadata", {}).get("managedFields") or [] if isinstance(e, dict)]


def entry_set(e: Obj) -> Trie:
    fields = e.get("fieldsV1")
    return _copy(fields) if isinstance(fields, dict) else {}


def identity(e: Obj) -> str:
    """A manager as SMD knows it (BuildManagerIdentifier in k8s.io/apimachinery's
    managedfields/internal/managedfields.go): the entry as JSON without fieldsType, fields and
    time, and without apiVersion for appliers."""
    out = {"manager": e.get("manager") or "", "operation": e.get("operation") or "",
           "apiVersion": "" if e.get("operation") == "Apply" else e.get("apiVersion") or "",
           "subresource": e.get("subresource") or ""}
    return json.dumps({k: v for k, v in out.items() if v}, separators=(",", ":"))


def _entry(manager: str, operation: str, api_version: str, subresource: str, trie: Trie, when: str | None) -> Obj:
    e: Obj = {"manager": manager, "operation": operation, "apiVersion": api_version}
    if when:
        e["time"] = when
    e["fieldsType"] = "FieldsV1"
    e["fieldsV1"] = fieldsets.sort(trie)
    if subresource:
        e["subresource"] = subresource
    return e


def _sorted(entries_: list[Obj]) -> list[Obj]:
    """kube-apiserver's order (sortEncodedManagedFields): Apply before Update, then by time
    (to the second), manager, apiVersion and subresource."""
    return sorted(entries_, key=lambda e: (e.get("operation") or "", str(e.get("time") or "")[:19],
                                           e.get("manager") or "", e.get("apiVersion") or "", e.get("subresource") or ""))


def _is_reset(requested: Any) -> bool:
    """`managedFields: []` or `[{}]` asks to clear them (isResetManagedFields)."""
    return isinstance(requested, list) and (requested == [] or requested == [{}])


def _decoded(requested: Any) -> list[Obj] | None:
    """Entries a client sent, or None when kube's DecodeManagedFields would refuse them."""
    if not isinstance(requested, list):
        return None
    out: dict[str, Obj] = {}
    for e in requested:
        if not isinstance(e, dict) or e.get("operation") not in ("Apply", "Update") or not e.get("apiVersion") \
                or e.get("fieldsType") != "FieldsV1" or not fieldsets.decodes(e.get("fieldsV1", {})):
            return None
        out[identity(e)] = _canonical_time(e)
    return list(out.values())


def _canonical_time(e: Obj) -> Obj:
    """An entry's time as kube writes it back (RFC 3339 in UTC, to the second)."""
    if isinstance(e.get("time"), str):
        try:
            t = datetime.datetime.fromisoformat(e["time"].replace("Z", "+00:00"))
            return {**e, "time": t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
        except (ValueError, OverflowError):  # not RFC 3339, or out of range once in UTC: kept as sent
            pass
    return e


def _scope(subresource: str) -> str:
    return "status" if subresource == "status" else "main"


def track_update(old: Obj | None, new: Obj, schema: schemas.Schema | None, manager: str,
                 api_version: str, subresource: str = "") -> None:
    """Record a non-apply write in new.metadata.managedFields, as kube-apiserver's
    FieldManager.Update with SMD's Updater.Update: the fields the write added or changed go to
    the writer's `Update` entry and leave every other entry; removed fields leave every entry.
    The writer's time moves only when the write changed something it now owns. A client may
    send managedFields of its own (they replace the stored ones); `[]` or `[{}]` clears them."""
    meta = new.setdefault("metadata", {})
    requested = meta.get("managedFields")
    live = entries(old) if old is not None else []
    if subresource:
        base = live
    elif _is_reset(requested):
        base = []
    else:
        base = _decoded(requested) or live
    # a built-in kind is compared as its Go value: structs are there even when empty, so a
    # create compares with the kind's empty object and an update sees e.g. status: {}
    zero = kubeproto.zero_object(api_version, str(new.get("kind"))) if schema is not None and \
        "x-kubernetes-group-version-kind" in schema else None
    if old is None:
        old = zero if zero is not None else {"apiVersion": new.get("apiVersion"), "kind": new.get("kind")}
        seen_new = new
    elif zero is not None:
        old, seen_new = _overlay(zero, old), _overlay(zero, new)
    else:
        seen_new = new
    added, modified, removed = fieldsets.compare(old, seen_new, schema, scope=_scope(subresource))
    changed = fieldsets.union(added, modified)
    gone = fieldsets.paths(changed) + fieldsets.paths(removed)
    me = identity({"manager": manager, "operation": "Update", "apiVersion": api_version, "subresource": subresource})
    out: list[Obj] = []
    mine: Obj | None = None
    for e in base:
        trie = fieldsets.difference(entry_set(e), gone)
        if identity(e) == me:
            mine = {**e, "fieldsV1": trie}
        elif trie:
            out.append({**e, "fieldsV1": fieldsets.sort(trie)})
    if changed:
        trie = fieldsets.union(mine["fieldsV1"], changed) if mine else changed
        out.append(_entry(manager, "Update", api_version, subresource, trie, clock.now()))
    elif mine is not None and mine["fieldsV1"]:
        out.append({**mine, "fieldsV1": fieldsets.sort(mine["fieldsV1"])})
    if out:
        meta["managedFields"] = _sorted(out)
    else:
        meta.pop("managedFields", None)


def _kept(owned: Trie, path: tuple[str, ...]) -> bool:
    """Whether pruning keeps `path` for this owner: it owns it, or, for a named field, owns
    something under it (SMD's EnsureNamedFieldsAreMembers in addBackOwnedItems); a list item
    is kept only when owned itself."""
    if fieldsets.contains(owned, path):
        return True
    if not path or not path[-1].startswith("f:"):
        return False
    node = owned
    for p in path:
        if p not in node:
            return False
        node = node[p]
    return True


def _overlay(zero: Obj, obj: Obj) -> Obj:
    """obj with the fields of the empty Go value it lacks (a copy where it differs)."""
    out = dict(obj)
    for k, v in zero.items():
        if k not in out:
            out[k] = _copy(v)
        elif isinstance(v, dict) and v and isinstance(out[k], dict):
            out[k] = _overlay(v, out[k])
    return out


def _without_managed_fields(obj: Obj) -> Obj:
    meta = {k: v for k, v in (obj.get("metadata") or {}).items() if k not in ("managedFields", "resourceVersion")}
    return {**obj, "metadata": meta}


def apply(live: Obj | None, config: Obj, schema: schemas.Schema | None, manager: str,
          api_version: str, force: bool, subresource: str = "") -> Obj:
    """The object after `manager` applies `config` to `live` (None: create), as SMD's
    Updater.Apply (merge/update.go) inside kube-apiserver's field manager."""
    base: Obj = _copy(live) if live is not None else {}
    previous = _decoded(entries(base)) or []
    original = config
    config = {k: v for k, v in config.items() if k != "status" or subresource == "status"}
    config_meta = dict(config.get("metadata") or {})
    config_meta.pop("managedFields", None)
    config = {**config, "metadata": config_meta}
    new_set = fieldsets.of(config, schema, scope=_scope(subresource))
    merged = merge(base, config, schema)

    me = identity({"manager": manager, "operation": "Apply", "subresource": subresource})
    mine = next((e for e in previous if identity(e) == me), None)
    # prune: what this manager applied last time and no longer applies goes, unless another
    # manager owns it (prune, addBackOwnedItems)
    others: Trie = {}
    for e in previous:
        if identity(e) != me:
            others = fieldsets.union(others, entry_set(e))
    pruned = [p for p in fieldsets.paths(entry_set(mine) if mine else {}) if not _kept(new_set, p) and not _kept(others, p)]
    for p in pruned:
        fieldsets.delete(merged, p)
    # a map or list the pruning emptied goes too: SMD's removal leaves it null (RemoveItems),
    # which decoding into the kind's type drops (resources: {limits: {}} was left behind)
    for parent in {p[:-1] for p in pruned if len(p) > 1}:
        if fieldsets.get(merged, parent)[1] in ({}, []):
            fieldsets.delete(merged, parent)

    # update: other managers' fields this apply adds or changes are conflicts; with force
    # they move to the applier, and removed fields leave everyone
    before, after = _without_managed_fields(base), _without_managed_fields(merged)
    conflicts: list[tuple[Obj, list[tuple[str, ...]]]] = []
    removed: Trie = {}
    if any(identity(e) != me for e in previous):  # only others' entries can conflict or lose fields
        added, modified, removed = fieldsets.compare(before, after, schema, scope=_scope(subresource))
        changed = fieldsets.union(added, modified)
        for e in previous:
            if identity(e) != me:
                clash = fieldsets.intersection(entry_set(e), changed)
                if clash:
                    conflicts.append((e, clash))
    if conflicts and not force and manager == "kubectl":
        # kubectl taking over from its own client-side apply (lastAppliedManager): fields its
        # last-applied annotation set to the live value are not conflicts
        allowed = _allowed_by_last_applied(before, schema, api_version)
        conflicts = [(e, [p for p in ps if not fieldsets.contains(allowed, p)]) for e, ps in conflicts]
        conflicts = [(e, ps) for e, ps in conflicts if ps]
        if not conflicts:
            return apply(live, original, schema, manager, api_version, True, subresource)
    if conflicts and not force:
        raise conflict_error(conflicts)
    gone = fieldsets.paths(removed)
    current: list[Obj] = []
    for e in previous:
        if identity(e) == me:
            continue
        clash = next((ps for c, ps in conflicts if c is e), [])
        trie = fieldsets.difference(entry_set(e), clash + gone)
        if trie:
            current.append({**e, "fieldsV1": fieldsets.sort(trie)})
    if new_set:
        # the time moves when the apply changed the object (managedFieldsUpdater.Apply)
        when = clock.now() if before != after else (mine or {}).get("time")
        current.append(_entry(manager, "Apply", api_version, subresource, new_set, when))
    out: Obj = merged
    out.setdefault("metadata", {})["managedFields"] = _sorted(current)
    if not current:
        del out["metadata"]["managedFields"]
    annotations = out["metadata"].get("annotations")
    if manager == "kubectl" and isinstance(annotations, dict) and LAST_APPLIED in annotations:
        # lastAppliedUpdater: kubectl's server-side apply keeps the client-side annotation in
        # step, so a later client-side apply diffs against what was applied last
        annotations[LAST_APPLIED] = last_applied(original)
    return out


LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def last_applied(config: Obj) -> str:
    """The annotation kube-apiserver writes (buildLastApplied): the configuration without the
    annotation, as Go's JSON encoder writes a map (sorted keys, HTML escaped, a final newline)."""
    config = _copy(config)
    meta = config.get("metadata")
    if isinstance(meta, dict) and isinstance(meta.get("annotations"), dict):
        meta["annotations"].pop(LAST_APPLIED, None)
    text = json.dumps(config, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text + "\n"


def _allowed_by_last_applied(live: Obj, schema: schemas.Schema | None, api_version: str) -> Trie:
    """Fields of the last-applied annotation whose value is the live one
    (allowedConflictsFromLastApplied); nothing without a readable annotation."""
    annotations = (live.get("metadata") or {}).get("annotations") or {}
    try:
        last = json.loads(annotations.get(LAST_APPLIED) or "")
    except (ValueError, TypeError):
        return {}
    if not isinstance(last, dict) or last.get("apiVersion") != api_version:
        return {}
    added, modified, removed = fieldsets.compare(last, live, schema)
    differ = fieldsets.paths(added) + fieldsets.paths(modified) + fieldsets.paths(removed)
    return fieldsets.difference(fieldsets.of(last, schema), differ)


def describe(e: Obj) -> str:
    """A manager as kube-apiserver names it in conflicts (printManager in k8s.io/apimachinery's
    managedfields/internal/conflict.go): `"m"` for an applier, `"m" using apps/v1` for an
    updater, with `with subresource "scale"` after the name for a subresource's entry."""
    out = json.dumps(e.get("manager") or "")
    if e.get("subresource"):
        out += f" with subresource {json.dumps(e['subresource'])}"
    if e.get("operation") == "Update":
        out += f" using {e.get('apiVersion')}"
    return out


def conflict_error(conflicts: list[tuple[Obj, list[tuple[str, ...]]]]) -> errors.APIError:
    """The 409 kube-apiserver sends (NewConflictError): `Apply failed with 1 conflict:
    conflict with "m" using apps/v1: .spec.replicas`, or for several `Apply failed with N
    conflicts: conflicts with "m":` and one `- .path` line per field, managers in the order of
    their identities; one FieldManagerConflict cause per field, and no other details."""
    conflicts = sorted(conflicts, key=lambda c: identity(c[0]))
    total = sum(len(ps) for _, ps in conflicts)
    causes = [{"type": "FieldManagerConflict", "message": f"conflict with {describe(e)}", "field": fieldsets.path_string(p)}
              for e, ps in conflicts for p in ps]
    if total == 1:
        e, [p] = conflicts[0]
        message = f"Apply failed with 1 conflict: conflict with {describe(e)}: {fieldsets.path_string(p)}"
    else:
        lines = []
        for e, ps in conflicts:
            lines.append(f"conflicts with {describe(e)}:")
            lines += [f"- {fieldsets.path_string(p)}" for p in ps]
        message = f"Apply failed with {total} conflicts: " + "\n".join(lines)
    return errors.APIError(409, "Conflict", message, details={"causes": causes})
