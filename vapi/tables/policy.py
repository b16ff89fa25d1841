"""Who may do what, and what is admitted: RBAC role bindings, admission webhook configurations,
and validating and mutating admission policies and their bindings. (Roles and ClusterRoles get the
default convertor.)"""

from __future__ import annotations

from vapi.tables.cells import Obj, _dict, _dicts, get, _str
from vapi.tables.columns import AGE, NAME, Cell, Column, col, _count


def _role_ref(binding: Obj) -> str:
    return f"{_str(get(binding, 'roleRef', 'kind'))}/{_str(get(binding, 'roleRef', 'name'))}"


def _subjects(kind: str) -> Cell:
    """rbac.SubjectsStrings: users, groups, or namespace/name service accounts."""
    def cell(binding: Obj) -> str:
        out: list[str] = []
        for s in _dicts(binding.get("subjects")):
            if s.get("kind") == kind:
                out.append(f"{_str(s.get('namespace'))}/{_str(s.get('name'))}" if kind == "ServiceAccount" else _str(s.get("name")))
        return ", ".join(out)
    return cell


def _binding_columns(what: str) -> list[Column]:
    return [
        NAME,
        col("Role", _role_ref, "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace."),
        AGE,
        col("Users", _subjects("User"), f"Users in the {what}", wide=True),
        col("Groups", _subjects("Group"), f"Groups in the {what}", wide=True),
        col("ServiceAccounts", _subjects("ServiceAccount"), f"ServiceAccounts in the {what}", wide=True),
    ]


def _go_selector(selector: Obj) -> str:
    """The generated (*metav1.LabelSelector).String(), which a ParamRef's selector prints as."""
    labels = _dict(selector.get("matchLabels"))
    matches = "".join(f"{k}: {labels[k]}," for k in sorted(labels))
    exprs = "".join(
        f"LabelSelectorRequirement{{Key:{e.get('key', '')},Operator:{e.get('operator', '')},"
        f"Values:[{' '.join(str(v) for v in e.get('values') or [])}],}},"
        for e in _dicts(selector.get("matchExpressions"))
    )
    return (f"&LabelSelector{{MatchLabels:map[string]string{{{matches}}},"
            f"MatchExpressions:[]LabelSelectorRequirement{{{exprs}}},}}")


def _param_kind(policy: Obj) -> str:
    kind = get(policy, "spec", "paramKind")
    return f"{_str(kind.get('apiVersion'))}/{_str(kind.get('kind'))}" if isinstance(kind, dict) else "<unset>"


def _param_ref(binding: Obj) -> str:
    ref = get(binding, "spec", "paramRef")
    if not isinstance(ref, dict):
        return "<unset>"
    if ref.get("name"):
        return f"{ref.get('namespace') or '*'}/{ref['name']}"
    if isinstance(ref.get("selector"), dict):
        return _go_selector(ref["selector"])
    return "<unset>"


def _policy_columns(rules: str, doc: str) -> list[Column]:
    return [
        NAME,
        col(rules.capitalize(), lambda o: len(get(o, "spec", rules, default=[]) or []), doc, kind="integer"),
        col("ParamKind", _param_kind, "ParamKind specifies the kind of resources used to parameterize this policy"),
        AGE,
    ]


def _policy_binding_columns() -> list[Column]:
    return [
        NAME,
        col("PolicyName", lambda o: _str(get(o, "spec", "policyName")), "PolicyName indicates the policy definition which the policy binding binded to"),
        col("ParamRef", _param_ref, "ParamRef indicates the param resource which sets the configration param"),
        AGE,
    ]


COLUMNS: dict[tuple[str, str], list[Column]] = {
    ("rbac.authorization.k8s.io", "rolebindings"): _binding_columns("roleBinding"),
    ("rbac.authorization.k8s.io", "clusterrolebindings"): _binding_columns("clusterRoleBinding"),
    ("admissionregistration.k8s.io", "mutatingwebhookconfigurations"): [
        NAME,
        col("Webhooks", _count("webhooks"), "Webhooks indicates the number of webhooks registered in this configuration", kind="integer"),
        AGE,
    ],
    ("admissionregistration.k8s.io", "validatingwebhookconfigurations"): [
        NAME,
        col("Webhooks", _count("webhooks"), "Webhooks indicates the number of webhooks registered in this configuration", kind="integer"),
        AGE,
    ],
    ("admissionregistration.k8s.io", "validatingadmissionpolicies"): _policy_columns(
        "validations", "Validations indicates the number of validation rules defined in this configuration"),
    ("admissionregistration.k8s.io", "mutatingadmissionpolicies"): _policy_columns(
        "mutations", "Mutation indicates the number of mutations rules defined in this configuration"),
    ("admissionregistration.k8s.io", "validatingadmissionpolicybindings"): _policy_binding_columns(),
    ("admissionregistration.k8s.io", "mutatingadmissionpolicybindings"): _policy_binding_columns(),
}
