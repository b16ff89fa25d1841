"""Which field selectors a kind takes and what each one reads, as kube-apiserver has them.

kube-apiserver answers a fieldSelector in two layers, mirrored separately here because their
lists differ:

- the field-label conversion func a kind registers (`AddFieldLabelConversionFunc` in
  pkg/apis/<group>/<version>/conversion.go) decides which labels a request may name and words
  the 400 for the others. A built-in kind that registers none (ConfigMap, every apps kind,
  ClusterRole, ...) falls back to runtime.DefaultMetaV1FieldSelectorConversion: metadata.name
  and metadata.namespace, the latter even for a cluster-scoped kind (it then reads "").
  Custom resources use the CRD handler's: metadata.namespace only when namespaced, and the
  version's selectableFields (apiextensions-apiserver's customresource strategy).
- the registry strategy's ToSelectableFields (pkg/registry/<group>/<kind>/strategy.go) decides
  what a label reads. It holds Go values: a bool left out of the object reads "false", a count
  "0"; a label the conversion accepts but the strategy never sets (a pod's status.podIPs)
  reads "".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Label:
    """What one selectable label reads from an object as served."""

    path: str | None  # dotted path into the object; None: the strategy never sets it
    zero: str = ""  # what the strategy writes when the field is left out
    fallback: str | None = None  # read instead when path reads ""

    def read(self, obj: Mapping[str, Any]) -> str:
        value = _at(obj, self.path) if self.path else ""
        if not value and self.fallback:
            value = _at(obj, self.fallback)
        return value or self.zero


def _at(obj: Mapping[str, Any], path: str) -> str:
    cur: Any = obj
    for part in path.split("."):
        if not isinstance(cur, Mapping):
            return ""
        cur = cur.get(part)
    if isinstance(cur, bool):
        return "true" if cur else "false"
    if isinstance(cur, (str, int)):
        return str(cur)
    return ""


@dataclass(frozen=True)
class Labels:
    """One kind's conversion func: the labels it takes and its words for the others."""

    labels: Mapping[str, Label]
    refusal: str  # "{label}" is the label refused

    def __getitem__(self, label: str) -> Label:
        return self.labels[label]

    def __contains__(self, label: object) -> bool:
        return label in self.labels


NOT_SUPPORTED = "field label not supported: {label}"
_NAME = {"metadata.name": Label("metadata.name")}
_META = {**_NAME, "metadata.namespace": Label("metadata.namespace")}


def _same(*paths: str) -> dict[str, Label]:
    return {p: Label(p) for p in paths}


# runtime.DefaultMetaV1FieldSelectorConversion, for built-in kinds that register nothing
DEFAULT = Labels(_META, '"{label}" is not a known field selector: only "metadata.name", "metadata.namespace"')

# (group, kind) -> the kind's registered conversion and its strategy's selectable fields
BUILTIN: dict[tuple[str, str], Labels] = {
    ("", "Pod"): Labels({
        **_META, **_same("spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
                         "status.phase", "status.podIP", "status.nominatedNodeName"),
        "spec.host": Label("spec.nodeName"),  # what v1 clients of old sent
        "spec.hostNetwork": Label("spec.hostNetwork", zero="false"),
        "status.podIPs": Label(None),
    }, NOT_SUPPORTED),
    ("", "Node"): Labels({**_NAME, "spec.unschedulable": Label("spec.unschedulable", zero="false")}, NOT_SUPPORTED),
    ("", "ReplicationController"): Labels({**_META, "status.replicas": Label("status.replicas", zero="0")}, NOT_SUPPORTED),
    ("", "Event"): Labels({
        **_META, **_same("involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
                         "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
                         "involvedObject.fieldPath", "reason", "reportingComponent", "type"),
        "source": Label("source.component", fallback="reportingComponent"),
    }, NOT_SUPPORTED),
    ("", "Namespace"): Labels({**_NAME, "status.phase": Label("status.phase")}, NOT_SUPPORTED),
    ("", "Secret"): Labels({**_META, "type": Label("type")}, NOT_SUPPORTED),
    ("", "Service"): Labels({**_META, **_same("spec.clusterIP", "spec.type")}, NOT_SUPPORTED),
    # events.k8s.io/v1 names the core Event's fields its own way
    ("events.k8s.io", "Event"): Labels({
        **_META, **_same("reason", "type", "reportingController"),
        **_same(*(f"regarding.{f}" for f in ("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"))),
    }, NOT_SUPPORTED),
    ("batch", "Job"): Labels({**_META, "status.successful": Label("status.succeeded", zero="0")},
                             'field label "{label}" not supported for Job'),
    ("certificates.k8s.io", "CertificateSigningRequest"): Labels({**_NAME, "spec.signerName": Label("spec.signerName")},
                                                                 NOT_SUPPORTED),
}


def for_kind(group: str, kind: str, *, namespaced: bool, builtin: bool, selectable: tuple[str, ...] = ()) -> Labels:
    """The labels a fieldSelector on this kind may name; `selectable` are a custom
    resource's selectableFields (a field left out reads "")."""
    if builtin:
        return BUILTIN.get((group, kind), DEFAULT)
    return Labels({**(_META if namespaced else _NAME), **_same(*selectable)}, NOT_SUPPORTED)
