"""CertificateSigningRequests as kube-apiserver's registry keeps them, with no signer or
approver running (pkg/registry/certificates/certificates/strategy.go and
pkg/apis/certificates/validation/validation.go):

- the requester is whoever creates one: spec.username, uid and groups are the server's;
- the spec never changes after creation, whatever is written;
- Approved and Denied conditions come only through the `approval` subresource (what `kubectl
  certificate approve|deny` writes), which changes nothing but the conditions; `status` may add
  others (Failed) and the certificate; no condition of those three types is ever removed;
- conditions get their lastUpdateTime and lastTransitionTime stamped when left out.
"""

from __future__ import annotations

import json
from typing import Any

from vapi import clock

Obj = dict[str, Any]
Cause = dict[str, str]

GROUP, KIND = "certificates.k8s.io", "CertificateSigningRequest"
DECIDED = ("Approved", "Denied")
LASTING = ("Approved", "Denied", "Failed")
CONDITIONS = "status.conditions"


def stamp_requester(obj: Obj, name: str, uid: str, groups: list[str]) -> None:
    """spec.username, uid and groups of the user who creates the request (PrepareForCreate:
    what the body says about them is dropped, extra included)."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    for field in ("username", "uid", "groups", "extra"):
        spec.pop(field, None)
    spec["username"] = name
    if uid:
        spec["uid"] = uid
    if groups:
        spec["groups"] = groups


def _conditions(obj: Obj) -> list[Any]:
    status = obj.get("status")
    found = status.get("conditions") if isinstance(status, dict) else None
    return found if isinstance(found, list) else []


def merged(old: Obj, new: Obj, out: Obj, subresource: str) -> Obj:
    """What an update stores, from `out`, what any update of `new` (the body) would store: the
    old spec always; through `approval`, the old status with the new conditions; the
    conditions' times filled in (populateConditionTimestamps)."""
    out = dict(out)
    if "spec" in old:
        out["spec"] = old["spec"]
    else:
        out.pop("spec", None)
    if subresource == "approval":
        status = dict(old.get("status") or {})
        status.pop("conditions", None)
        if _conditions(new):
            status["conditions"] = _conditions(new)
        out["status"] = status
    now = clock.now()
    for c in _conditions(out):
        if not isinstance(c, dict):
            continue
        c.setdefault("status", "True")  # SetDefaults_CertificateSigningRequestCondition
        if not c.get("lastUpdateTime"):
            c["lastUpdateTime"] = now
        if not c.get("lastTransitionTime"):
            c["lastTransitionTime"] = next(
                (o["lastTransitionTime"] for o in _conditions(old) if isinstance(o, dict) and o.get("lastTransitionTime")
                 and (o.get("type"), o.get("status")) == (c.get("type"), c.get("status"))), now)
    return out


def _cause(field: str, message: str, reason: str) -> Cause:
    return {"reason": reason, "message": message, "field": field}


def causes(new: Obj, old: Obj | None, via: str) -> list[Cause]:
    """The conditions as validateConditions and validateCertificateSigningRequestUpdate check
    them; what the stored request already had wrong is tolerated, as kube tolerates it."""
    out: list[Cause] = []
    had = [c for c in _conditions(old or {}) if isinstance(c, dict)]
    had_types = [c.get("type") for c in had]
    seen: set[Any] = set()
    approved = denied = False
    for i, c in enumerate(_conditions(new)):
        if not isinstance(c, dict):
            continue
        here, kind, status = f"{CONDITIONS}[{i}]", c.get("type"), c.get("status")
        if not kind and "" not in had_types:
            out.append(_cause(f"{here}.type", "Required value", "FieldValueRequired"))
        allowed = ["True"] if kind in LASTING else ["False", "True", "Unknown"]
        if not status:
            out.append(_cause(f"{here}.status", "Required value", "FieldValueRequired"))
        elif status not in allowed:
            listed = ", ".join(json.dumps(a) for a in allowed)
            out.append(_cause(f"{here}.status", f"Unsupported value: {json.dumps(status)}: supported values: {listed}",
                              "FieldValueNotSupported"))
        if not ("Approved" in had_types and "Denied" in had_types):
            approved, denied = approved or kind == "Approved", denied or kind == "Denied"
            if kind in DECIDED and approved and denied:
                out.append(_cause(f"{here}.type", f"Invalid value: {json.dumps(kind)}: Approved and Denied conditions are "
                                  "mutually exclusive", "FieldValueInvalid"))
        if kind in seen and len(set(had_types)) == len(had_types):
            out.append(_cause(f"{here}.type", f"Duplicate value: {json.dumps(kind)}", "FieldValueDuplicate"))
        seen.add(kind)
    if old is None:
        return out
    now = [c for c in _conditions(new) if isinstance(c, dict)]
    for kind in LASTING:
        before, after = [c for c in had if c.get("type") == kind], [c for c in now if c.get("type") == kind]
        if len(after) < len(before):
            out.append(_cause(CONDITIONS, f"Forbidden: updates may not remove a condition of type {json.dumps(kind)}",
                              "FieldValueForbidden"))
        elif kind in DECIDED and via != "approval" and len(after) > len(before):
            out.append(_cause(CONDITIONS, f"Forbidden: updates may not add a condition of type {json.dumps(kind)}",
                              "FieldValueForbidden"))
        elif kind in DECIDED and via != "approval" and after != before:
            out.append(_cause(CONDITIONS, f"Forbidden: updates may not modify a condition of type {json.dumps(kind)}",
                              "FieldValueForbidden"))
    return out
