"""A Pod's own annotations as kube-apiserver 1.35 validates them
(pkg/apis/core/validation/validation.go ValidatePodSpecificAnnotations,
ValidatePodSpecificAnnotationUpdates, ValidateSeccompPodAnnotations,
ValidateAppArmorPodAnnotations, and ValidatePodCreate's validateSeccompAnnotationsAndFields and
validateAppArmorAnnotationsAndFieldsMatchOnCreate), in its words; Go's map order is random,
vapi checks annotations in key order.

kube reports the seccomp annotations at metadata.annotations.<key> (field.Path.Child) and the
others at metadata.annotations[<key>] (Key). The serialized tolerations annotation
(scheduler.alpha.kubernetes.io/tolerations, unused since 1.6) is not checked.
"""

from __future__ import annotations

import re
from typing import Any

from vapi import fielderrors, pathrules
from vapi.fielderrors import Cause

Obj = dict[str, Any]

PATH = "metadata.annotations"
MIRROR = "kubernetes.io/config.mirror"
DELETION_COST = "controller.kubernetes.io/pod-deletion-cost"
SECCOMP_POD = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_CONTAINER = "container.seccomp.security.alpha.kubernetes.io/"
APPARMOR_CONTAINER = "container.apparmor.security.beta.kubernetes.io/"
INT32 = re.compile(r"-?[0-9]+")
CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")  # VisitContainersWithPath's order

_d, _l, _s = fielderrors.mapping, fielderrors.sequence, fielderrors.string


def _annotations(pod: Obj) -> dict[str, str]:
    return {k: v for k, v in _d(_d(pod.get("metadata")).get("annotations")).items() if isinstance(v, str)}


def deletion_cost_valid(value: str) -> bool:
    """helper.GetDeletionCostFromPodAnnotations: an int32 in base 10, no + and no leading zero."""
    if not INT32.fullmatch(value) or (value[0] == "0" and value != "0"):
        return False
    return -2**31 <= int(value) < 2**31


def specific(pod: Obj, *, allow_invalid_cost: bool = False) -> list[Cause]:
    """ValidatePodSpecificAnnotations."""
    annotations, spec = _annotations(pod), _d(pod.get("spec"))
    out: list[Cause] = []
    if MIRROR in annotations and not _s(spec.get("nodeName")):
        out.append(fielderrors.invalid(f"{PATH}[{MIRROR}]", annotations[MIRROR],
                                       "must set spec.nodeName if mirror pod annotation is set"))
    cost = annotations.get(DELETION_COST)
    if not allow_invalid_cost and cost is not None and not deletion_cost_valid(cost):
        out.append(fielderrors.invalid(f"{PATH}[{DELETION_COST}]", cost, "must be a 32bit integer"))
    if SECCOMP_POD in annotations:
        out += _seccomp_annotation(annotations[SECCOMP_POD], f"{PATH}.{SECCOMP_POD}")
    for key in sorted(annotations):
        if key.startswith(SECCOMP_CONTAINER):
            out += _seccomp_annotation(annotations[key], f"{PATH}.{key}")
    names = {_s(_d(c).get("name")) for key in CONTAINER_LISTS for c in _l(spec.get(key))}
    for key in sorted(annotations):
        if not key.startswith(APPARMOR_CONTAINER):
            continue
        name, profile = key[len(APPARMOR_CONTAINER):], annotations[key]
        if name not in names:
            out.append(fielderrors.invalid(f"{PATH}[{key}]", name, "container not found"))
        if profile not in ("", "runtime/default", "unconfined") and not profile.startswith("localhost/"):
            out.append(fielderrors.invalid(f"{PATH}[{key}]", profile, f"invalid AppArmor profile name: {fielderrors.shown(profile)}"))
    return out


def _seccomp_annotation(value: str, path: str) -> list[Cause]:
    """ValidateSeccompProfile."""
    if value in ("runtime/default", "docker/default", "unconfined"):
        return []
    if value.startswith("localhost/"):
        return pathrules.descending(value[len("localhost/"):], path)
    return [fielderrors.invalid(path, value, "must be a valid seccomp profile")]


def updates(new: Obj, old: Obj) -> list[Cause]:
    """ValidatePodSpecificAnnotationUpdates: AppArmor and mirror annotations stay as created;
    then the new annotations' own rules (an invalid deletion cost kept from before is allowed)."""
    after, before = _annotations(new), _annotations(old)
    out: list[Cause] = []
    for key in sorted(before):
        if after.get(key) == before[key]:
            continue
        if key.startswith(APPARMOR_CONTAINER):
            out.append(fielderrors.forbidden(f"{PATH}[{key}]", "may not remove or update AppArmor annotations"))
        if key == MIRROR:
            out.append(fielderrors.forbidden(f"{PATH}[{key}]", "may not remove or update mirror pod annotation"))
    for key in sorted(set(after) - set(before)):
        if key.startswith(APPARMOR_CONTAINER):
            out.append(fielderrors.forbidden(f"{PATH}[{key}]", "may not add AppArmor annotations"))
        if key == MIRROR:
            out.append(fielderrors.forbidden(f"{PATH}[{key}]", "may not add mirror pod annotation"))
    cost = before.get(DELETION_COST)
    return out + specific(new, allow_invalid_cost=cost is not None and not deletion_cost_valid(cost))


def fields_match(pod: Obj) -> list[Cause]:
    """ValidatePodCreate's last checks: where a seccomp or AppArmor annotation and the field
    it was replaced by are both set, they agree."""
    annotations, spec = _annotations(pod), _d(pod.get("spec"))
    context = _d(spec.get("securityContext"))
    out: list[Cause] = []
    if isinstance(context.get("seccompProfile"), dict) and SECCOMP_POD in annotations:
        out += _match("seccomp", annotations[SECCOMP_POD], context["seccompProfile"], "spec.securityContext.seccompProfile")
    for key, i, c in _containers(spec):
        profile = _d(c.get("securityContext")).get("seccompProfile")
        annotation = annotations.get(SECCOMP_CONTAINER + _s(c.get("name")))
        if isinstance(profile, dict) and annotation is not None:
            out += _match("seccomp", annotation, profile, f"spec.{key}[{i}].securityContext.seccompProfile")
    if _d(spec.get("os")).get("name") == "windows":
        return out
    for key, i, c in _containers(spec):
        profile = _d(c.get("securityContext")).get("appArmorProfile")
        profile = context.get("appArmorProfile") if profile is None else profile
        annotation = annotations.get(APPARMOR_CONTAINER + _s(c.get("name")))
        if isinstance(profile, dict) and annotation is not None:
            out += _match("apparmor", annotation, profile, f"spec.{key}[{i}].securityContext.appArmorProfile")
    return out


def _containers(spec: Obj) -> list[tuple[str, int, Obj]]:
    return [(key, i, _d(c)) for key in CONTAINER_LISTS for i, c in enumerate(_l(spec.get(key)))]


def _match(kind: str, annotation: str, profile: Obj, path: str) -> list[Cause]:
    """validateSeccompAnnotationsAndFieldsMatch, and its AppArmor twin."""
    kinds = {"Unconfined": ("unconfined",),
             "RuntimeDefault": ("runtime/default", "docker/default") if kind == "seccomp" else ("runtime/default",)}
    wrong_type = [fielderrors.forbidden(f"{path}.type", f"{kind} type in annotation and field must match")]
    kind_of = profile.get("type")
    if kind_of in kinds:
        return wrong_type if annotation not in kinds[kind_of] else []
    if kind_of == "Localhost":
        if not annotation.startswith("localhost/"):
            return wrong_type
        if profile.get("localhostProfile") != annotation[len("localhost/"):]:
            return [fielderrors.forbidden(f"{path}.localhostProfile", f"{kind} profile in annotation and field must match")]
    return []
