"""Storage: persistent volumes and claims, storage and volume attributes classes, volume
attachments, CSI nodes and drivers. (CSIStorageCapacity gets the default convertor.)"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vapi.tables.cells import Obj, _deleting, _dict, _dicts, get, name, _or, _quantity, _str
from vapi.tables.columns import AGE, NAME, NAME_DOC, Cell, Column, col, _count, _field


def _access_modes(modes: Any) -> str:
    """helper.GetAccessModesAsString: abbreviations in a fixed order."""
    have = set(modes) if isinstance(modes, list) else set()
    short = (("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP"))
    return ",".join(abbr for mode, abbr in short if mode in have)


def _storage_class_of(obj: Obj) -> str:
    """helper.GetPersistentVolume(Claim)Class: the beta annotation first, then the field."""
    annotations = _dict(get(obj, "metadata", "annotations"))
    if "volume.beta.kubernetes.io/storage-class" in annotations:
        return _str(annotations["volume.beta.kubernetes.io/storage-class"])
    return _str(get(obj, "spec", "storageClassName"))


def _phase_or_terminating(obj: Obj) -> str:
    return "Terminating" if _deleting(obj) else _str(get(obj, "status", "phase"))


def _claim_ref(pv: Obj) -> str:
    ref = get(pv, "spec", "claimRef")
    return f"{_str(ref.get('namespace'))}/{_str(ref.get('name'))}" if isinstance(ref, dict) else ""


def _pvc_bound(field: Callable[[Obj], str]) -> Cell:
    """Capacity and access modes print only once the claim names its volume."""
    return lambda o: field(o) if get(o, "spec", "volumeName") else ""


def _default_named(annotations: tuple[str, ...]) -> Cell:
    """The name, with ` (default)` when a default-class annotation is "true"."""
    def cell(obj: Obj) -> str:
        marks = _dict(get(obj, "metadata", "annotations"))
        return name(obj) + (" (default)" if any(marks.get(a) == "true" for a in annotations) else "")
    return cell


COLUMNS: dict[tuple[str, str], list[Column]] = {
    ("", "persistentvolumes"): [
        NAME,
        col("Capacity", lambda o: _quantity(get(o, "spec", "capacity", "storage")), "capacity is the description of the persistent volume's resources and capacity."),
        col("Access Modes", lambda o: _access_modes(get(o, "spec", "accessModes")), "accessModes contains all ways the volume can be mounted."),
        col("Reclaim Policy", _field("spec", "persistentVolumeReclaimPolicy"), "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim."),
        col("Status", _phase_or_terminating, "phase indicates if a volume is available, bound to a claim, or released by a claim."),
        col("Claim", _claim_ref, "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim."),
        col("StorageClass", _storage_class_of, "StorageClass of the pv"),
        col("VolumeAttributesClass", lambda o: _or(get(o, "spec", "volumeAttributesClassName"), "<unset>"), "VolumeAttributesClass of the pv"),
        col("Reason", _field("status", "reason"), "reason is a brief CamelCase string that describes any failure."),
        AGE,
        col("VolumeMode", lambda o: _or(get(o, "spec", "volumeMode"), "<unset>"), "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.", wide=True),
    ],
    ("", "persistentvolumeclaims"): [
        NAME,
        col("Status", _phase_or_terminating, "phase represents the current phase of PersistentVolumeClaim."),
        col("Volume", _field("spec", "volumeName"), "volumeName is the binding reference to the PersistentVolume backing this claim."),
        col("Capacity", _pvc_bound(lambda o: _quantity(get(o, "status", "capacity", "storage"))), "capacity represents the actual resources of the underlying volume."),
        col("Access Modes", _pvc_bound(lambda o: _access_modes(get(o, "status", "accessModes"))), "accessModes contains the actual access modes the volume backing the PVC has."),
        col("StorageClass", _storage_class_of, "StorageClass of the pvc"),
        col("VolumeAttributesClass", lambda o: _or(get(o, "spec", "volumeAttributesClassName"), "<unset>"), "VolumeAttributesClass of the pvc"),
        AGE,
        col("VolumeMode", lambda o: _or(get(o, "spec", "volumeMode"), "<unset>"), "volumeMode defines what type of volume is required by the claim.", wide=True),
    ],
    ("storage.k8s.io", "storageclasses"): [
        Column("Name", "string", 0, _default_named(("storageclass.kubernetes.io/is-default-class", "storageclass.beta.kubernetes.io/is-default-class")), NAME_DOC, "name"),
        col("Provisioner", _field("provisioner"), "provisioner indicates the type of the provisioner."),
        col("ReclaimPolicy", lambda o: _str(o.get("reclaimPolicy") or "Delete"), "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class."),
        col("VolumeBindingMode", lambda o: _str(o.get("volumeBindingMode") or "Immediate"), "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound."),
        col("AllowVolumeExpansion", lambda o: o.get("allowVolumeExpansion") is True, "allowVolumeExpansion shows whether the storage class allow volume expand."),
        AGE,
    ],
    ("storage.k8s.io", "volumeattributesclasses"): [
        Column("Name", "string", 0, _default_named(("volumeattributesclass.alpha.kubernetes.io/is-default-class",)), NAME_DOC, "name"),
        col("DriverName", _field("driverName"), "Name of the CSI driver"),
        AGE,
    ],
    ("storage.k8s.io", "volumeattachments"): [
        NAME,
        Column("Attacher", "string", 0, _field("spec", "attacher"), "attacher indicates the name of the volume driver that MUST handle this request.", "name"),
        col("PV", _field("spec", "source", "persistentVolumeName"), "persistentVolumeName represents the name of the persistent volume to attach."),
        col("Node", _field("spec", "nodeName"), "nodeName represents the node that the volume should be attached to."),
        col("Attached", lambda o: get(o, "status", "attached") is True, "attached indicates the volume is successfully attached.", kind="boolean"),
        AGE,
    ],
    ("storage.k8s.io", "csinodes"): [
        NAME,
        col("Drivers", _count("spec", "drivers"), "Drivers indicates the number of CSI drivers registered on the node", kind="integer"),
        AGE,
    ],
    ("storage.k8s.io", "csidrivers"): [
        NAME,
        col("AttachRequired", lambda o: get(o, "spec", "attachRequired") is not False, "attachRequired indicates this CSI volume driver requires an attach operation.", kind="boolean"),
        col("PodInfoOnMount", lambda o: get(o, "spec", "podInfoOnMount") is True, "podInfoOnMount indicates this CSI volume driver requires additional pod information during mount operations.", kind="boolean"),
        col("StorageCapacity", lambda o: get(o, "spec", "storageCapacity") is True, "storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity.", kind="boolean"),
        col("TokenRequests", lambda o: "<unset>" if get(o, "spec", "tokenRequests") is None else ",".join(_str(t.get("audience")) for t in _dicts(get(o, "spec", "tokenRequests"))),
            "tokenRequests indicates the CSI driver needs pods' service account tokens it is mounting volume for."),
        col("RequiresRepublish", lambda o: get(o, "spec", "requiresRepublish") is True, "requiresRepublish indicates the CSI driver wants NodePublishVolume being periodically called.", kind="boolean"),
        col("Modes", lambda o: ",".join(str(m) for m in get(o, "spec", "volumeLifecycleModes", default=[]) or []) or "<none>", "volumeLifecycleModes defines what kind of volumes this CSI volume driver supports."),
        AGE,
    ],
}
