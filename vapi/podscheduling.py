"""A pod spec's scheduling constraints as kube-apiserver 1.35 validates them
(pkg/apis/core/validation/validation.go: validateAffinity, ValidateNodeSelector,
ValidatePreferredSchedulingTerms, validatePodAffinityTerm, validateTopologySpreadConstraints
and what they call), in their order and words.

Options are those of a create: label values in required node affinity and in pod affinity and
spread-constraint selectors are checked (kube relaxes them only on updates of objects that
already had invalid ones); preferred node affinity never checks them.
"""

from __future__ import annotations

from typing import Any

from vapi import dnsnames, fielderrors, labelrules
from vapi.fielderrors import Cause, integer, required

Obj = dict[str, Any]

NOT_POSITIVE = "must be greater than zero"
WEIGHT_RANGE = "must be in the range 1-100"
SCHEDULE_ACTIONS = ("DoNotSchedule", "ScheduleAnyway")
INCLUSION_POLICIES = ("Honor", "Ignore")


_d, _l, _s = fielderrors.mapping, fielderrors.sequence, fielderrors.string


def label_name(key: str, path: str) -> list[Cause]:
    """unversionedvalidation.ValidateLabelName (IsQualifiedName)."""
    return [fielderrors.invalid(path, key, m) for m in labelrules.key_errors(key)]


def affinity(value: Any, path: str) -> list[Cause]:
    """validateAffinity: node affinity, then pod affinity, then pod anti-affinity."""
    value = _d(value)
    out: list[Cause] = []
    node = value.get("nodeAffinity")
    if isinstance(node, dict):
        required_terms = node.get("requiredDuringSchedulingIgnoredDuringExecution")
        if isinstance(required_terms, dict):
            out += node_selector(required_terms, f"{path}.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution")
        for i, term in enumerate(_l(node.get("preferredDuringSchedulingIgnoredDuringExecution"))):
            here = f"{path}.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[{i}]"
            out += _weight(_d(term), here)
            out += _node_selector_term(_d(_d(term).get("preference")), f"{here}.preference", check_values=False)
    for key in ("podAffinity", "podAntiAffinity"):
        pods = value.get(key)
        if not isinstance(pods, dict):
            continue
        here = f"{path}.{key}"
        for i, term in enumerate(_l(pods.get("requiredDuringSchedulingIgnoredDuringExecution"))):
            out += _pod_affinity_term(_d(term), f"{here}.requiredDuringSchedulingIgnoredDuringExecution[{i}]")
        for i, term in enumerate(_l(pods.get("preferredDuringSchedulingIgnoredDuringExecution"))):
            where = f"{here}.preferredDuringSchedulingIgnoredDuringExecution[{i}]"
            out += _weight(_d(term), where)
            out += _pod_affinity_term(_d(_d(term).get("podAffinityTerm")), f"{where}.podAffinityTerm")
    return out


def _weight(term: Obj, path: str) -> list[Cause]:
    weight = integer(term.get("weight")) or 0
    return [] if 0 < weight <= 100 else [fielderrors.invalid(f"{path}.weight", weight, WEIGHT_RANGE)]


def node_selector(selector: Obj, path: str) -> list[Cause]:
    """ValidateNodeSelector: at least one term, each term's requirements."""
    terms = _l(selector.get("nodeSelectorTerms"))
    if not terms:
        return [required(f"{path}.nodeSelectorTerms", "must have at least one node selector term")]
    out: list[Cause] = []
    for i, term in enumerate(terms):
        out += _node_selector_term(_d(term), f"{path}.nodeSelectorTerms[{i}]", check_values=True)
    return out


def _node_selector_term(term: Obj, path: str, *, check_values: bool) -> list[Cause]:
    """ValidateNodeSelectorTerm: matchExpressions (labels), then matchFields (metadata.name only)."""
    out: list[Cause] = []
    for j, req in enumerate(_l(term.get("matchExpressions"))):
        req, here = _d(req), f"{path}.matchExpressions[{j}]"
        op, values = req.get("operator"), _l(req.get("values"))
        if op in ("In", "NotIn"):
            if not values:
                out.append(required(f"{here}.values", "must be specified when `operator` is 'In' or 'NotIn'"))
        elif op in ("Exists", "DoesNotExist"):
            if values:
                out.append(fielderrors.forbidden(f"{here}.values",
                                                 "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
        elif op in ("Gt", "Lt"):
            if len(values) != 1:
                out.append(required(f"{here}.values", "must be specified single value when `operator` is 'Lt' or 'Gt'"))
        else:
            out.append(fielderrors.invalid(f"{here}.operator", _s(op), "not a valid selector operator"))
        out += label_name(_s(req.get("key")), f"{here}.key")
        for k, v in enumerate(values if check_values else []):
            out += [fielderrors.invalid(f"{here}.values[{k}]", _s(v), m) for m in labelrules.value_errors(_s(v))]
    for j, req in enumerate(_l(term.get("matchFields"))):
        req, here = _d(req), f"{path}.matchFields[{j}]"
        values = _l(req.get("values"))
        if req.get("operator") in ("In", "NotIn"):
            if len(values) != 1:
                out.append(required(f"{here}.values",
                                    "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"))
        else:
            out.append(fielderrors.invalid(f"{here}.operator", _s(req.get("operator")), "not a valid selector operator"))
        if req.get("key") != "metadata.name":
            out.append(fielderrors.invalid(f"{here}.key", _s(req.get("key")), "not a valid field selector key"))
        else:
            for k, v in enumerate(values):
                out += [fielderrors.invalid(f"{here}.values[{k}]", _s(v), m)
                        for m in dnsnames.dns_subdomain(_s(v))]
    return out


def _pod_affinity_term(term: Obj, path: str) -> list[Cause]:
    """validatePodAffinityTerm: the label and namespace selectors, namespaces (reported at
    `namespace`, as kube names it), matchLabelKeys/mismatchLabelKeys, the topology key."""
    out = labelrules.selector_causes(term.get("labelSelector"), f"{path}.labelSelector")
    out += labelrules.selector_causes(term.get("namespaceSelector"), f"{path}.namespaceSelector")
    for name in _l(term.get("namespaces")):
        out += [fielderrors.invalid(f"{path}.namespace", _s(name), m) for m in dnsnames.dns_label(_s(name))]
    out += _match_label_keys(term, path)
    key = _s(term.get("topologyKey"))
    if not key:
        out.append(required(f"{path}.topologyKey", "can not be empty"))
    return out + label_name(key, f"{path}.topologyKey")


def _selector_keys(selector: Any) -> list[str]:
    selector = _d(selector)
    return [*map(str, _d(selector.get("matchLabels"))), *(str(_d(e).get("key", "")) for e in _l(selector.get("matchExpressions")))]


def _match_label_keys(term: Obj, path: str) -> list[Cause]:
    """validateMatchLabelKeysAndMismatchLabelKeys."""
    out: list[Cause] = []
    selector = term.get("labelSelector")
    match, mismatch = [_s(k) for k in _l(term.get("matchLabelKeys"))], [_s(k) for k in _l(term.get("mismatchLabelKeys"))]
    for key, keys in (("matchLabelKeys", match), ("mismatchLabelKeys", mismatch)):
        if keys and selector is None:
            out.append(fielderrors.forbidden(f"{path}.{key}", "must not be specified when labelSelector is not set"))
        elif keys:
            for i, k in enumerate(keys):
                out += label_name(k, f"{path}.{key}[{i}]")
    if selector is not None:
        index = {k: i for i, k in enumerate(match)}
        seen = set(map(str, _d(_d(selector).get("matchLabels"))))
        for expr in _l(_d(selector).get("matchExpressions")):
            k = str(_d(expr).get("key", ""))
            if k in index and k in seen:
                # kube indexes the term's path itself here, not matchLabelKeys
                out.append(fielderrors.invalid(f"{path}[{index[k]}]", k, "exists in both matchLabelKeys and labelSelector"))
            seen.add(k)
    for i, k in enumerate(match):
        if k in mismatch:
            out.append(fielderrors.invalid(f"{path}.matchLabelKeys[{i}]", k, "exists in both matchLabelKeys and mismatchLabelKeys"))
    return out


def topology_spread_constraints(items: list[Any], path: str) -> list[Cause]:
    """validateTopologySpreadConstraints."""
    out: list[Cause] = []
    for i, c in enumerate(items):
        c, here = _d(c), f"{path}[{i}]"
        skew = integer(c.get("maxSkew")) or 0
        if skew <= 0:
            out.append(fielderrors.invalid(f"{here}.maxSkew", skew, NOT_POSITIVE))
        key, action = _s(c.get("topologyKey")), _s(c.get("whenUnsatisfiable"))
        if not key:
            out.append(required(f"{here}.topologyKey", "can not be empty"))
        if action not in SCHEDULE_ACTIONS:
            out.append(fielderrors.unsupported(f"{here}.whenUnsatisfiable", action, SCHEDULE_ACTIONS))
        if any(_s(_d(o).get("topologyKey")) == key and _s(_d(o).get("whenUnsatisfiable")) == action for o in items[i + 1:]):
            out.append(fielderrors.duplicate(f"{here}.{{topologyKey, whenUnsatisfiable}}", f"{{{key}, {action}}}"))
        if c.get("minDomains") is not None:
            domains = integer(c.get("minDomains")) or 0
            if domains <= 0:
                out.append(fielderrors.invalid(f"{here}.minDomains", domains, NOT_POSITIVE))
            if action != "DoNotSchedule":
                out.append(fielderrors.invalid(f"{here}.minDomains", domains,
                                               f"can only use minDomains if whenUnsatisfiable=DoNotSchedule, not {action}"))
        for policy in ("nodeAffinityPolicy", "nodeTaintsPolicy"):
            if c.get(policy) is not None and c[policy] not in INCLUSION_POLICIES:
                out.append(fielderrors.unsupported(f"{here}.{policy}", c[policy], INCLUSION_POLICIES))
        keys = [_s(k) for k in _l(c.get("matchLabelKeys"))]
        if keys:
            if c.get("labelSelector") is None:
                out.append(fielderrors.forbidden(f"{here}.matchLabelKeys", "must not be specified when labelSelector is not set"))
            in_selector = set(_selector_keys(c.get("labelSelector")))
            for j, k in enumerate(keys):
                out += label_name(k, f"{here}.matchLabelKeys[{j}]")
                if k in in_selector:
                    out.append(fielderrors.invalid(f"{here}.matchLabelKeys[{j}]", k, "exists in both matchLabelKeys and labelSelector"))
        out += labelrules.selector_causes(c.get("labelSelector"), f"{here}.labelSelector")
    return out
