"""Placement rules as pure functions: which workspace objects go to which edge clusters, and
how each cluster's copy differs. No storage, no I/O: `vapi.syncview` feeds them.

A Placement (edge.vapi.dev/v1alpha1) says
- *what*: `spec.objects`, a list of object selectors (apiGroup, resources, namespaces,
  namespaceSelector, names, labelSelector; `*` wildcards; fields ANDed, entries ORed);
- *where*: `spec.clusterSelector` over EdgeCluster labels, and `spec.clusterPredicate`, a CEL
  expression over `cluster.name`, `cluster.labels` and `cluster.properties`;
- *how*: `spec.customizations`, applied in order, each optionally limited to clusters by
  its own `clusterSelector` and to objects by `target`, a `mergePatch` (strategic merge keys
  of built-in kinds for lists) or a `jsonPatch` whose strings may hold
  `$(cluster.name)`, `$(cluster.labels.<key>)` or `$(cluster.properties.<key>)`;
  `spec.localFields` (paths the edge owns after creation) and `spec.createOnly`.

An edge copy is the workspace object with what only the center means stripped (uid,
resourceVersion, managedFields, status, ownerReferences, the last-applied annotation) and
the label `edge.vapi.dev/source` naming the workspace (`:` written as `.`).
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import cel
import orjson

from vapi import defaults, errors, patch, schemas, selectors, summaries

Obj = dict[str, Any]

SOURCE_LABEL = "edge.vapi.dev/source"
CREATE_ONLY = "edge.vapi.dev/create-only"
LOCAL_FIELDS = "edge.vapi.dev/local-fields"
FLEET_ANNOTATION = "vapi.dev/clusters"  # written back at the center: "12/15 ready"
GENERATION = "edge.vapi.dev/generation"  # the center object's generation this copy is made from
ASSOCIATED = "edge.vapi.dev/associated"  # which edge-made objects the syncer reports with this one
# on the sync view's bookmarks: which memory of reports the center holds; when it changes (the
# center restarted), syncers report everything again
REPORTS_EPOCH = "edge.vapi.dev/reports-epoch"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"

# Never synced: what only makes sense in the cluster that made it, and vapi's own kinds.
CLUSTER_LOCAL = frozenset({
    ("", "events"), ("events.k8s.io", "events"), ("coordination.k8s.io", "leases"), ("", "nodes"),
    ("", "endpoints"), ("discovery.k8s.io", "endpointslices"), ("", "componentstatuses"), ("", "bindings"),
    ("", "pods"), ("apps", "controllerrevisions"), ("certificates.k8s.io", "certificatesigningrequests"),
    ("storage.k8s.io", "volumeattachments"), ("internal.apiserver.k8s.io", "storageversions"),
})
VAPI_GROUPS = frozenset({"tenancy.vapi.dev", "edge.vapi.dev"})
REFERENCE = re.compile(r"\$\(cluster\.(name|labels\.([^)]+)|properties\.([^)]+))\)")


class Invalid(ValueError):
    """The placement's spec cannot be used; the message names the field."""


class CustomizationError(ValueError):
    """One (object, cluster) pair could not be customized; only that pair is affected."""


def syncable(group: str, resource: str) -> bool:
    return group not in VAPI_GROUPS and (group, resource) not in CLUSTER_LOCAL


@dataclass(frozen=True)
class Cluster:
    name: str
    labels: Mapping[str, str]
    properties: Mapping[str, str]

    @staticmethod
    def of(obj: Obj) -> Cluster:
        meta = obj.get("metadata") or {}
        spec = obj.get("spec") or {}
        props = spec.get("properties") if isinstance(spec, dict) else None
        return Cluster(str(meta.get("name", "")), dict(meta.get("labels") or {}),
                       {str(k): str(v) for k, v in (props or {}).items()} if isinstance(props, dict) else {})

    def activation(self) -> dict[str, Any]:
        return {"cluster": {"name": self.name, "labels": dict(self.labels), "properties": dict(self.properties)}}


def _patterns(value: Any, where: str, default: tuple[str, ...]) -> tuple[str, ...]:
    if value is None:
        return default
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Invalid(f"{where}: must be a list of strings")
    return tuple(value) or default


def glob_any(patterns: tuple[str, ...], value: str) -> bool:
    return any(p == "*" or p == value or ("*" in p and fnmatch.fnmatchcase(value, p)) for p in patterns)


def _matcher(sel: Any, where: str) -> selectors.Matcher:
    if isinstance(sel, dict):  # a misspelt matchLabels would select everything
        _known_fields(sel, LABEL_SELECTOR_FIELDS, where)
    try:
        return selectors.from_label_selector(sel)
    except ValueError as e:
        raise Invalid(f"{where}: {e}") from e


@dataclass(frozen=True)
class ObjectSelector:
    groups: tuple[str, ...]
    resources: tuple[str, ...]
    namespaces: tuple[str, ...] | None
    names: tuple[str, ...]
    labels: selectors.Matcher
    namespace_labels: selectors.Matcher | None

    def matches(self, group: str, resource: str, obj: Obj, namespace_labels: Mapping[str, str] | None) -> bool:
        meta = obj.get("metadata") or {}
        ns = str(meta.get("namespace") or "")
        if not glob_any(self.groups, group) or not glob_any(self.resources, resource) or not glob_any(self.names, str(meta.get("name", ""))):
            return False
        if self.namespaces is not None and not (glob_any(self.namespaces, ns) if ns else "*" in self.namespaces):
            return False
        if self.namespace_labels is not None:
            own = meta.get("labels") or {} if (group, resource) == ("", "namespaces") else namespace_labels
            if own is None or not self.namespace_labels(own):
                return False
        return self.labels(meta.get("labels") or {})


@dataclass(frozen=True)
class Target:
    group: str
    resource: str
    namespace: str
    name: str

    def matches(self, group: str, resource: str, obj: Obj) -> bool:
        meta = obj.get("metadata") or {}
        return (glob_any((self.group,), group) and glob_any((self.resource,), resource)
                and glob_any((self.namespace,), str(meta.get("namespace") or "")) and glob_any((self.name,), str(meta.get("name", ""))))


@dataclass(frozen=True)
class Customization:
    clusters: selectors.Matcher
    target: Target
    merge_patch: Any = None
    json_patch: Any = None


@dataclass(frozen=True)
class Rules:
    """A placement's spec, checked and compiled once."""

    workspace: str
    name: str
    clusters: selectors.Matcher
    predicate: str
    objects: tuple[ObjectSelector, ...]
    customizations: tuple[Customization, ...]
    local_fields: tuple[tuple[str, str, str], ...]  # (group pattern, resource pattern, dotted path)
    create_only: tuple[Target, ...]
    uses_namespace_labels: bool = field(default=False)
    write_back: bool = True  # statusCollection.writeBack: merged edge status into the object's .status
    full: bool = False  # statusCollection.full: every cluster's status kept as a ReportedStatus
    summaries: tuple[summaries.Spec, ...] = ()
    associated: str = ""  # statusCollection.associated as compact JSON, for the syncer

    def selects_cluster(self, cluster: Cluster) -> bool:
        """Raises CustomizationError when the predicate cannot be evaluated for the cluster."""
        if not self.clusters(cluster.labels):
            return False
        if not self.predicate:
            return True
        try:
            result = _program(self.predicate).execute(cluster.activation())
        except Exception as e:  # any evaluation failure (a missing key, 1/0) concerns this cluster only
            raise CustomizationError(f"clusterPredicate on cluster {cluster.name}: {_cel_error(e)}") from e
        if not isinstance(result, bool):
            raise CustomizationError(f"clusterPredicate on cluster {cluster.name}: must evaluate to a bool, not {_cel_type(result)}")
        return result

    def selects_object(self, group: str, resource: str, obj: Obj, namespace_labels: Mapping[str, str] | None = None) -> bool:
        return syncable(group, resource) and any(s.matches(group, resource, obj, namespace_labels) for s in self.objects)


@functools.lru_cache(maxsize=1024)
def _program(expression: str) -> Any:
    return cel.compile(expression)


def _cel_error(e: Exception) -> str:
    if isinstance(e, KeyError):  # the library's message is the bare key
        return f"no such key: {e.args[0] if e.args else ''}"
    return str(e)


def _cel_type(value: Any) -> str:
    return {str: "string", int: "int", float: "double", list: "list", dict: "map", bytes: "bytes"}.get(type(value), type(value).__name__)


def _check_predicate(predicate: str) -> None:
    """Refuse what cannot work for any cluster: a syntax error, a name other than `cluster`,
    an undefined function, a result that is not a bool. Whether a cluster has the labels or
    properties it reads is known only per cluster (reported in the placement's status)."""
    try:
        program = _program(predicate)
    except (ValueError, RuntimeError, TypeError) as e:
        raise Invalid(f"spec.clusterPredicate: {e}") from e
    unknown = sorted(set(program.variables()) - {"cluster"})
    if unknown:
        raise Invalid(f"spec.clusterPredicate: Invalid value: undeclared reference to {unknown[0]!r}: "
                      "only cluster.name, cluster.labels and cluster.properties are defined")
    try:
        result = program.execute(Cluster("", {}, {}).activation())
    except RuntimeError as e:  # an undefined function: it fails for every cluster
        raise Invalid(f"spec.clusterPredicate: {e}") from e
    except Exception:  # depends on the cluster (a label or property it lacks): judged per cluster
        return
    if not isinstance(result, bool):
        raise Invalid(f"spec.clusterPredicate: Invalid value: must evaluate to a bool, not {_cel_type(result)}")


def compile_rules(workspace: str, name: str, spec: Any) -> Rules:
    """Raises Invalid for a spec that cannot be used (the message names the field)."""
    if not isinstance(spec, dict):
        raise Invalid("spec: Required value")
    predicate = spec.get("clusterPredicate") or ""
    if not isinstance(predicate, str):
        raise Invalid("spec.clusterPredicate: must be a CEL expression")
    if predicate:
        _check_predicate(predicate)
    raw_objects = spec.get("objects") or []
    if not isinstance(raw_objects, list):
        raise Invalid("spec.objects: must be a list")
    objs = []
    for i, o in enumerate(raw_objects):
        where = f"spec.objects[{i}]"
        if not isinstance(o, dict):
            raise Invalid(f"{where}: must be an object")
        _known_fields(o, OBJECT_FIELDS, where)  # a misspelt field would widen the selection
        ns = o.get("namespaces")
        objs.append(ObjectSelector(
            groups=_patterns(o.get("apiGroup", ""), f"{where}.apiGroup", ("",)),
            resources=_patterns(o.get("resources"), f"{where}.resources", ("*",)),
            namespaces=None if ns is None else _patterns(ns, f"{where}.namespaces", ("*",)),
            names=_patterns(o.get("names"), f"{where}.names", ("*",)),
            labels=_matcher(o.get("labelSelector"), f"{where}.labelSelector"),
            namespace_labels=None if o.get("namespaceSelector") is None else _matcher(o["namespaceSelector"], f"{where}.namespaceSelector"),
        ))
    customs = []
    for i, c in enumerate(_list(spec, "customizations")):
        where = f"spec.customizations[{i}]"
        if not isinstance(c, dict):
            raise Invalid(f"{where}: must be an object")
        _known_fields(c, CUSTOMIZATION_FIELDS, where)
        has_merge, has_json = "mergePatch" in c, "jsonPatch" in c
        if has_merge == has_json:
            raise Invalid(f"{where}: exactly one of mergePatch and jsonPatch")
        if has_json:
            _check_json_patch(c["jsonPatch"], f"{where}.jsonPatch")
        if has_merge and not isinstance(c["mergePatch"], dict):
            raise Invalid(f"{where}.mergePatch: must be an object")
        _check_references(c["mergePatch"] if has_merge else c["jsonPatch"], f"{where}.{'mergePatch' if has_merge else 'jsonPatch'}")
        customs.append(Customization(_matcher(c.get("clusterSelector"), f"{where}.clusterSelector"),
                                     _target(c.get("target"), f"{where}.target"), c.get("mergePatch"), c.get("jsonPatch")))
    local = []
    for i, f in enumerate(_list(spec, "localFields")):
        if not isinstance(f, dict) or not isinstance(f.get("path"), str) or not f["path"]:
            raise Invalid(f"spec.localFields[{i}]: want apiGroup, resource and path")
        _known_fields(f, LOCAL_FIELD_FIELDS, f"spec.localFields[{i}]")
        _strings(f, ("apiGroup", "resource"), f"spec.localFields[{i}]")
        local.append((str(f.get("apiGroup", "")), str(f.get("resource", "*")), f["path"]))
    create_only = tuple(_target(t, f"spec.createOnly[{i}]") for i, t in enumerate(_list(spec, "createOnly")))
    collection = spec.get("statusCollection") or {}
    if not isinstance(collection, dict):
        raise Invalid("spec.statusCollection: must be an object")
    try:
        summaries.unknown(collection, ("writeBack", "full", "associated", "summaries", *summaries.FIELDS), "spec.statusCollection")
    except summaries.Invalid as e:
        raise Invalid(str(e)) from e
    for flag in ("writeBack", "full"):
        if not isinstance(collection.get(flag, False), bool):
            raise Invalid(f"spec.statusCollection.{flag}: must be true or false")
    raw_summaries = collection.get("summaries") or []
    if not isinstance(raw_summaries, list):
        raise Invalid("spec.statusCollection.summaries: must be a list")
    raw = [(f"spec.statusCollection.summaries[{i}]", r) for i, r in enumerate(raw_summaries)]
    if any(k in collection for k in summaries.FIELDS):  # one summary written inline
        raw.insert(0, ("spec.statusCollection", {"name": "default", **{k: v for k, v in collection.items() if k in summaries.FIELDS}}))
    specs: list[summaries.Spec] = []
    for where, r in raw:
        try:
            specs.append(summaries.compile_spec(r, where))
        except summaries.Invalid as e:
            raise Invalid(str(e)) from e
        if specs[-1].name in [s.name for s in specs[:-1]]:  # each names a part of the StatusSummary
            raise Invalid(f"{where}.name: Duplicate value: {specs[-1].name!r}")
    raw_associated = collection.get("associated") or []
    if not isinstance(raw_associated, list):
        raise Invalid("spec.statusCollection.associated: must be a list")
    associated = []
    for i, a in enumerate(raw_associated):
        where = f"spec.statusCollection.associated[{i}]"
        if not isinstance(a, dict) or not isinstance(a.get("apiVersion"), str) or not isinstance(a.get("kind"), str):
            raise Invalid(f"{where}: want apiVersion and kind")
        extra = sorted(set(a) - {"apiVersion", "kind", "via", "labelSelector"})
        if extra:
            raise Invalid(f'{where}: unknown field "{where}.{extra[0]}"')
        via = a.get("via", "owner")
        if via not in ("owner", "labels"):
            raise Invalid(f"{where}.via: Unsupported value: {via!r}: supported values: \"owner\", \"labels\"")
        entry = {"apiVersion": a["apiVersion"], "kind": a["kind"], "via": via}
        if via == "labels":
            selector = a.get("labelSelector")
            _matcher(selector, f"{where}.labelSelector")
            if not isinstance(selector, dict):
                raise Invalid(f"{where}.labelSelector: Required value for via: labels")
            entry["labelSelector"] = selector
        associated.append(entry)
    return Rules(workspace, name, _matcher(spec.get("clusterSelector"), "spec.clusterSelector"), predicate, tuple(objs),
                 tuple(customs), tuple(local), create_only, any(o.namespace_labels is not None for o in objs),
                 collection.get("writeBack", True), collection.get("full", False), tuple(specs),
                 orjson.dumps(associated).decode() if associated else "")


def _target(raw: Any, where: str) -> Target:
    if raw is None:
        return Target("*", "*", "*", "*")
    if not isinstance(raw, dict):
        raise Invalid(f"{where}: must be an object")
    _known_fields(raw, TARGET_FIELDS, where)
    _strings(raw, tuple(TARGET_FIELDS), where)
    return Target(str(raw.get("apiGroup", "")), str(raw.get("resource", "*")), str(raw.get("namespace", "*")), str(raw.get("name", "*")))


LABEL_SELECTOR_FIELDS = frozenset({"matchLabels", "matchExpressions"})
OBJECT_FIELDS = frozenset({"apiGroup", "resources", "namespaces", "namespaceSelector", "names", "labelSelector"})
CUSTOMIZATION_FIELDS = frozenset({"clusterSelector", "target", "mergePatch", "jsonPatch"})
TARGET_FIELDS = frozenset({"apiGroup", "resource", "namespace", "name"})
LOCAL_FIELD_FIELDS = frozenset({"apiGroup", "resource", "path"})
JSON_PATCH_OPS = ("add", "remove", "replace", "move", "copy", "test")


def _list(spec: Obj, key: str) -> list[Any]:
    value = spec.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise Invalid(f"spec.{key}: must be a list")
    return value


def _known_fields(raw: Obj, known: frozenset[str], where: str) -> None:
    unknown = sorted(str(k) for k in raw if k not in known)
    if unknown:
        raise Invalid(f"{where}.{unknown[0]}: Forbidden: unknown field (supported: {', '.join(sorted(known))})")


def _strings(raw: Obj, keys: tuple[str, ...], where: str) -> None:
    for k in keys:
        if k in raw and not isinstance(raw[k], str):
            raise Invalid(f"{where}.{k}: must be a string")


def _check_json_patch(ops: Any, where: str) -> None:
    """The operations of RFC 6902 with the members each needs; whether a path exists is
    known only per object (a failure is that (object, cluster) pair's)."""
    if not isinstance(ops, list):
        raise Invalid(f"{where}: must be a list of operations")
    for j, op in enumerate(ops):
        here = f"{where}[{j}]"
        if not isinstance(op, dict):
            raise Invalid(f"{here}: must be an object with op and path")
        if op.get("op") not in JSON_PATCH_OPS:
            raise Invalid(f"{here}.op: Unsupported value: {op.get('op')!r}: supported values: {', '.join(JSON_PATCH_OPS)}")
        for member in ("path", *(("from",) if op["op"] in ("move", "copy") else ())):
            pointer = op.get(member)
            if not isinstance(pointer, str) or (pointer and not pointer.startswith("/")):
                raise Invalid(f"{here}.{member}: Invalid value: must be a JSON pointer (\"\" or starting with \"/\")")
        if op["op"] in ("add", "replace", "test") and "value" not in op:
            raise Invalid(f"{here}.value: Required value")


def _check_references(value: Any, where: str) -> None:
    """Every `$(cluster.` must begin a reference vapi can resolve: a misspelt one would
    otherwise reach the edges as literal text."""
    if isinstance(value, str):
        rest = REFERENCE.sub("", value)
        if "$(cluster" in rest:
            raise Invalid(f"{where}: Invalid value: {value!r}: a reference is $(cluster.name), "
                          "$(cluster.labels.<key>) or $(cluster.properties.<key>)")
    elif isinstance(value, dict):
        for k, v in value.items():
            _check_references(v, f"{where}.{k}")
    elif isinstance(value, list):
        for j, v in enumerate(value):
            _check_references(v, f"{where}[{j}]")


# -- customizing one copy -------------------------------------------------------------------


def _reference(m: re.Match[str], cluster: Cluster) -> str:
    if m.group(1) == "name":
        return cluster.name
    if m.group(2) is not None:
        if m.group(2) not in cluster.labels:
            raise CustomizationError(f"cluster {cluster.name} has no label {m.group(2)!r}")
        return cluster.labels[m.group(2)]
    if m.group(3) not in cluster.properties:
        raise CustomizationError(f"cluster {cluster.name} has no property {m.group(3)!r}")
    return cluster.properties[m.group(3)]


def _typed(text: str, schema: schemas.Schema | None) -> Any:
    """A whole-string reference takes the type the field wants (a replica count property
    becomes an integer)."""
    node = schemas.resolve(schema) or {}
    kind = node.get("type")
    if isinstance(kind, list):  # ["integer", "null"] in kubernetes-validate's schemas
        kind = next((k for k in kind if k != "null"), None)
    if (kind == "integer" or node.get("x-kubernetes-int-or-string")) and re.fullmatch(r"-?\d+", text):
        return int(text)
    if kind == "number" and re.fullmatch(r"-?\d+(\.\d+)?", text):
        return float(text) if "." in text else int(text)
    if kind == "boolean" and text in ("true", "false"):
        return text == "true"
    return text


def substitute(value: Any, cluster: Cluster, schema: schemas.Schema | None) -> Any:
    if isinstance(value, str):
        whole = REFERENCE.fullmatch(value)
        if whole is not None:
            return _typed(_reference(whole, cluster), schema)
        return REFERENCE.sub(lambda m: _reference(m, cluster), value)
    if isinstance(value, dict):
        return {k: substitute(v, cluster, schemas.field(schema, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, cluster, schemas.items(schema)) for v in value]
    return value


def _schema_at(schema: schemas.Schema | None, pointer: str) -> schemas.Schema | None:
    for token in [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]:
        schema = schemas.items(schema) if token.isdigit() or token == "-" else schemas.field(schema, token)
    return schema


def customize(rules: Rules, group: str, resource: str, obj: Obj, cluster: Cluster, schema: schemas.Schema | None) -> Obj:
    """The object as this placement sends it to `cluster`. Raises CustomizationError."""
    out: Obj = orjson.loads(orjson.dumps(obj))
    for c in rules.customizations:
        if not c.clusters(cluster.labels) or not c.target.matches(group, resource, out):
            continue
        try:
            if c.merge_patch is not None:
                out = patch.strategic_merge(out, substitute(c.merge_patch, cluster, schema), schema)
            else:
                ops = [{**op, "value": substitute(op["value"], cluster, _schema_at(schema, str(op.get("path", ""))))}
                       if isinstance(op, dict) and "value" in op else op for op in c.json_patch]
                out = patch.json_patch(out, ops)
        except (patch.PatchError, errors.APIError) as e:  # the patch functions refuse bad input with API errors
            raise CustomizationError(f"customization of {resource}/{obj.get('metadata', {}).get('name')} for cluster {cluster.name}: {e}") from e
        if not isinstance(out, dict):
            raise CustomizationError(f"customization of {resource} for cluster {cluster.name} did not leave an object")
    if _identity(out) != _identity(obj):  # the edge copy must stay the object it is a copy of
        raise CustomizationError(f"customization of {resource}/{obj.get('metadata', {}).get('name')} for cluster {cluster.name} "
                                 "may not change its apiVersion, kind, name or namespace")
    meta = out.setdefault("metadata", {})
    annotations = dict(meta.get("annotations") or {})
    paths = [p for g, r, p in rules.local_fields if glob_any((g,), group) and glob_any((r,), resource)]
    if paths:
        annotations[LOCAL_FIELDS] = ",".join(paths)
    if any(t.matches(group, resource, out) for t in rules.create_only):
        annotations[CREATE_ONLY] = "true"
    if rules.associated:
        annotations[ASSOCIATED] = rules.associated
    if annotations:
        meta["annotations"] = annotations
    return out


CONTROL_ANNOTATIONS = (LOCAL_FIELDS, CREATE_ONLY, ASSOCIATED)  # how the edge treats a copy, not what it is


def merge(copies: list[Obj]) -> Obj | None:
    """One copy of an object for one cluster from the copies several placements make of it,
    or None when their content differs (a conflict, reported). Copies that differ only in how
    the edge treats them merge: the union of their local fields and of the associated objects
    reported, create-only if any placement says so."""
    def content(copy: Obj) -> bytes:
        meta = dict(copy.get("metadata") or {})
        annotations = {k: v for k, v in (meta.pop("annotations", None) or {}).items() if k not in CONTROL_ANNOTATIONS}
        return orjson.dumps({**copy, "metadata": {**meta, "annotations": annotations}}, option=orjson.OPT_SORT_KEYS)

    if len({content(c) for c in copies}) > 1:
        return None
    paths: list[str] = []
    associated: list[Any] = []
    create_only = False
    controls = [(c.get("metadata") or {}).get("annotations") or {} for c in copies]
    for annotations in sorted(controls, key=lambda a: -len(a.get(ASSOCIATED, ""))):  # the longest owner chain first
        paths += [p for p in annotations.get(LOCAL_FIELDS, "").split(",") if p and p not in paths]
        create_only = create_only or annotations.get(CREATE_ONLY) == "true"
        associated += [a for a in orjson.loads(annotations.get(ASSOCIATED) or "[]") if a not in associated]
    meta = dict(copies[0].get("metadata") or {})
    annotations = {k: v for k, v in (meta.get("annotations") or {}).items() if k not in CONTROL_ANNOTATIONS}
    if paths:
        annotations[LOCAL_FIELDS] = ",".join(paths)
    if create_only:
        annotations[CREATE_ONLY] = "true"
    if associated:
        annotations[ASSOCIATED] = orjson.dumps(associated).decode()
    if annotations:
        meta["annotations"] = annotations
    else:
        meta.pop("annotations", None)
    return {**copies[0], "metadata": meta}


def _identity(obj: Obj) -> tuple[Any, ...]:
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        return (obj.get("apiVersion"), obj.get("kind"), meta)
    return (obj.get("apiVersion"), obj.get("kind"), meta.get("name"), meta.get("namespace") or "")


def source_label(workspace: str) -> str:
    return workspace.replace(":", ".")


def strip(obj: Obj, workspace: str) -> Obj:
    """What the edge gets of a workspace object: the center's bookkeeping removed, the
    source named. A new object; `obj` is not changed."""
    out = {k: v for k, v in obj.items() if k != "status"}
    meta = dict(out.get("metadata") or {})
    for k in ("uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "selfLink",
              "deletionTimestamp", "deletionGracePeriodSeconds", "ownerReferences", "finalizers"):
        meta.pop(k, None)
    annotations = {k: v for k, v in (meta.get("annotations") or {}).items() if k not in (LAST_APPLIED, FLEET_ANNOTATION)}
    if annotations:
        meta["annotations"] = annotations
    else:
        meta.pop("annotations", None)
    meta["labels"] = {**(meta.get("labels") or {}), SOURCE_LABEL: source_label(workspace)}
    generation = (obj.get("metadata") or {}).get("generation")
    if generation is not None:  # for the syncer's status reports; not applied at the edge
        meta["annotations"] = {**(meta.get("annotations") or {}), GENERATION: str(generation)}
    out["metadata"] = meta
    if out.get("kind") == "Namespace" and out.get("apiVersion") == "v1":
        out.pop("spec", None)  # finalizers the center's apiserver set
    if out.get("kind") == "Job" and out.get("apiVersion") == "batch/v1" and isinstance(out.get("spec"), dict):
        out["spec"] = _unbind_job(out["spec"])
    return out


def _unbind_job(spec: Obj) -> Obj:
    """A Job's spec without the selector and pod labels the center generated from its uid:
    each edge generates its own, and refuses a selector it did not generate."""
    if spec.get("manualSelector") is True:
        return spec
    spec = dict(spec)
    selector = dict(spec.get("selector") or {})
    match = {k: v for k, v in (selector.get("matchLabels") or {}).items() if k not in defaults.JOB_UID_LABELS}
    if match:
        selector["matchLabels"] = match
    else:
        selector.pop("matchLabels", None)
    if selector:
        spec["selector"] = selector
    else:
        spec.pop("selector", None)
    template = spec.get("template")
    if isinstance(template, dict) and isinstance(template.get("metadata"), dict):
        labels = {k: v for k, v in (template["metadata"].get("labels") or {}).items() if k not in defaults.JOB_UID_LABELS}
        spec["template"] = {**template, "metadata": {**template["metadata"], "labels": labels}}
    return spec
