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
from typing import Any

import orjson

from vapi import clock, errors, fieldsets, schemas

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


def _same_entry(e: Obj, manager: str, operation: str, subresource: str) -> bool:
    return (e.get("manager") == manager and e.get("operation") == operation
            and (e.get("subresource") or "") == subresource)


def set_entry(entries_: list[Obj], manager: str, operation: str, api_version: str,
              trie: Trie, subresource: str, previous: list[Obj]) -> list[Obj]:
    """entries with (manager, operation, subresource) set to `trie`; the time moves only when
    the set changed; empty sets are dropped."""
    out = [e for e in entries_ if not _same_entry(e, manager, operation, subresource)]
    if not trie:
        return out
    old = next((e for e in previous if _same_entry(e, manager, operation, subresource)), None)
    sorted_trie = fieldsets.sort(trie)
    when = old["time"] if old is not None and old.get("fieldsV1") == sorted_trie and old.get("time") else clock.now()
    e: Obj = {"manager": manager, "operation": operation, "apiVersion": api_version, "time": when,
              "fieldsType": "FieldsV1", "fieldsV1": sorted_trie}
    if subresource:
        e["subresource"] = subresource
    out.append(e)
    return out


def _drop(entries_: list[Obj], paths: list[tuple[str, ...]], keep: tuple[str, str, str] | None = None) -> list[Obj]:
    out = []
    for e in entries_:
        if keep and _same_entry(e, *keep):
            out.append(e)
            continue
        trie = entry_set(e)
        for p in paths:
            fieldsets.remove(trie, p)
        if trie:
            out.append({**e, "fieldsV1": fieldsets.sort(trie)})
    return out


def changed_paths(old: Any, new: Any, new_set: Trie, schema: schemas.Schema | None) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    """(paths set or changed by going from old to new, paths removed); new_set is new's set."""
    old_set = fieldsets.of(old, schema)
    changed = []
    for p in fieldsets.paths(new_set):
        was, before = fieldsets.get(old, p)
        _, after = fieldsets.get(new, p)
        # a member with children (a list item, a map entry holding an object) changes only by
        # appearing; a leaf (scalar, atomic list or map, empty object) by any difference
        if not was or ((not isinstance(after, dict) or not after) and before != after):
            changed.append(p)
    removed = [p for p in fieldsets.paths(old_set) if not fieldsets.contains(new_set, p)]
    return changed, removed


def track_update(old: Obj | None, new: Obj, schema: schemas.Schema | None, manager: str,
                 api_version: str, subresource: str = "") -> None:
    """Record a non-apply write in new.metadata.managedFields (an `Update` entry)."""
    meta = new.setdefault("metadata", {})
    previous = entries(old) if old is not None else []
    requested = meta.get("managedFields")
    if requested is not None and old is not None and _canonical(requested) != _canonical(
        old["metadata"].get("managedFields") or []
    ):
        # the client replaces managedFields itself; [{}] (or []) clears them
        meta["managedFields"] = [e for e in requested if isinstance(e, dict) and e.get("manager")]
        if not meta["managedFields"]:
            del meta["managedFields"]
        return
    new_set = fieldsets.of(new, schema)
    if old is None:  # a create: the writer owns everything it set
        current = set_entry([], manager, "Update", api_version, new_set, subresource, [])
    else:
        changed, removed = changed_paths(old, new, new_set, schema)
        me = (manager, "Update", subresource)
        current = _drop(previous, changed + removed, keep=None)
        mine = next((entry_set(e) for e in previous if _same_entry(e, *me)), {})
        for p in removed:
            fieldsets.remove(mine, p)
        for p in changed:
            fieldsets.add(mine, p, new_set)
        current = set_entry(current, manager, "Update", api_version, mine, subresource, previous)
    if current:
        meta["managedFields"] = current
    else:
        meta.pop("managedFields", None)


def _canonical(entries_: Any) -> Any:
    """managedFields as clients echo them back: times may come in another RFC 3339 spelling."""
    if not isinstance(entries_, list):
        return entries_
    out = []
    for e in entries_:
        if isinstance(e, dict) and isinstance(e.get("time"), str):
            try:
                t = datetime.datetime.fromisoformat(e["time"].replace("Z", "+00:00"))
                e = {**e, "time": t.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
            except ValueError:
                pass
        out.append(e)
    return out


def apply(live: Obj | None, config: Obj, schema: schemas.Schema | None, manager: str,
          api_version: str, force: bool, subresource: str = "") -> Obj:
    """The object after `manager` applies `config` to `live` (None: create)."""
    base: Obj = _copy(live) if live is not None else {}
    previous = entries(base)
    config = {k: v for k, v in config.items() if k != "status" or subresource == "status"}
    config_meta = dict(config.get("metadata") or {})
    config_meta.pop("managedFields", None)
    config = {**config, "metadata": config_meta}
    new_set = fieldsets.of(config, schema)
    merged = merge(base, config, schema)

    me = (manager, "Apply", subresource)
    conflicts: dict[str, list[tuple[str, ...]]] = {}
    for e in previous:
        if _same_entry(e, *me):
            continue
        theirs = entry_set(e)
        for p in fieldsets.paths(new_set):
            if not fieldsets.contains(theirs, p):
                continue
            had, before = fieldsets.get(base, p)
            _, after = fieldsets.get(merged, p)
            if had and before != after and not isinstance(after, dict):
                conflicts.setdefault(f'"{e.get("manager")}" using {e.get("apiVersion")}', []).append(p)
    if conflicts and not force:
        raise conflict_error(config, conflicts)
    current = list(previous)
    if conflicts:
        current = _drop(current, [p for ps in conflicts.values() for p in ps], keep=me)

    # fields this manager stops applying go, unless someone else still owns them
    before = next((entry_set(e) for e in previous if _same_entry(e, *me)), {})
    others: Trie = {}
    for e in current:
        if not _same_entry(e, *me):
            others = fieldsets.union(others, entry_set(e))
    for p in fieldsets.paths(before):
        if not fieldsets.contains(new_set, p) and not fieldsets.contains(others, p):
            fieldsets.delete(merged, p)

    current = set_entry(current, manager, "Apply", api_version, new_set, subresource, previous)
    out: Obj = merged
    out.setdefault("metadata", {})["managedFields"] = current
    return out


def conflict_error(config: Obj, conflicts: dict[str, list[tuple[str, ...]]]) -> errors.APIError:
    """The 409 kube-apiserver sends: `Apply failed with N conflict(s): conflict with "m"
    using apps/v1: .spec.replicas`, with one FieldManagerConflict cause per field."""
    total = sum(len(ps) for ps in conflicts.values())
    parts = []
    causes = []
    for who, ps in conflicts.items():
        fields = [fieldsets.path_string(p) for p in ps]
        if len(fields) == 1:
            parts.append(f"conflict with {who}: {fields[0]}")
        else:
            parts.append(f"conflicts with {who}:\n" + "\n".join(f"- {f}" for f in fields))
        causes += [{"type": "FieldManagerConflict", "message": f"conflict with {who}", "field": f} for f in fields]
    message = f"Apply failed with {total} conflict{'s' if total > 1 else ''}: " + "\n".join(parts)
    meta = config.get("metadata") or {}
    group, _, _ = str(config.get("apiVersion", "")).rpartition("/")
    kind = str(config.get("kind", "")).lower()
    details: Obj = {"name": meta.get("name", ""), "kind": kind, "causes": causes}
    if group:
        details["group"] = group
    return errors.APIError(409, "Conflict", message, details=details)
