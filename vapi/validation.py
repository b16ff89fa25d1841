"""Object metadata validation (after k8s.io/apimachinery/pkg/api/validation/objectmeta.go).
Failures are 422 Invalid with one cause per field."""

from __future__ import annotations

import re
from typing import Any

from vapi import clock, crvalidation, errors
from vapi.resources import Resource

DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?\Z")
DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?\Z")
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\Z")

PATH_SEGMENT_KINDS = {"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"}
DNS_LABEL_KINDS = {"Namespace", "Workspace"}
DNS1035_KINDS = {"Service"}


def _cause(field: str, message: str, reason: str = "FieldValueInvalid") -> dict[str, str]:
    return {"reason": reason, "message": message, "field": field}


def name_errors(kind: str, name: str) -> list[str]:
    if kind in PATH_SEGMENT_KINDS:
        if name in (".", ".."):
            return [f'may not be \'{name}\'']
        bad = [c for c in ("/", "%") if c in name]
        return [f"may not contain '{c}'" for c in bad]
    if kind in DNS1035_KINDS:
        if len(name) > 63:
            return ["must be no more than 63 characters"]
        if not DNS1035_LABEL.match(name):
            return ["a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"]
        return []
    if kind in DNS_LABEL_KINDS:
        if len(name) > 63:
            return ["must be no more than 63 characters"]
        if not DNS1123_LABEL.match(name):
            return ["a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"]
        return []
    if len(name) > 253:
        return ["must be no more than 253 characters"]
    if not DNS1123_SUBDOMAIN.match(name):
        return ["a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"]
    return []


def metadata_causes(res: Resource, obj: dict[str, Any]) -> list[dict[str, str]]:
    from vapi import golang, labelrules  # labelrules checks prefixes with name_errors

    causes: list[dict[str, str]] = []
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        return [_cause("metadata", "must be an object", "FieldValueInvalid")]
    name = meta.get("name")
    if not name:
        causes.append(_cause("metadata.name", "Required value: name or generateName is required", "FieldValueRequired"))
    elif not isinstance(name, str):
        causes.append(_cause("metadata.name", "Invalid value: must be a string"))
    else:
        for msg in name_errors(res.kind, name):
            causes.append(_cause("metadata.name", f'Invalid value: "{name}": {msg}'))
    for field in ("labels", "annotations"):
        value = meta.get(field)
        if value is None:
            continue
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            causes.append(_cause(f"metadata.{field}", "Invalid value: must be a map of strings"))
            continue
        for k, v in value.items():  # ValidateLabels; ValidateAnnotations checks keys lowercased
            for msg in labelrules.key_errors(k if field == "labels" else k.lower()):
                causes.append(_cause(f"metadata.{field}", f"Invalid value: {golang.quote(k)}: {msg}"))
            for msg in labelrules.value_errors(v) if field == "labels" else []:
                causes.append(_cause("metadata.labels", f"Invalid value: {golang.quote(v)}: {msg}"))
        if field == "annotations":
            causes += labelrules.annotations_too_long(value, "metadata.annotations")
    for field in ("finalizers",):
        value = meta.get(field)
        if value is not None and (not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
            causes.append(_cause(f"metadata.{field}", "Invalid value: must be a list of strings"))
    return causes


def _raise(res: Resource, obj: dict[str, Any], causes: list[dict[str, str]]) -> None:
    if causes:
        name = obj.get("metadata", {}).get("name") if isinstance(obj.get("metadata"), dict) else ""
        raise errors.invalid(res.group, res.kind, name if isinstance(name, str) else "", causes)


def crd_causes(res: Resource, obj: dict[str, Any]) -> list[dict[str, str]]:
    """A CRD's name must be <plural>.<group> (apiextensions validation)."""
    if res.kind != "CustomResourceDefinition" or res.group != "apiextensions.k8s.io":
        return []
    raw_spec = obj.get("spec")
    spec: dict[str, Any] = raw_spec if isinstance(raw_spec, dict) else {}
    raw_names = spec.get("names")
    names: dict[str, Any] = raw_names if isinstance(raw_names, dict) else {}
    want = f"{names.get('plural', '')}.{spec.get('group', '')}"
    name = obj.get("metadata", {}).get("name") if isinstance(obj.get("metadata"), dict) else None
    if name != want:
        return [_cause("metadata.name", f'Invalid value: "{name}": must be spec.names.plural+"."+spec.group')]
    return []


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    return {str: "string", float: "number", dict: "object", list: "array"}.get(type(value), "null")


def _typed(field: str, value: object, want: str) -> list[dict[str, str]]:
    """A field of the wrong JSON type, worded as kube-apiserver words it for a CRD's schema."""
    got = _json_type(value)
    if got == want or (want == "number" and got == "integer"):
        return []
    return [_cause(field, f'Invalid value: "{got}": {field} in body must be of type {want}: "{got}"')]


def _one_of(field: str, value: object, allowed: tuple[str, ...]) -> list[dict[str, str]]:
    if value is None or value == "":
        return [_cause(field, "Required value", "FieldValueRequired")]
    if typed := _typed(field, value, "string"):
        return typed
    if value not in allowed:
        listed = ", ".join(f'"{a}"' for a in allowed)
        return [_cause(field, f'Unsupported value: "{value}": supported values: {listed}', "FieldValueNotSupported")]
    return []


def grant_causes(res: Resource, obj: dict[str, Any]) -> list[dict[str, str]]:
    """An AccessGrant names a User or Group and one of the roles view, edit, admin."""
    if res.kind != "AccessGrant" or res.group != "tenancy.vapi.dev":
        return []
    spec = obj.get("spec")
    if spec is None:
        return [_cause("spec", "Required value", "FieldValueRequired")]
    if not isinstance(spec, dict):
        return _typed("spec", spec, "object")
    subject = spec.get("subject")
    if subject is None:
        causes = [_cause("spec.subject", "Required value", "FieldValueRequired")]
    elif not isinstance(subject, dict):
        causes = _typed("spec.subject", subject, "object")
    else:
        causes = _one_of("spec.subject.kind", subject.get("kind"), ("User", "Group"))
        name = subject.get("name")
        causes += [_cause("spec.subject.name", "Required value", "FieldValueRequired")] if name is None or name == "" else \
            _typed("spec.subject.name", name, "string")
    return causes + _one_of("spec.role", spec.get("role"), ("view", "edit", "admin"))


def workspace_causes(res: Resource, obj: dict[str, Any]) -> list[dict[str, str]]:
    """A Workspace's optional `spec.quota.objects` is a count: an integer, zero or more."""
    if res.kind != "Workspace" or res.group != "tenancy.vapi.dev":
        return []
    spec = obj.get("spec")
    if spec is None:
        return []
    if not isinstance(spec, dict):
        return _typed("spec", spec, "object")
    quota = spec.get("quota")
    if quota is None:
        return []
    if not isinstance(quota, dict):
        return _typed("spec.quota", quota, "object")
    objects = quota.get("objects")
    if objects is None:
        return []
    if typed := _typed("spec.quota.objects", objects, "integer"):
        return typed
    if objects < 0:
        return [_cause("spec.quota.objects", f"Invalid value: {objects}: spec.quota.objects in body should be greater than or equal to 0")]
    return []


HASH = re.compile(r"sha256:[0-9a-f]{64}")


def token_causes(res: Resource, obj: dict[str, Any]) -> list[dict[str, str]]:
    """An AccessToken names a user, optional groups, the digest of its secret and an
    optional RFC 3339 expiry."""
    if res.kind != "AccessToken" or res.group != "tenancy.vapi.dev":
        return []
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return [_cause("spec", "Required value", "FieldValueRequired")]
    causes = []
    if not isinstance(spec.get("user"), str) or not spec.get("user"):
        causes.append(_cause("spec.user", "Required value", "FieldValueRequired"))
    groups = spec.get("groups", [])
    if not isinstance(groups, list) or not all(isinstance(g, str) and g for g in groups):
        causes.append(_cause("spec.groups", "Invalid value: must be a list of group names"))
    if not isinstance(spec.get("tokenHash"), str) or not HASH.fullmatch(spec["tokenHash"]):
        causes.append(_cause("spec.tokenHash", 'Invalid value: must be "sha256:" and 64 lowercase hex digits'))
    if "expirationTimestamp" in spec and clock.parse(spec["expirationTimestamp"]) is None:
        causes.append(_cause("spec.expirationTimestamp", "Invalid value: must be an RFC 3339 time with a zone"))
    audiences = spec.get("audiences", [])
    if not isinstance(audiences, list) or not all(isinstance(a, str) and a for a in audiences):
        causes.append(_cause("spec.audiences", "Invalid value: must be a list of names"))
    if "workspace" in spec or "serviceAccount" in spec:
        account = spec.get("serviceAccount")
        if not isinstance(spec.get("workspace"), str) or not spec["workspace"]:
            causes.append(_cause("spec.workspace", "Required value: the workspace of the service account", "FieldValueRequired"))
        if not isinstance(account, dict) or not all(isinstance(account.get(k), str) and account[k]
                                                    for k in ("namespace", "name", "uid")):
            causes.append(_cause("spec.serviceAccount", "Invalid value: must name the namespace, name and uid of a service account"))
    return causes


def edge_causes(res: Resource, obj: dict[str, Any]) -> list[dict[str, str]]:
    """A Placement whose rules cannot be compiled, or an EdgeCluster whose properties are
    not a map of strings, is refused rather than stored."""
    if res.group != "edge.vapi.dev":
        return []
    if res.kind == "Placement":
        from vapi import placement

        try:
            placement.compile_rules("", "", obj.get("spec"))
        except placement.Invalid as e:
            field, _, message = str(e).partition(": ")
            return [_cause(field, message or str(e))]
    if res.kind == "EdgeCluster":
        spec = obj.get("spec")
        if spec is not None and not isinstance(spec, dict):
            return [_cause("spec", "Invalid value: must be an object")]
        props = (spec or {}).get("properties")
        if props is not None and (not isinstance(props, dict) or not all(isinstance(v, str) for v in props.values())):
            return [_cause("spec.properties", "Invalid value: must be a map of strings")]
    return []


def _causes(res: Resource, obj: dict[str, Any]) -> list[dict[str, str]]:
    return (metadata_causes(res, obj) + crd_causes(res, obj) + grant_causes(res, obj) + workspace_causes(res, obj)
            + token_causes(res, obj) + edge_causes(res, obj))


def validate_create(res: Resource, obj: dict[str, Any]) -> None:
    _raise(res, obj, _causes(res, obj))


def validate_update(res: Resource, new: dict[str, Any], old: dict[str, Any]) -> None:
    _raise(res, new, _causes(res, new))


def validate_kind(res: Resource, obj: dict[str, Any], old: dict[str, Any] | None = None, via: str = "") -> None:
    """A built-in kind's own rules, checked after defaulting (vapi/kindrules.py)."""
    from vapi import kindrules

    causes = kindrules.causes(res, obj, old, via)
    if res.kind == "CustomResourceDefinition" and res.group == "apiextensions.k8s.io" and via != "status":
        from vapi import crdvalidation

        seen = {(c["field"], c["message"]) for c in causes}
        causes += [c for c in crdvalidation.causes(obj, old) if (c["field"], c["message"]) not in seen]
    _raise(res, obj, causes)


def validate_custom(res: Resource, obj: dict[str, Any]) -> None:
    """A custom resource, pruned and defaulted, against its CRD's structural schema: 422
    Invalid with one cause per failing field, as kube-apiserver's validation of custom
    resources answers (vapi/crvalidation.py)."""
    if res.schema is None:
        return
    # metadata is ObjectMeta's to check (metadata_causes), not the schema's: without it in the
    # body, the schema's metadata property checks nothing. The schema itself is passed, so
    # that crvalidation's validator, built once per schema, is reused on every write.
    body = {k: v for k, v in obj.items() if k != "metadata"}
    causes = crvalidation.causes(body, res.schema)
    if causes:
        meta = obj.get("metadata")
        name = meta.get("name", "") if isinstance(meta, dict) else ""
        raise errors.invalid(res.group, res.kind, str(name), causes)
