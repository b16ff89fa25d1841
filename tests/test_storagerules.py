"""PersistentVolumeClaims, PersistentVolumes and StorageClasses refused as kube-apiserver 1.35
refuses them (vapi/storagerules.py), and what kubectl prints."""

from __future__ import annotations

import json
from typing import Any

from tests.apiserver import VapiProcess
from tests.rulecauses import causes, kubectl_refusal
from vapi import dnsnames, labelrules, storagerules

SUBDOMAIN = dnsnames.DNS1123_SUBDOMAIN_MESSAGE


def claim(**spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": "data"}, "spec": spec}


def test_claims() -> None:
    assert causes("", "persistentvolumeclaims", claim()) == [
        ("spec.accessModes", "FieldValueRequired", "Required value: at least 1 access mode is required"),
        ("spec.resources[storage]", "FieldValueRequired", "Required value")]
    assert causes("", "persistentvolumeclaims", claim(
        accessModes=["ReadWriteOncePod", "ReadWriteOnce", "ReadWriteAll"], selector={"matchLabels": {"a": "b c"}},
        resources={"requests": {"storage": "0"}}, storageClassName="Fast", volumeMode="Raw")) == [
        ("spec.selector.matchLabels", "FieldValueInvalid", 'Invalid value: "b c": ' + labelrules.VALUE_RULE),
        ("spec.accessModes", "FieldValueNotSupported", 'Unsupported value: "ReadWriteAll": supported values: '
         '"ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"'),
        ("spec.accessModes", "FieldValueForbidden", "Forbidden: may not use ReadWriteOncePod with other access modes"),
        ("spec.resources[storage]", "FieldValueInvalid", 'Invalid value: "0": must be greater than zero'),
        ("spec.storageClassName", "FieldValueInvalid", f'Invalid value: "Fast": {SUBDOMAIN}'),
        ("spec.volumeMode", "FieldValueNotSupported", 'Unsupported value: "Raw": supported values: "Block", "Filesystem"')]


def test_claim_updates() -> None:
    old = claim(accessModes=["ReadWriteOnce"], resources={"requests": {"storage": "1Gi"}})
    grown = claim(accessModes=["ReadWriteOnce"], resources={"requests": {"storage": "2Gi"}}, volumeName="pv-1",
                  storageClassName="fast")
    assert causes("", "persistentvolumeclaims", grown, json.loads(json.dumps(old))) == [
        ("spec", "FieldValueForbidden", f"Forbidden: {storagerules.CLAIM_IMMUTABLE}\n"
         '-\tresources: {"requests":{"storage":"1Gi"}}\n+\tresources: {"requests":{"storage":"2Gi"}}')]
    # bound claims may grow; volumeName is set once and a class set from nothing
    bound = {**grown, "status": {"phase": "Bound"}}
    assert causes("", "persistentvolumeclaims", bound, json.loads(json.dumps(old))) == []
    block = claim(accessModes=["ReadWriteOnce"], resources={"requests": {"storage": "1Gi"}}, volumeMode="Block")
    assert causes("", "persistentvolumeclaims", block, json.loads(json.dumps(old)))[-1] == (
        "volumeMode", "FieldValueInvalid", 'Invalid value: "Block": field is immutable')


def volume(**spec: Any) -> dict[str, Any]:
    return {"metadata": {"name": "pv"}, "spec": spec}


def test_volumes() -> None:
    assert causes("", "persistentvolumes", volume()) == [
        ("spec.accessModes", "FieldValueRequired", "Required value"),
        ("spec.capacity", "FieldValueRequired", "Required value"),
        ("spec.capacity", "FieldValueNotSupported", 'Unsupported value: {}: supported values: "storage"'),
        ("spec", "FieldValueRequired", "Required value: must specify a volume type")]
    assert causes("", "persistentvolumes", volume(
        accessModes=["ReadWriteOnce"], capacity={"storage": "-1Gi", "iops": "10"}, persistentVolumeReclaimPolicy="Keep",
        nfs={"server": "nfs.example.com", "path": "/exports"}, hostPath={"path": "/"}, local={"path": "/mnt/disk"})) == [
        ("spec.capacity", "FieldValueNotSupported",
         'Unsupported value: {"iops":"10","storage":"-1Gi"}: supported values: "storage"'),
        ("spec.capacity[storage]", "FieldValueInvalid", 'Invalid value: "-1Gi": must be greater than zero'),
        ("spec.persistentVolumeReclaimPolicy", "FieldValueNotSupported",
         'Unsupported value: "Keep": supported values: "Delete", "Recycle", "Retain"'),
        ("spec.nfs", "FieldValueForbidden", "Forbidden: may not specify more than 1 volume type"),
        ("spec.local", "FieldValueForbidden", "Forbidden: may not specify more than 1 volume type")]
    assert causes("", "persistentvolumes", volume(accessModes=["ReadWriteOnce"], capacity={"storage": "1Gi"},
                                                  local={"path": "/mnt/disk"})) == [
        ("spec.nodeAffinity", "FieldValueRequired", "Required value: Local volume requires node affinity")]
    old = volume(accessModes=["ReadWriteOnce"], capacity={"storage": "1Gi"}, nfs={"server": "a", "path": "/x"})
    new = volume(accessModes=["ReadWriteOnce"], capacity={"storage": "2Gi"}, nfs={"server": "b", "path": "/x"})
    assert causes("", "persistentvolumes", new, old) == [
        ("spec.persistentvolumesource", "FieldValueForbidden", "Forbidden: spec.persistentvolumesource is immutable after "
         'creation\n-\tnfs: {"server":"a","path":"/x"}\n+\tnfs: {"server":"b","path":"/x"}')]


def test_storage_classes() -> None:
    def klass(**fields: Any) -> dict[str, Any]:
        return {"metadata": {"name": "fast"}, **fields}
    assert causes("storage.k8s.io", "storageclasses", klass(reclaimPolicy="Recycle", volumeBindingMode="Later",
                                                            parameters={"": "x"})) == [
        ("provisioner", "FieldValueRequired", "Required value"),
        ("parameters", "FieldValueInvalid", 'Invalid value: "": field can not be empty.'),
        ("reclaimPolicy", "FieldValueNotSupported", 'Unsupported value: "Recycle": supported values: "Delete", "Retain"'),
        ("volumeBindingMode", "FieldValueNotSupported",
         'Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"')]
    assert causes("storage.k8s.io", "storageclasses", klass(provisioner="ebs.csi.aws.com/a/b")) == [
        ("provisioner", "FieldValueInvalid", 'Invalid value: "ebs.csi.aws.com/a/b": a qualified name '
         + labelrules.KEY_RULE + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')")]
    assert causes("storage.k8s.io", "storageclasses", klass(provisioner="b.example.com", parameters={"type": "gp3"}),
                  klass(provisioner="a.example.com", parameters={"type": "gp2"})) == [
        ("parameters", "FieldValueForbidden", "Forbidden: updates to parameters are forbidden."),
        ("provisioner", "FieldValueForbidden", "Forbidden: updates to provisioner are forbidden.")]


REALISTIC = """\
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: fast-NS}
provisioner: ebs.csi.aws.com
parameters: {type: gp3, encrypted: "true"}
reclaimPolicy: Retain
volumeBindingMode: WaitForFirstConsumer
allowVolumeExpansion: true
---
apiVersion: v1
kind: PersistentVolume
metadata: {name: local-NS}
spec:
  capacity: {storage: 100Gi}
  accessModes: [ReadWriteOnce]
  storageClassName: fast-NS
  local: {path: /mnt/disks/ssd1}
  nodeAffinity:
    required:
      nodeSelectorTerms:
      - matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [node-1]}]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec:
  accessModes: [ReadWriteOncePod]
  storageClassName: fast-NS
  resources: {requests: {storage: 20Gi}}
  selector: {matchLabels: {tier: db}}
"""


def test_realistic_storage_objects_pass(vapi: VapiProcess, namespace: str) -> None:
    out = vapi.kubectl("-n", namespace, "apply", "-f", "-", input=REALISTIC.replace("NS", namespace))
    assert out.stdout.split() == [f"storageclass.storage.k8s.io/fast-{namespace}", "created",
                                  f"persistentvolume/local-{namespace}", "created", "persistentvolumeclaim/data", "created"]
    vapi.kubectl("delete", "storageclass", f"fast-{namespace}")
    vapi.kubectl("delete", "pv", f"local-{namespace}")


def test_kubectl_prints_kube_refusals(vapi: VapiProcess, namespace: str) -> None:
    pvc = ("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\nspec:\n  accessModes: [ReadWriteOnce]\n"
           "  resources: {requests: {cpu: '1'}}\n")
    assert kubectl_refusal(vapi, namespace, pvc, "persistentvolumeclaims") == (
        'The PersistentVolumeClaim "data" is invalid: spec.resources[storage]: Required value')
    vapi.kubectl("-n", namespace, "apply", "-f", "-", input=pvc.replace("cpu: '1'", "storage: 1Gi"))
    out = vapi.kubectl("-n", namespace, "patch", "pvc", "data", "-p", '{"spec":{"storageClassName":"slow","volumeMode":"Block"}}',
                       check=False)
    assert out.returncode == 1
    assert out.stderr.strip() == (
        'The PersistentVolumeClaim "data" is invalid: \n'
        f'* spec: Forbidden: {storagerules.CLAIM_IMMUTABLE}\n-\tvolumeMode: "Filesystem"\n+\tvolumeMode: "Block"\n'
        '* volumeMode: Invalid value: "Block": field is immutable')
    code, _, body = vapi.request("POST", "/clusters/root/apis/storage.k8s.io/v1/storageclasses", json.dumps(
        {"metadata": {"name": f"sc-{namespace}"}, "provisioner": "ebs.csi.aws.com", "volumeBindingMode": "Later"}).encode(),
        headers={"Content-Type": "application/json"})
    status = json.loads(body)
    assert (code, status["reason"], status["details"]["causes"]) == (422, "Invalid", [
        {"reason": "FieldValueNotSupported", "field": "volumeBindingMode",
         "message": 'Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"'}])
    assert status["message"] == (f'StorageClass.storage.k8s.io "sc-{namespace}" is invalid: volumeBindingMode: '
                                 'Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"')
