"""Roles, ClusterRoles, RoleBindings and ClusterRoleBindings as kube-apiserver 1.35 validates
them (pkg/apis/rbac/validation/validation.go), in its words and order: each rule's verbs, and
either non-resource URLs (ClusterRoles only, alone) or api groups and resources; a ClusterRole's
aggregation selectors; a binding's roleRef (this group, a kind it may bind, a path-segment
name), fixed once created, and its subjects (kind, name, apiGroup, a ServiceAccount's
namespace in cluster bindings).
"""

from __future__ import annotations

from typing import Any, Callable

from vapi import fielderrors, labelrules, podrules, validation

Obj = dict[str, Any]
Cause = dict[str, str]

_d, _l, _s, invalid = podrules._d, podrules._l, podrules._s, podrules.invalid

GROUP = "rbac.authorization.k8s.io"
SUBJECT_KINDS = ("ServiceAccount", "User", "Group")


def _policy_rule(rule: Obj, path: str, *, namespaced: bool) -> list[Cause]:
    out = [] if rule.get("verbs") else [fielderrors.required(f"{path}.verbs", "verbs must contain at least one value")]
    urls = rule.get("nonResourceURLs")
    if urls:
        if namespaced:
            out.append(fielderrors.invalid(f"{path}.nonResourceURLs", urls, "namespaced rules cannot apply to non-resource URLs"))
        if rule.get("apiGroups") or rule.get("resources") or rule.get("resourceNames"):
            out.append(fielderrors.invalid(f"{path}.nonResourceURLs", urls,
                                           "rules cannot apply to both regular resources and non-resource URLs"))
        return out
    if not rule.get("apiGroups"):
        out.append(fielderrors.required(f"{path}.apiGroups", "resource rules must supply at least one api group"))
    if not rule.get("resources"):
        out.append(fielderrors.required(f"{path}.resources", "resource rules must supply at least one resource"))
    return out


def _rules(obj: Obj, *, namespaced: bool) -> list[Cause]:
    out: list[Cause] = []
    for i, rule in enumerate(_l(obj.get("rules"))):
        out += _policy_rule(_d(rule), f"rules[{i}]", namespaced=namespaced)
    return out


def role(obj: Obj, old: Obj | None) -> list[Cause]:
    return _rules(obj, namespaced=True)


def cluster_role(obj: Obj, old: Obj | None) -> list[Cause]:
    out = _rules(obj, namespaced=False)
    aggregation = obj.get("aggregationRule")
    if aggregation is None:
        return out
    path = "aggregationRule.clusterRoleSelectors"
    selectors = _l(_d(aggregation).get("clusterRoleSelectors"))
    if not selectors:
        out.append(fielderrors.required(path, "at least one clusterRoleSelector required if aggregationRule is non-nil"))
    for i, selector in enumerate(selectors):
        wrong = labelrules.selector_causes(selector, f"{path}[{i}]")
        # LabelSelectorAsSelector refuses what ValidateLabelSelector does; its nil result is printed
        out += wrong + ([fielderrors.invalid(f"{path}[{i}]", None, "invalid label selector.")] if wrong else [])
    return out


def _binding(obj: Obj, role_kinds: tuple[str, ...], *, namespaced: bool) -> list[Cause]:
    ref = _d(obj.get("roleRef"))
    out: list[Cause] = []
    if ref.get("apiGroup") != GROUP:
        out.append(fielderrors.unsupported("roleRef.apiGroup", _s(ref.get("apiGroup")), (GROUP,)))
    if ref.get("kind") not in role_kinds:
        out.append(fielderrors.unsupported("roleRef.kind", _s(ref.get("kind")), role_kinds))
    name = _s(ref.get("name"))
    if not name:
        out.append(fielderrors.required("roleRef.name"))
    out += invalid("roleRef.name", name, validation.name_errors("Role", name)) if name else []
    for i, subject in enumerate(_l(obj.get("subjects"))):
        out += _subject(_d(subject), f"subjects[{i}]", namespaced=namespaced)
    return out


def _subject(subject: Obj, path: str, *, namespaced: bool) -> list[Cause]:
    kind, name, group = subject.get("kind"), _s(subject.get("name")), _s(subject.get("apiGroup"))
    out = [] if name else [fielderrors.required(f"{path}.name")]
    if kind == "ServiceAccount":
        out += invalid(f"{path}.name", name, validation.name_errors("ServiceAccount", name)) if name else []
        if group:
            out.append(fielderrors.unsupported(f"{path}.apiGroup", group, ("",)))
        if not namespaced and not subject.get("namespace"):
            out.append(fielderrors.required(f"{path}.namespace"))
    elif kind in ("User", "Group"):
        if group != GROUP:
            out.append(fielderrors.unsupported(f"{path}.apiGroup", group, (GROUP,)))
    else:
        out.append(fielderrors.unsupported(f"{path}.kind", _s(kind), SUBJECT_KINDS))
    return out


def role_binding(obj: Obj, old: Obj | None) -> list[Cause]:
    return _binding(obj, ("Role", "ClusterRole"), namespaced=True)


def cluster_role_binding(obj: Obj, old: Obj | None) -> list[Cause]:
    return _binding(obj, ("ClusterRole",), namespaced=False)


def binding_update(new: Obj, old: Obj) -> list[Cause]:
    """roleRef never changes; the internal RoleRef, without json tags, prints Go's field names."""
    ref, before = _d(new.get("roleRef")), _d(old.get("roleRef"))
    if all(ref.get(k) == before.get(k) for k in ("apiGroup", "kind", "name")):
        return []
    internal = {"APIGroup": _s(ref.get("apiGroup")), "Kind": _s(ref.get("kind")), "Name": _s(ref.get("name"))}
    return [fielderrors.invalid("roleRef", internal, "cannot change roleRef")]


RULES: dict[tuple[str, str], Callable[[Obj, Obj | None], list[Cause]]] = {
    (GROUP, "Role"): role, (GROUP, "ClusterRole"): cluster_role,
    (GROUP, "RoleBinding"): role_binding, (GROUP, "ClusterRoleBinding"): cluster_role_binding}
UPDATE_RULES: dict[tuple[str, str], Callable[[Obj, Obj], list[Cause]]] = {
    (GROUP, "RoleBinding"): binding_update, (GROUP, "ClusterRoleBinding"): binding_update}
