"""PersistentVolumeClaims, PersistentVolumes and StorageClasses as kube-apiserver 1.35
validates them (pkg/apis/core/validation ValidatePersistentVolumeClaimSpec,
ValidatePersistentVolumeSpec and their updates; pkg/apis/storage/validation
ValidateStorageClass), in its words and order.

A claim's spec is fixed once created but for a volumeName set once, a storageClassName set from
nothing, and a bound claim's requested storage (RecoverVolumeExpansionFailure is GA: it may
shrink down to, not below, status.capacity); a volume's source is fixed. kube words both
refusals with a go-cmp diff whose layout go-cmp keeps deliberately unstable: vapi keeps kube's
first line and lists each changed field, old (-) then new (+), as JSON.
"""

from __future__ import annotations

from typing import Any, Callable

from vapi import fielderrors, golang, labelrules, podrules, quantity, validation

Obj = dict[str, Any]
Cause = dict[str, str]

_d, _l, _s, invalid = podrules._d, podrules._l, podrules._s, podrules.invalid

ACCESS_MODES = ("ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod")
VOLUME_MODES = ("Block", "Filesystem")
VOLUME_RECLAIM_POLICIES = ("Delete", "Recycle", "Retain")
CLASS_RECLAIM_POLICIES = ("Delete", "Retain")
BINDING_MODES = ("Immediate", "WaitForFirstConsumer")
NOT_POSITIVE = "must be greater than zero"
# PersistentVolumeSource's members in the order ValidatePersistentVolumeSpec counts them
VOLUME_SOURCES = ("hostPath", "gcePersistentDisk", "awsElasticBlockStore", "glusterfs", "flocker", "nfs", "rbd",
                  "quobyte", "cephfs", "iscsi", "cinder", "fc", "flexVolume", "azureFile", "vsphereVolume",
                  "photonPersistentDisk", "portworxVolume", "azureDisk", "scaleIO", "local", "storageos", "csi")
# where a second source is reported, when kube's path differs from the JSON name
SOURCE_PATHS = {"cephfs": "cephFS"}
CLAIM_IMMUTABLE = "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"


def _access_modes(spec: Obj, *, detail: str) -> list[Cause]:
    modes = _l(spec.get("accessModes"))
    out = [] if modes else [fielderrors.required("spec.accessModes", detail)]
    out += [fielderrors.unsupported("spec.accessModes", m, ACCESS_MODES) for m in modes if m not in ACCESS_MODES]
    if "ReadWriteOncePod" in modes and any(m in ACCESS_MODES and m != "ReadWriteOncePod" for m in modes):
        out.append(fielderrors.forbidden("spec.accessModes", "may not use ReadWriteOncePod with other access modes"))
    return out


def _positive(value: Any, path: str) -> list[Cause]:
    """ValidatePositiveQuantityValue, the quantity printed in its canonical form."""
    amount = quantity.value_of(value)
    if amount is None or amount > 0:
        return []
    return [fielderrors.invalid(path, quantity.normalized(value), NOT_POSITIVE)]


def _class_name(spec: Obj, key: str) -> list[Cause]:
    name = spec.get(key)
    if not isinstance(name, str) or not name:
        return []
    return invalid(f"spec.{key}", name, validation.name_errors("StorageClass", name))


def _volume_mode(spec: Obj) -> list[Cause]:
    mode = spec.get("volumeMode")
    return [fielderrors.unsupported("spec.volumeMode", mode, VOLUME_MODES)] if mode is not None and mode not in VOLUME_MODES else []


def persistent_volume_claim(obj: Obj, old: Obj | None) -> list[Cause]:
    spec = _d(obj.get("spec"))
    modes = _access_modes(spec, detail="at least 1 access mode is required")
    out = modes[:1] if not _l(spec.get("accessModes")) else []
    out += labelrules.selector_causes(spec.get("selector"), "spec.selector") + modes[len(out):]
    requests = _d(_d(spec.get("resources")).get("requests"))
    if "storage" not in requests:
        out.append(fielderrors.required("spec.resources[storage]"))
    else:
        out += _positive(requests["storage"], "spec.resources[storage]")
    return out + _class_name(spec, "storageClassName") + _volume_mode(spec) + _class_name(spec, "volumeAttributesClassName")


def persistent_volume_claim_update(new: Obj, old: Obj) -> list[Cause]:
    spec, before = dict(_d(new.get("spec"))), dict(_d(old.get("spec")))
    if not before.get("volumeName"):
        before["volumeName"] = spec.get("volumeName")
    annotation = _d(_d(old.get("metadata")).get("annotations")).get("volume.beta.kubernetes.io/storage-class")
    if before.get("storageClassName") is None and spec.get("storageClassName") is not None and \
            annotation in (None, spec.get("storageClassName")):
        before["storageClassName"] = spec["storageClassName"]
    bound = _d(new.get("status")).get("phase") == "Bound"
    requests, old_requests = _d(_d(spec.get("resources")).get("requests")), _d(_d(before.get("resources")).get("requests"))
    if bound and requests:
        spec["resources"] = {**_d(spec.get("resources")), "requests": {**requests, "storage": old_requests.get("storage")}}
    spec.pop("volumeAttributesClassName", None)
    before.pop("volumeAttributesClassName", None)
    out: list[Cause] = []
    if {k: v for k, v in spec.items() if v is not None} != {k: v for k, v in before.items() if v is not None}:
        out.append(fielderrors.forbidden("spec", f"{CLAIM_IMMUTABLE}\n{fielderrors.changes(before, spec)}"))
    size, old_size = quantity.value_of(requests.get("storage")), quantity.value_of(old_requests.get("storage"))
    status_size = quantity.value_of(_d(_d(old.get("status")).get("capacity")).get("storage")) or 0
    if size is not None and old_size is not None and size < old_size and size <= status_size:
        out.append(fielderrors.forbidden("spec.resources.requests.storage", "field can not be less than status.capacity"))
    return out + _volume_mode_fixed(new, old)


def _volume_mode_fixed(new: Obj, old: Obj) -> list[Cause]:
    """ValidateImmutableField, reported at `volumeMode` (kube's path has no spec)."""
    mode = _d(new.get("spec")).get("volumeMode")
    return [fielderrors.invalid("volumeMode", mode, "field is immutable")] if mode != _d(old.get("spec")).get("volumeMode") else []


def persistent_volume(obj: Obj, old: Obj | None) -> list[Cause]:
    spec = _d(obj.get("spec"))
    out = _access_modes(spec, detail="")
    capacity = _d(spec.get("capacity"))
    if not capacity:
        out.append(fielderrors.required("spec.capacity"))
    if "storage" not in capacity or len(capacity) > 1:
        out.append(fielderrors.unsupported("spec.capacity", dict(sorted(capacity.items())), ("storage",)))
    for name in sorted(capacity):
        out += _positive(capacity[name], f"spec.capacity[{name}]")
    policy = spec.get("persistentVolumeReclaimPolicy")
    if policy and policy not in VOLUME_RECLAIM_POLICIES:
        out.append(fielderrors.unsupported("spec.persistentVolumeReclaimPolicy", policy, VOLUME_RECLAIM_POLICIES))
    count = 0
    for key in VOLUME_SOURCES:
        if spec.get(key) is None:
            continue
        if count and key != "flexVolume":
            out.append(fielderrors.forbidden(f"spec.{SOURCE_PATHS.get(key, key)}", "may not specify more than 1 volume type"))
            continue
        count += 1
        if key == "local" and not _d(spec.get("nodeAffinity")).get("required"):
            out.append(fielderrors.required("spec.nodeAffinity", "Local volume requires node affinity"))
    if not count:
        out.append(fielderrors.required("spec", "must specify a volume type"))
    host_path = _s(_d(spec.get("hostPath")).get("path"))
    if host_path and host_path.rstrip("/") == "" and policy == "Recycle":
        out.append(fielderrors.forbidden("spec.persistentVolumeReclaimPolicy", "may not be 'recycle' for a hostPath mount of '/'"))
    return out + _class_name(spec, "storageClassName") + _volume_mode(spec)


def persistent_volume_update(new: Obj, old: Obj) -> list[Cause]:
    spec, before = _d(new.get("spec")), _d(old.get("spec"))
    source = {k: spec.get(k) for k in VOLUME_SOURCES if spec.get(k) is not None}
    old_source = {k: before.get(k) for k in VOLUME_SOURCES if before.get(k) is not None}
    csi, old_csi = _d(source.get("csi")), _d(old_source.get("csi"))
    if old_csi and "controllerExpandSecretRef" not in old_csi and "controllerExpandSecretRef" in csi:
        source["csi"] = {k: v for k, v in csi.items() if k != "controllerExpandSecretRef"}
    out = []
    if source != old_source:
        out.append(fielderrors.forbidden("spec.persistentvolumesource",
                                         f"spec.persistentvolumesource is immutable after creation\n{fielderrors.changes(old_source, source)}"))
    return out + _volume_mode_fixed(new, old)


def _qualified_name(value: str) -> list[str]:
    """IsQualifiedName (a label key's rules, called a qualified name)."""
    return [m.replace("a valid label key", "a qualified name", 1) for m in labelrules.key_errors(value)]


def storage_class(obj: Obj, old: Obj | None) -> list[Cause]:
    provisioner = _s(obj.get("provisioner"))
    out = [fielderrors.required("provisioner")] if not provisioner else invalid(
        "provisioner", provisioner, _qualified_name(provisioner.lower()))
    params = _d(obj.get("parameters"))
    out += [fielderrors.invalid("parameters", "", "field can not be empty.") for k in params if not k]
    policy = obj.get("reclaimPolicy")
    if policy and policy not in CLASS_RECLAIM_POLICIES:
        out.append(fielderrors.unsupported("reclaimPolicy", policy, CLASS_RECLAIM_POLICIES))
    mode = obj.get("volumeBindingMode")
    if mode is None:
        out.append(fielderrors.required("volumeBindingMode"))
    elif mode not in BINDING_MODES:
        out.append(fielderrors.unsupported("volumeBindingMode", mode, BINDING_MODES))
    return out


def storage_class_update(new: Obj, old: Obj) -> list[Cause]:
    out = []
    if _d(new.get("parameters")) != _d(old.get("parameters")):
        out.append(fielderrors.forbidden("parameters", "updates to parameters are forbidden."))
    if _s(new.get("provisioner")) != _s(old.get("provisioner")):
        out.append(fielderrors.forbidden("provisioner", "updates to provisioner are forbidden."))
    return out


RULES: dict[tuple[str, str], Callable[[Obj, Obj | None], list[Cause]]] = {
    ("", "PersistentVolumeClaim"): persistent_volume_claim, ("", "PersistentVolume"): persistent_volume,
    ("storage.k8s.io", "StorageClass"): storage_class}
UPDATE_RULES: dict[tuple[str, str], Callable[[Obj, Obj], list[Cause]]] = {
    ("", "PersistentVolumeClaim"): persistent_volume_claim_update, ("", "PersistentVolume"): persistent_volume_update,
    ("storage.k8s.io", "StorageClass"): storage_class_update}
