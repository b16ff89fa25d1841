"""A Pod's update as kube-apiserver 1.35 validates it (pkg/apis/core/validation/validation.go
ValidatePodUpdate, ValidateContainerUpdates, validateOnlyAddedTolerations,
validateOnlyDeletedSchedulingGates), in its order and words, after the new pod's own rules:
annotations as created (vapi/podannotations.py), then the spec, which only changes in
containers' images, activeDeadlineSeconds (set, or lowered), tolerations (added, or their
tolerationSeconds changed), a negative terminationGracePeriodSeconds set to 1, and scheduling
gates removed. Anything else is refused with kube's list of what may change, followed in kube
by a go-cmp diff whose layout go-cmp keeps deliberately unstable: vapi lists each changed field
instead, old (-) then new (+), as JSON (as vapi/storagerules.py does for claims).

A gated pod's nodeSelector and node affinity may change in kube (additions to the selector,
narrowing of the affinity terms, each checked in its own words); vapi lets them change freely.

Through a subresource the pod changes only as the subresource does: its node through
`binding`, new ephemeral containers through `ephemeralcontainers`.
"""

from __future__ import annotations

import json
from typing import Any

from vapi import fielderrors, podannotations, podrules
from vapi.fielderrors import Cause, integer

Obj = dict[str, Any]

MAX_INT32 = 2**31 - 1
UPDATABLE = ("`spec.containers[*].image`", "`spec.initContainers[*].image`", "`spec.activeDeadlineSeconds`",
             "`spec.tolerations` (only additions to existing tolerations)",
             "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)")
REFUSAL = "pod updates may not change fields other than " + ",".join(UPDATABLE)
TOLERATION_FIELDS = ("key", "operator", "value", "effect")

_d, _l, _s = fielderrors.mapping, fielderrors.sequence, fielderrors.string


def causes(new: Obj, old: Obj, via: str = "") -> list[Cause]:
    """What an update of the pod old to new may not do (the new pod's own rules apart)."""
    if via:
        return _subresource(new, old, via)
    spec, before = _d(new.get("spec")), _d(old.get("spec"))
    out = podannotations.updates(new, old)
    for key in ("containers", "initContainers"):
        items, old_items = _l(spec.get(key)), _l(before.get(key))
        if len(items) != len(old_items):
            return out + [fielderrors.forbidden(f"spec.{key}", "pod updates may not add or remove containers")]
        for i, c in enumerate(items):
            if not _s(_d(c).get("image")):
                out.append(fielderrors.required(f"spec.{key}[{i}].image"))
            out += podrules.image_whitespace(_d(c), f"spec.{key}[{i}]")
    deadline, old_deadline = integer(spec.get("activeDeadlineSeconds")), integer(before.get("activeDeadlineSeconds"))
    if deadline is not None:
        if not 0 <= deadline <= MAX_INT32:
            return out + [fielderrors.invalid("spec.activeDeadlineSeconds", deadline,
                                              f"must be between 0 and {MAX_INT32}, inclusive")]
        if old_deadline is not None and old_deadline < deadline:
            return out + [fielderrors.invalid("spec.activeDeadlineSeconds", deadline, "must be less than or equal to previous value")]
    elif old_deadline is not None:
        out.append(fielderrors.invalid("spec.activeDeadlineSeconds", None, "must not update from a positive integer to nil value"))
    out += _only_added_tolerations(_l(spec.get("tolerations")), _l(before.get("tolerations")))
    old_gates = {_s(_d(g).get("name")) for g in _l(before.get("schedulingGates"))}
    for i, gate in enumerate(_l(spec.get("schedulingGates"))):
        name = _s(_d(gate).get("name"))
        if name not in old_gates:
            out.append(fielderrors.forbidden(f"spec.schedulingGates[{i}].name",
                                             f"only deletion is allowed, but found new scheduling gate '{name}'"))
    munged = _munged(spec, before)
    if _semantic(munged) != _semantic(before):
        out.append(fielderrors.forbidden("spec", f"{REFUSAL}\n{fielderrors.changes(_semantic(before), _semantic(munged))}"))
    return out


def _only_added_tolerations(items: list[Any], old_items: list[Any]) -> list[Cause]:
    """validateOnlyAddedTolerations: each old toleration is still there (its tolerationSeconds
    may change); then ValidateTolerations of the new ones, again."""
    def fields(t: Any) -> tuple[Any, ...]:
        return (*(_s(_d(t).get(k)) for k in TOLERATION_FIELDS), _d(t).get("tolerationSeconds"))

    new = [fields(t) for t in items]
    for old in old_items:
        if not any(fields(old)[:-1] == t[:-1] for t in new):
            return [fielderrors.forbidden("spec.tolerations", "existing toleration can not be modified except its tolerationSeconds")]
    return podrules.tolerations(items, "spec.tolerations")


def _munged(spec: Obj, before: Obj) -> Obj:
    """The new spec with what may change taken from the old one."""
    munged = dict(spec)
    for key in ("containers", "initContainers"):
        old_items = _l(before.get(key))
        munged[key] = [{**c, "image": _d(old_items[i]).get("image")} if isinstance(c, dict) else c
                       for i, c in enumerate(_l(spec.get(key)))]
    for key in ("activeDeadlineSeconds", "schedulingGates", "tolerations"):
        munged[key] = before.get(key)
    grace, old_grace = integer(spec.get("terminationGracePeriodSeconds")), integer(before.get("terminationGracePeriodSeconds"))
    if old_grace is not None and old_grace < 0 and grace == 1:
        munged["terminationGracePeriodSeconds"] = old_grace
    if before.get("schedulingGates"):  # a gated pod: see the module's docstring
        for key in ("nodeSelector", "affinity"):
            munged[key] = before.get(key)
    return munged


def _semantic(spec: Obj) -> Obj:
    """The fields apiequality.Semantic tells apart: a left-out field, null and an empty list
    or map are all Go's zero value."""
    return {k: v for k, v in spec.items() if v not in (None, [], {})}


def _subresource(new: Obj, old: Obj, via: str) -> list[Cause]:
    mutable = ("activeDeadlineSeconds", "tolerations", "terminationGracePeriodSeconds",
               {"binding": "nodeName", "ephemeralcontainers": "ephemeralContainers"}.get(via, ""))
    if via == "ephemeralcontainers":
        before = {c.get("name"): c for c in _l(_d(old.get("spec")).get("ephemeralContainers")) if isinstance(c, dict)}
        after = {c.get("name"): c for c in _l(_d(new.get("spec")).get("ephemeralContainers")) if isinstance(c, dict)}
        changed = sorted(str(n) for n, c in before.items() if after.get(n) != c)
        if changed:
            return [fielderrors.forbidden("spec.ephemeralContainers",
                                          f"existing ephemeral containers {json.dumps(changed)} may not be removed or changed")]
        taken = {str(c.get("name")) for key in ("containers", "initContainers")
                 for c in _l(_d(new.get("spec")).get(key)) if isinstance(c, dict)}
        clash = sorted(str(n) for n in after if n in taken)
        if clash:
            return [{"reason": "FieldValueDuplicate", "field": "spec.ephemeralContainers",
                     "message": f"Duplicate value: {json.dumps(clash)}"}]

    def fixed(spec: Any) -> Any:
        if not isinstance(spec, dict):
            return spec
        out = {k: v for k, v in spec.items() if k not in mutable}
        for key in ("containers", "initContainers"):
            if isinstance(out.get(key), list):
                out[key] = [{k: v for k, v in c.items() if k != "image"} if isinstance(c, dict) else c for c in out[key]]
        return out

    if fixed(new.get("spec")) != fixed(old.get("spec")):
        return [fielderrors.forbidden("spec", REFUSAL)]
    return []
