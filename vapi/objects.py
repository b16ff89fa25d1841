"""The generic store: Kubernetes objects of any kind on the revisioned key-value store.

After k8s.io/apiserver/pkg/registry/generic/registry/store.go with the etcd3 storage under it:
objects are stored as JSON without `metadata.resourceVersion`, which is set on the way out
from the storage revision; guarded writes use that revision; lists are consistent snapshots
paginated by key; watches come from the shared watch cache. Storage keys are built in one
function, `key()`.
"""

from __future__ import annotations

import asyncio
import base64
import builtins
import binascii
import random
import string
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import orjson

from storage import errors as storage_errors
from storage.backend import Backend, EventType, KeyValue
from storage.cache import WatchCache
from vapi import (apply, celrules, certificates, clock, defaults, errors, eventversions, ids, kubeproto, schemas, selectors,
                  validation)
from vapi.resources import Resource

Obj = dict[str, Any]


def key(workspace: str, res: Resource, namespace: str, name: str) -> str:
    """The storage key of one object; prefixes below are its leading parts."""
    return prefix(workspace, res, namespace) + name


def prefix(workspace: str, res: Resource, namespace: str = "") -> str:
    group = "" if aliased(res) else res.group
    base = f"/{workspace}/{group or 'core'}/{res.resource}/"
    return base + f"{namespace}/" if namespace else base


def workspace_prefix(workspace: str) -> str:
    return f"/{workspace}/"



def decode(kv: KeyValue) -> Obj:
    obj: Obj = orjson.loads(kv.value)
    obj.setdefault("metadata", {})["resourceVersion"] = str(kv.mod_revision)
    return obj


def aliased(res: Resource) -> bool:
    """A built-in resource stored as another group's: events.k8s.io Events are core Events
    (vapi/eventversions.py). Walks over every resource skip it, not to see objects twice."""
    return res.group == "events.k8s.io" and eventversions.shares_storage(res.group, res.resource, builtin=res.kube_builtin)


def as_version(res: Resource, obj: Obj) -> Obj:
    """A stored object read through `res`: a custom resource through any served version (with
    `conversion: None` only the apiVersion changes), an Event through either event API. Other
    built-in kinds are stored and served in one version here."""
    if res.schema is not None:
        obj["apiVersion"] = res.group_version
    elif eventversions.shares_storage(res.group, res.resource, builtin=res.kube_builtin):
        eventversions.convert(obj, res.group_version)
    return obj


def encode(obj: Obj) -> bytes:
    meta = obj.get("metadata", {})
    rv = meta.pop("resourceVersion", None)
    try:
        return orjson.dumps(obj)
    finally:
        if rv is not None:
            meta["resourceVersion"] = rv


@dataclass
class ListOptions:
    label: Callable[[Mapping[str, str]], bool]
    fields: list[selectors.FieldTerm]
    limit: int = 0
    continue_token: str = ""
    resource_version: str = ""
    resource_version_match: str = ""
    send_initial_events: bool | None = None  # a watch's; None: not given


def encode_continue(revision: int, start: str) -> str:
    raw = orjson.dumps({"v": "meta.k8s.io/v1", "rv": revision, "start": start})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_continue(token: str, list_prefix: str) -> tuple[int, str]:
    """(revision, key to start after) of a continue token, refused in the words of
    k8s.io/apiserver/pkg/storage/continue.go; a negative revision (a token handed out with
    a 410) continues at the latest revision."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = orjson.loads(raw)
        rv, start = int(data["rv"]), str(data["start"])
    except (binascii.Error, ValueError, KeyError, TypeError, orjson.JSONDecodeError) as e:
        raise errors.bad_request(f"invalid continue token: continue key is not valid: {e}") from e
    if rv == 0:
        raise errors.bad_request("invalid continue token: continue key is not valid: "
                                 "incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
    if not start:
        raise errors.bad_request("invalid continue token: continue key is not valid: "
                                 "encoded start key empty (version meta.k8s.io/v1)")
    if start.startswith("/") or ".." in start.split("/"):
        raise errors.bad_request(f"invalid continue token: continue key is not valid: {start}")
    return max(rv, 0), list_prefix + start


def matches(obj: Obj, opts: ListOptions) -> bool:
    """Whether an object passes a list's or watch's label and field selectors."""
    meta = obj.get("metadata", {})
    if not opts.label(meta.get("labels") or {}):
        return False
    return not opts.fields or selectors.fields_match(obj, opts.fields)


# how long a read at a resourceVersion not yet reached waits for it (kube's watch cache: 3 s)
FRESH_WAIT = 3.0

CONTINUE_EXPIRED = (
    "The provided continue parameter is too old to display a consistent list result. You can "
    "start a new list without the continue parameter, or use the continue token in this "
    "response to retrieve the remainder of the results. Continuing with the provided token "
    "results in an inconsistent list - objects that were created, modified, or deleted between "
    "the time the first chunk was returned and now may show up in the list."
)


class Objects:
    def __init__(self, backend: Backend, cache: WatchCache) -> None:
        self.backend = backend
        self.cache = cache

    # -- reads -----------------------------------------------------------------------

    async def get(self, res: Resource, ws: str, ns: str, name: str, *, resource_version: str = "") -> Obj:
        if resource_version not in ("", "0"):
            await self._reached(parse_rv(resource_version), res, name)
        try:
            kv = await self.backend.get(key(ws, res, ns, name))
        except storage_errors.StorageError as e:
            raise errors.from_storage(e, res.group, res.resource, name) from e
        return as_version(res, decode(kv))

    async def _reached(self, wanted: int, res: Resource, name: str) -> None:
        """Wait until the store has reached revision `wanted`, as kube's watch cache waits
        for a resourceVersion it has not seen yet: at most FRESH_WAIT seconds, then 504
        Timeout `Too large resource version` (another replica's write may be that far ahead)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + FRESH_WAIT
        pause = 0.01
        try:
            while wanted > (current := await self.backend.current_revision()):
                left = deadline - loop.time()
                if left <= 0:
                    raise storage_errors.FutureRevision(revision=wanted, current=current)
                await asyncio.sleep(min(pause, left))
                pause = min(pause * 2, 0.2)
        except storage_errors.StorageError as e:
            raise errors.from_storage(e, res.group, res.resource, name) from e

    async def list(self, res: Resource, ws: str, ns: str, opts: ListOptions) -> Obj:
        list_prefix = prefix(ws, res, ns)
        if opts.resource_version == "0" and not opts.continue_token:
            # kube-apiserver serves it from its watch cache, which ignores the limit: the
            # whole list, no continue (cacher.go computeListLimit)
            opts = replace(opts, limit=0)
        revision = 0
        start_after = ""
        if opts.continue_token:
            revision, start_after = decode_continue(opts.continue_token, list_prefix)
        elif opts.resource_version not in ("", "0"):
            wanted = parse_rv(opts.resource_version)
            if opts.resource_version_match == "Exact" or (not opts.resource_version_match and opts.limit):
                revision = wanted  # with a limit and no match: Exact, as kube's legacy rule
            else:
                await self._reached(wanted, res, "")
        elif opts.resource_version_match == "Exact":
            raise errors.bad_request("resourceVersionMatch: Exact requires a resourceVersion")
        items: list[Obj] = []
        more = False
        last_key = start_after
        batch = max(opts.limit, 500) if opts.limit else 0
        try:
            while True:
                page = await self.backend.list(list_prefix, revision=revision, limit=batch, start_after=last_key)
                revision = page.revision
                for kv in page.items:
                    obj = as_version(res, decode(kv))
                    last_key = kv.key
                    if matches(obj, opts):
                        items.append(obj)
                        if opts.limit and len(items) == opts.limit:
                            break
                if opts.limit and len(items) == opts.limit:
                    more = page.more or last_key != page.items[-1].key
                    break
                if not page.more:
                    break
        except storage_errors.Compacted as e:
            # etcd3/errors.go: a continued list gets a token to go on at the latest revision
            if opts.continue_token:
                raise errors.APIError(410, "Expired", CONTINUE_EXPIRED, list_meta={
                    "continue": encode_continue(-1, start_after[len(list_prefix):])}) from e
            raise errors.expired("The resourceVersion for the provided list is too old.") from e
        except storage_errors.StorageError as e:
            raise errors.from_storage(e, res.group, res.resource, "") from e
        meta: Obj = {"resourceVersion": str(revision)}
        if more:
            meta["continue"] = encode_continue(revision, last_key[len(list_prefix):])
            if opts.label is selectors.everything and not opts.fields:
                # as kube-apiserver on etcd: only without selectors, where the count is exact
                try:
                    remaining = await self.backend.count(list_prefix, revision=revision, start_after=last_key)
                except storage_errors.StorageError as e:
                    raise errors.from_storage(e, res.group, res.resource, "") from e
                meta["remainingItemCount"] = remaining
        return {"kind": res.list_kind, "apiVersion": res.group_version, "metadata": meta, "items": items}

    # -- writes ----------------------------------------------------------------------

    async def create(
        self, res: Resource, ws: str, ns: str, obj: Obj, *, dry_run: bool = False, manager: str = "",
        requester: tuple[str, str, "builtins.list[str]"] | None = None,
    ) -> Obj:
        """Store a new object; `requester` (name, uid, groups) is who asks, for the kinds that
        record it (a CertificateSigningRequest's spec.username, uid and groups)."""
        meta = obj.setdefault("metadata", {})
        generate_name(meta)
        validation.validate_create(res, obj)
        normalize(res, obj)
        validation.validate_kind(res, obj)
        validation.validate_custom(res, obj)
        celrules.validate(res, obj)
        name = meta["name"]
        if res.namespaced:
            meta["namespace"] = ns
            await self._require_namespace(ws, ns)
        else:
            meta.pop("namespace", None)
        meta["uid"] = ids.new_uid()
        if res.group == "batch" and res.kind == "Job" and res.schema is None:
            defaults.job_selector(obj)
            validation.validate_kind(res, obj)
        meta["creationTimestamp"] = clock.now()
        meta.pop("resourceVersion", None)
        meta.pop("deletionTimestamp", None)
        meta.pop("deletionGracePeriodSeconds", None)
        meta.pop("selfLink", None)
        if ("spec" in obj or res.has_status) and (res.group, res.resource) not in WITHOUT_GENERATION:
            meta["generation"] = 1
        else:
            meta.pop("generation", None)
        if res.has_status and res.resource != "namespaces":
            obj.pop("status", None)
        status = defaults.initial_status(res.group, res.kind, obj) if res.schema is None else None
        if status is not None:
            obj["status"] = status
        if res.group == "apiextensions.k8s.io" and res.kind == "CustomResourceDefinition":
            from vapi import crds

            crds.set_status(obj, None, await self._others(res, ws))
        if res.resource == "namespaces":
            obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
            obj["status"] = {"phase": "Active"}
            meta.setdefault("labels", {})["kubernetes.io/metadata.name"] = name
        encoded(res, obj)
        if manager:
            apply.track_update(None, obj, schemas.of_resource(res), manager, res.group_version)
        if res.group == certificates.GROUP and res.kind == certificates.KIND and res.schema is None and requester:
            certificates.stamp_requester(obj, *requester)  # after the fields a manager owns, as PrepareForCreate
        if dry_run:
            meta["resourceVersion"] = ""
            return obj
        try:
            kv = await self.backend.create(key(ws, res, ns, name), encode(obj))
        except storage_errors.StorageError as e:
            raise errors.from_storage(e, res.group, res.resource, name) from e
        meta["resourceVersion"] = str(kv.mod_revision)
        return obj

    async def _others(self, res: Resource, ws: str) -> "builtins.list[Obj]":
        """Every stored object of a (cluster-scoped) kind in the workspace."""
        try:
            return [decode(kv) for kv in (await self.backend.list(prefix(ws, res))).items]
        except storage_errors.StorageError as e:
            raise errors.from_storage(e, res.group, res.resource, "") from e

    async def _require_namespace(self, ws: str, ns: str) -> None:
        from vapi.resources import builtin

        nsres = builtin().lookup("", "v1", "namespaces")
        assert nsres is not None
        try:
            kv = await self.backend.get(key(ws, nsres, "", ns))
        except storage_errors.KeyNotFound as e:
            raise errors.not_found("", "namespaces", ns) from e
        except storage_errors.StorageError as e:
            raise errors.from_storage(e, "", "namespaces", ns) from e
        # every namespaced create passes here: decode only a namespace that may be terminating
        if b'"deletionTimestamp"' in kv.value and decode(kv).get("metadata", {}).get("deletionTimestamp"):
            raise errors.APIError(
                403, "Forbidden",
                f"unable to create new content in namespace {ns} because it is being terminated",
                details={"name": ns, "kind": "namespaces", "causes": [{"reason": "NamespaceTerminating", "message": f"namespace {ns} is being terminated", "field": "metadata.namespace"}]},
            )

    async def update(
        self, res: Resource, ws: str, ns: str, name: str, obj: Obj, *, subresource: str = "",
        dry_run: bool = False, manager: str = "", recorded_as: str | None = None,
    ) -> Obj:
        """Replace an object; `manager` names the writer in managedFields (an Update entry for
        `subresource`, or `recorded_as` when a subresource such as scale writes the object)."""
        meta = obj.setdefault("metadata", {})
        if meta.get("name", name) != name:
            raise errors.bad_request(
                f"the name of the object ({meta.get('name')}) does not match the name on the URL ({name})"
            )
        meta["name"] = name
        k = key(ws, res, ns, name)
        try:
            kv = await self.backend.get(k)
        except storage_errors.StorageError as e:
            raise errors.from_storage(e, res.group, res.resource, name) from e
        old = as_version(res, decode(kv))
        wanted_rv = meta.get("resourceVersion")
        if wanted_rv and wanted_rv != old["metadata"]["resourceVersion"]:
            raise errors.conflict(res.group, res.resource, name, errors.MODIFIED)
        causes = meta_update_causes(meta, old["metadata"])
        if causes:
            raise errors.invalid(res.group, res.kind, name, causes)
        new = merge_update(res, old, obj, subresource)
        normalize(res, new)
        encoded(res, new)
        if subresource not in ("status", "ephemeralcontainers"):
            bump_generation(old, new)
        validation.validate_update(res, new, old)
        validation.validate_kind(res, new, old, recorded_as or subresource)
        validation.validate_custom(res, new)
        celrules.validate(res, new, old)
        if res.group == "apiextensions.k8s.io" and res.kind == "CustomResourceDefinition":
            from vapi import crds

            crds.set_status(new, old, await self._others(res, ws))
        if manager:
            schema = schemas.of_resource(res)
            entry_sub = subresource if recorded_as is None else recorded_as
            apply.track_update(old, new, schema, manager, res.group_version, entry_sub)
        elif "managedFields" not in new["metadata"] and old["metadata"].get("managedFields"):
            new["metadata"]["managedFields"] = old["metadata"]["managedFields"]
        if _deleted_by(new):
            return await self._finish_delete(res, ws, ns, name, kv, new, dry_run)
        if strip_rv(new) == strip_rv(old):
            return old  # a no-op update changes nothing, not even the resourceVersion
        if dry_run:
            new["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"]
            return new
        try:
            out = await self.backend.update(k, encode(new), revision=kv.mod_revision)
        except storage_errors.StorageError as e:
            raise errors.from_storage(e, res.group, res.resource, name) from e
        new["metadata"]["resourceVersion"] = str(out.mod_revision)
        return new

    async def _finish_delete(self, res: Resource, ws: str, ns: str, name: str, kv: KeyValue, obj: Obj, dry_run: bool) -> Obj:
        if dry_run:
            return obj
        try:
            gone = await self.backend.delete(kv.key, revision=kv.mod_revision)
        except storage_errors.StorageError as e:
            raise errors.from_storage(e, res.group, res.resource, name) from e
        obj["metadata"]["resourceVersion"] = str(gone.mod_revision)
        return obj

    async def delete(
        self, res: Resource, ws: str, ns: str, name: str, *, preconditions: Obj | None = None,
        dry_run: bool = False, propagation: str = "Background", graceful: bool = False,
        grace_period: int | None = None,
    ) -> Obj:
        """Delete now, or mark for deletion while finalizers remain (returns the object).
        Foreground and Orphan propagation hold the object with the `foregroundDeletion` or
        `orphan` finalizer until the garbage collector (vapi/gc.py) has dealt with its
        dependents, as kube-apiserver does. A `graceful` delete (a client's, not the garbage
        collector's or a namespace's) of a pod on a node only marks it for the kubelet, with
        `grace_period` or the pod's own (`pod_grace_period`); a later one may shorten it."""
        held = {"Foreground": "foregroundDeletion", "Orphan": "orphan"}.get(propagation)
        k = key(ws, res, ns, name)
        for _ in range(20):
            try:
                kv = await self.backend.get(k)
            except storage_errors.StorageError as e:
                raise errors.from_storage(e, res.group, res.resource, name) from e
            obj = as_version(res, decode(kv))
            meta = obj["metadata"]
            if preconditions:
                _check_preconditions(res, obj, preconditions)
            finalizers = meta.get("finalizers") or []
            if held and held not in finalizers and not meta.get("deletionTimestamp"):
                finalizers = meta["finalizers"] = [*finalizers, held]
            if res.resource == "namespaces":
                finalizers = finalizers or (obj.get("spec", {}).get("finalizers") or [])
            period = pod_grace_period(res, obj, grace_period) if graceful else 0
            pending = meta.get("deletionTimestamp") and meta.get("deletionGracePeriodSeconds")
            if pending and (grace_period is None or grace_period >= meta["deletionGracePeriodSeconds"]):
                return obj  # a graceful deletion under way: only a shorter grace period changes it
            if pending:  # rest.BeforeDelete: the deadline moves by as much as the period shrinks
                start = clock.shifted(meta["deletionTimestamp"], -int(meta["deletionGracePeriodSeconds"]))
                meta["deletionTimestamp"] = clock.shifted(start, max(grace_period or 0, 0))
                meta["deletionGracePeriodSeconds"] = period = max(grace_period or 0, 0)
            if not finalizers and not period:
                return await self._finish_delete(res, ws, ns, name, kv, obj, dry_run)
            if meta.get("deletionTimestamp") and not pending:
                return obj
            if not pending:
                meta["deletionTimestamp"] = clock.shifted(clock.now(), period)
                meta["deletionGracePeriodSeconds"] = period
            if meta.get("generation", 0) > 0 and not pending:  # registry/store.go markAsDeleting
                meta["generation"] += 1
            if res.resource == "namespaces":
                obj.setdefault("status", {})["phase"] = "Terminating"
            if dry_run:
                return obj
            try:
                out = await self.backend.update(k, encode(obj), revision=kv.mod_revision)
            except storage_errors.Conflict:
                continue
            except storage_errors.StorageError as e:
                raise errors.from_storage(e, res.group, res.resource, name) from e
            meta["resourceVersion"] = str(out.mod_revision)
            return obj
        raise errors.conflict(res.group, res.resource, name, errors.MODIFIED)

    # -- watch -----------------------------------------------------------------------

    async def watch(
        self, res: Resource, ws: str, ns: str, since: int
    ) -> AsyncIterator[tuple[str, Obj, Obj | None, int]]:
        """(type, object, previous object, revision) for changes with revision > `since`."""
        stream = self.cache.watch(prefix(ws, res, ns), since=since, prev_kv=True)
        try:
            async for ev in stream:
                obj = as_version(res, decode(ev.kv))
                prev = as_version(res, decode(ev.prev)) if ev.prev is not None else None
                if ev.type is EventType.DELETE:
                    yield "DELETED", obj, prev, ev.revision
                elif prev is None:
                    yield "ADDED", obj, None, ev.revision
                else:
                    yield "MODIFIED", obj, prev, ev.revision
        finally:
            await stream.aclose()  # type: ignore[attr-defined]


def _check_preconditions(res: Resource, obj: Obj, preconditions: Obj) -> None:
    """DeleteOptions.preconditions: 409 Conflict in the words of rest.BeforeDelete, which
    names the kind; namespaces and CRDs check them in their own Delete, naming the resource."""
    meta = obj["metadata"]
    uid, rv = preconditions.get("uid"), preconditions.get("resourceVersion")
    own = (res.group, res.resource) in (("", "namespaces"), ("apiextensions.k8s.io", "customresourcedefinitions"))
    if uid and uid != meta.get("uid"):
        if own:
            raise errors.conflict(res.group, res.resource, meta["name"],
                                  f"Precondition failed: UID in precondition: {uid}, UID in object meta: {meta.get('uid')}")
        raise errors.conflict(res.group, res.kind, meta["name"],
                              f"the UID in the precondition ({uid}) does not match the UID in record ({meta.get('uid')}). "
                              "The object might have been deleted and then recreated")
    if rv and rv != meta["resourceVersion"]:
        if own:
            raise errors.conflict(res.group, res.resource, meta["name"],
                                  f"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {meta['resourceVersion']}")
        raise errors.conflict(res.group, res.kind, meta["name"],
                              f"the ResourceVersion in the precondition ({rv}) does not match the ResourceVersion in record "
                              f"({meta['resourceVersion']}). The object might have been modified")


def _secret(obj: Obj) -> None:
    """stringData is write-only: its entries are merged into data, base64-encoded, and it is
    never stored (k8s.io/kubernetes/pkg/apis/core/v1/conversion.go)."""
    string_data = obj.pop("stringData", None)
    if isinstance(string_data, dict) and string_data:
        current = obj.get("data")
        data: dict[str, str] = current if isinstance(current, dict) else {}
        for k, v in string_data.items():
            data[k] = base64.b64encode(str(v).encode()).decode()
        obj["data"] = data


# Kinds with a spec whose registry strategies never set metadata.generation
WITHOUT_GENERATION = {("", r) for r in ("namespaces", "services", "nodes", "persistentvolumes", "persistentvolumeclaims",
                                        "resourcequotas", "limitranges")} | {
    ("coordination.k8s.io", "leases"), ("storage.k8s.io", "csidrivers"), ("storage.k8s.io", "csinodes"),
    ("storage.k8s.io", "volumeattachments")}


# What kube-apiserver's conversion into its internal types does to a kind on every write.
NORMALIZE = {("", "Secret"): _secret}


def normalize(res: Resource, obj: Obj) -> None:
    if res.schema is not None:
        schemas.drop_nulls(obj, res.schema)
        schemas.apply_defaults(obj, res.schema)
    fix = NORMALIZE.get((res.group, res.kind))
    if fix is not None:
        fix(obj)
    if res.schema is None:
        defaults.apply(res.group, res.kind, obj)


def encoded(res: Resource, obj: Obj) -> None:
    """A built-in kind's object as kube-apiserver stores and answers it, its Go value encoded
    (vapi/kubeproto.py as_encoded): `status: {}`, a ClusterRole's `rules: null`, ..."""
    if res.schema is None:
        kubeproto.as_encoded(obj, f"{kubeproto.package(res.group_version)}.{res.kind}")


def pod_grace_period(res: Resource, obj: Obj, requested: int | None) -> int:
    """How long a client's delete leaves a pod to its kubelet (the pod strategy's
    CheckGracefulDelete): the period asked for (a negative one is 1), else the pod's
    terminationGracePeriodSeconds; none for a pod on no node or one that has finished,
    nor for any other kind."""
    if res.group != "" or res.kind != "Pod" or res.schema is not None:
        return 0
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    if not spec.get("nodeName") or status.get("phase") in ("Succeeded", "Failed"):
        return 0
    if requested is not None:
        return max(requested, 1) if requested < 0 else requested
    period = spec.get("terminationGracePeriodSeconds")
    return period if isinstance(period, int) and period > 0 else 0


def parse_rv(value: str) -> int:
    try:
        rv = int(value)
    except ValueError:
        rv = -1
    if rv < 0:
        raise errors.bad_request(f'invalid resource version: "{value}"') from None
    return rv


def strip_rv(obj: Obj) -> Obj:
    meta = {k: v for k, v in obj.get("metadata", {}).items() if k != "resourceVersion"}
    return {**obj, "metadata": meta}


def _deleted_by(obj: Obj) -> bool:
    """An object marked for deletion whose last finalizer went is deleted on update."""
    meta = obj.get("metadata", {})
    if not meta.get("deletionTimestamp") or meta.get("finalizers"):
        return False
    if obj.get("kind") == "Namespace" and obj.get("spec", {}).get("finalizers"):
        return False
    return True


def _go_time(stamp: str) -> str:
    """A metav1.Time as Go prints it in a field error ("2006-01-02 15:04:05 +0000 UTC")."""
    return stamp.replace("T", " ").replace("Z", " +0000 UTC")


def meta_update_causes(new: Obj, old: Obj) -> list[dict[str, str]]:
    """What ValidateObjectMetaAccessorUpdate (apimachinery/pkg/api/validation/objectmeta.go)
    refuses in an update's metadata that vapi would not silently keep from the stored object:
    another uid, a deletionTimestamp or grace period the object does not have, and new
    finalizers on an object being deleted."""
    causes: list[dict[str, str]] = []

    def immutable(field: str, shown: str) -> None:
        causes.append({"reason": "FieldValueInvalid", "field": f"metadata.{field}",
                       "message": f"Invalid value: {shown}: field is immutable"})

    uid = new.get("uid")
    if uid and uid != old.get("uid"):
        immutable("uid", f'"{uid}"')
    stamp = new.get("deletionTimestamp")
    if stamp and not old.get("deletionTimestamp"):
        immutable("deletionTimestamp", _go_time(str(stamp)))
    grace = new.get("deletionGracePeriodSeconds")
    if grace is not None and old.get("deletionGracePeriodSeconds") is None:
        immutable("deletionGracePeriodSeconds", str(grace))
    finalizers = new.get("finalizers") or []
    if old.get("deletionTimestamp") and isinstance(finalizers, list) and all(isinstance(f, str) for f in finalizers):
        added = sorted(set(finalizers) - set(old.get("finalizers") or []))
        if added:
            listed = ", ".join(f'"{f}"' for f in added)
            causes.append({"reason": "FieldValueForbidden", "field": "metadata.finalizers",
                           "message": "Forbidden: no new finalizers can be added if the object is being deleted, "
                                      f"found new finalizers []string{{{listed}}}"})
    return causes


IMMUTABLE_META = ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "namespace", "selfLink")


def merge_update(res: Resource, old: Obj, new: Obj, subresource: str) -> Obj:
    """The object an update stores: the status/spec split of the status subresource, the
    server-owned metadata kept (generation: see bump_generation)."""
    if subresource == "ephemeralcontainers":  # a pod's debug containers, and nothing else
        out = dict(old)
        spec = dict(old.get("spec") or {})
        added = (new.get("spec") or {}).get("ephemeralContainers") if isinstance(new.get("spec"), dict) else None
        if added is None:
            spec.pop("ephemeralContainers", None)
        else:
            spec["ephemeralContainers"] = added
        out["spec"] = spec
        return out
    if subresource == "status":
        out = dict(old)
        out["status"] = new.get("status")
        if out["status"] is None:
            out.pop("status")
        meta = dict(old["metadata"])
        # metadata changes other than labels/annotations are ignored on /status, as in kube
        out["metadata"] = meta
        return out
    out = dict(new)
    meta = dict(new.get("metadata", {}))
    for f in IMMUTABLE_META:
        if f in old["metadata"]:
            meta[f] = old["metadata"][f]
        else:
            meta.pop(f, None)
    out["metadata"] = meta
    if res.has_status and res.resource != "namespaces" and subresource != "binding":  # binding writes both
        if "status" in old:
            out["status"] = old["status"]
        else:
            out.pop("status", None)
    if res.resource == "namespaces":
        out["status"] = old.get("status", {"phase": "Active"})
        out["spec"] = old.get("spec", {})
    if res.group == "tenancy.vapi.dev" and res.resource == "workspaces" and "status" in old:
        out["status"] = old["status"]  # phase and URL are the server's, set at creation
    if res.group == certificates.GROUP and res.kind == certificates.KIND and res.schema is None:
        out = certificates.merged(old, new, out, subresource)
    return out


def bump_generation(old: Obj, new: Obj) -> None:
    """metadata.generation one up when the spec changed, compared once both are defaulted (as
    kube's strategies compare in PrepareForUpdate, after decoding defaulted the new object): an
    apply that replaces an atomic list with its undefaulted items (a StatefulSet's
    volumeClaimTemplates) changes nothing."""
    if "generation" in old["metadata"] and _spec_changed(old, new):
        new["metadata"]["generation"] = old["metadata"]["generation"] + 1


def generate_name(meta: Obj) -> None:
    """metadata.generateName plus five random characters, when no name is given (as kube's
    names.SimpleNameGenerator)."""
    if not meta.get("name") and isinstance(meta.get("generateName"), str) and meta["generateName"]:
        meta["name"] = meta["generateName"] + "".join(random.choices(string.ascii_lowercase + string.digits, k=5))


def _spec_changed(old: Obj, new: Obj) -> bool:
    ignore = {"metadata", "status", "apiVersion", "kind"}
    a = {k: v for k, v in old.items() if k not in ignore}
    b = {k: v for k, v in new.items() if k not in ignore}
    return a != b
