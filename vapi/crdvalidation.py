"""Validation of CustomResourceDefinitions, after
k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation/validation.go and the
structural-schema rules of pkg/apiserver/schema/validation.go, in their words: a CRD that a
kube-apiserver refuses is refused here (422 Invalid with one cause per field), checked after
the v1 defaults (singular, listKind, conversion None).

What is checked: the group (a DNS subdomain with a dot), the scope, the names (DNS-1035
labels; kind and listKind differ), the versions (DNS-1035 names, unique, exactly one storage
version, each with a schema), stored versions kept in spec.versions, the conversion strategy,
printer columns, scale paths, selectable fields (vapi/selectablefields.py), and each schema:
structural (a type everywhere, object at the root, items for arrays, metadata at the root
naming only name and generateName, nothing structural inside allOf/anyOf/oneOf/not), the
keywords and extensions kube forbids or constrains (list and map types, preserve-unknown-fields,
embedded resources), CEL rules that compile, and defaults that validate against their schema
and carry no unknown fields. On update, group and plural never change, and scope and kind not
once the CRD is established.

Where: kube validates the internal CRD, to which the v1 conversion hoists per-version fields
every version shares (vapi/crdhoisting.py); so errors in a schema, the subresources, printer
columns or selectable fields all versions have in common are reported at spec.validation,
spec.subresources, spec.additionalPrinterColumns, spec.selectableFields (after the names), and
at spec.versions[i] only when the versions differ.
"""

from __future__ import annotations

import json
import re
from typing import Any

import cel

from vapi import crdhoisting, crvalidation, fielderrors, goregexp, selectablefields, validation

Obj = dict[str, Any]
Cause = dict[str, str]

V3_TYPES = ("array", "boolean", "integer", "number", "object", "string")
COLUMN_TYPES = "boolean,date,integer,number,string"
COLUMN_FORMATS = "byte,date,date-time,double,float,int32,int64,password"
ROOT_WITH_STATUS = ("description", "type", "format", "title", "maximum", "exclusiveMaximum", "minimum",
                    "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems",
                    "multipleOf", "required", "items", "properties", "externalDocs", "example",
                    "x-kubernetes-preserve-unknown-fields", "x-kubernetes-validations")
ROOT_WITH_STATUS_GO = ("[Description Type Format Title Maximum ExclusiveMaximum Minimum ExclusiveMinimum MaxLength "
                       "MinLength Pattern MaxItems MinItems UniqueItems MultipleOf Required Items Properties "
                       "ExternalDocs Example XPreserveUnknownFields XValidations]")
APPROVAL = "api-approved.kubernetes.io"
VALIDATION_REASONS = ("FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired")


_invalid, _required, _forbidden, _unsupported = (fielderrors.invalid, fielderrors.required, fielderrors.forbidden,
                                                  fielderrors.unsupported)


def _dns1035(value: str) -> list[str]:
    return validation.name_errors("Service", value)


def _dict(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def causes(crd: Obj, old: Obj | None = None) -> list[Cause]:
    """Everything kube-apiserver refuses in this CRD (create, or update from `old`)."""
    spec = _dict(crd.get("spec"))
    out = _spec(spec)
    out += _stored_versions(crd, spec)
    out += _approval(crd, old)
    if spec.get("preserveUnknownFields") is True and _dict(old).get("spec", {}).get("preserveUnknownFields") is not True:
        out.append(_invalid("spec.preserveUnknownFields", True,
                            "cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead"))
    if old is not None:
        out += _immutable(spec, _dict(old.get("spec")), _established(old))
    return out


def _established(crd: Obj) -> bool:
    return any(c.get("type") == "Established" and c.get("status") == "True"
               for c in _list(_dict(crd.get("status")).get("conditions")) if isinstance(c, dict))


def _spec(spec: Obj) -> list[Cause]:
    out: list[Cause] = []
    group = spec.get("group")
    if not group:
        out.append(_required("spec.group"))
    elif isinstance(group, str):
        errs = validation.name_errors("ConfigMap", group)
        if errs:
            out.append(_invalid("spec.group", group, ",".join(errs)))
        elif "." not in group:
            out.append(_invalid("spec.group", group, "should be a domain with at least one dot"))
    scope = spec.get("scope")
    if not scope:
        out.append(_required("spec.scope"))
    elif scope not in ("Cluster", "Namespaced"):
        out.append(_unsupported("spec.scope", scope, ("Cluster", "Namespaced")))
    versions = [v for v in _list(spec.get("versions")) if isinstance(v, dict)]
    top, inner = crdhoisting.internal(versions)
    if crdhoisting.open_api_schema(top.get("validation")) is None:
        out += [_required(f"spec.versions[{i}].schema.openAPIV3Schema") for i, version in enumerate(inner)
                if crdhoisting.open_api_schema(version.get("schema")) is None]
    per_version_subresources = any(v.get("subresources") is not None for v in inner)
    seen: set[Any] = set()
    unique = True
    for i, version in enumerate(inner):
        here = f"spec.versions[{i}]"
        name = version.get("name")
        if name in seen:
            unique = False
        seen.add(name)
        errs = _dns1035(name) if isinstance(name, str) else []
        if errs:
            out.append(_invalid(f"{here}.name", name, ",".join(errs)))
        subresources = version.get("subresources") if per_version_subresources else top.get("subresources")
        out += _version(version, here, status=_status_enabled(subresources))
    if not unique:
        out.append(_invalid("spec.versions", versions, "must contain unique version names"))
    if sum(1 for v in versions if v.get("storage") is True) != 1:
        out.append(_invalid("spec.versions", versions, "must have exactly one version marked as storage version"))
    out += _names(_dict(spec.get("names")))
    out += _hoisted(top, any_status=any(_status_enabled(s.get("subresources")) for s in [top, *inner]))
    out += _conversion(spec.get("conversion"))
    return out


def _status_enabled(subresources: Any) -> bool:
    return _dict(subresources).get("status") is not None


def _hoisted(top: Obj, *, any_status: bool) -> list[Cause]:
    """The internal spec's top-level validation, subresources, printer columns and selectable
    fields (vapi/crdhoisting.py), checked after the names as validateCustomResourceDefinitionSpec
    does; the schema's status-root rule applies when any version enables status."""
    out: list[Cause] = []
    schema = crdhoisting.open_api_schema(top.get("validation"))
    if isinstance(schema, dict):
        out += schema_causes(schema, "spec.validation.openAPIV3Schema", status=any_status)
    out += _subresources(top.get("subresources"), "spec.subresources")
    for i, column in enumerate(_list(top.get("additionalPrinterColumns"))):
        out += _column(_dict(column), f"spec.additionalPrinterColumns[{i}]")
    return out + selectablefields.top_level(top)


def _names(names: Obj) -> list[Cause]:
    out = [_required(f"spec.names.{k}") for k in ("plural", "singular", "kind", "listKind") if not names.get(k)]
    for key in ("plural", "singular"):
        value = names.get(key)
        if isinstance(value, str) and value and _dns1035(value):
            out.append(_invalid(f"spec.names.{key}", value, ",".join(_dns1035(value))))
    for key in ("kind", "listKind"):
        value = names.get(key)
        if isinstance(value, str) and value and _dns1035(value.lower()):
            out.append(_invalid(f"spec.names.{key}", value,
                                "may have mixed case, but should otherwise match: " + ",".join(_dns1035(value.lower()))))
    for key in ("shortNames", "categories"):
        for i, value in enumerate(_list(names.get(key))):
            if isinstance(value, str) and _dns1035(value):
                out.append(_invalid(f"spec.names.{key}[{i}]", value, ",".join(_dns1035(value))))
    if names.get("kind") and names.get("kind") == names.get("listKind"):
        out.append(_invalid("spec.names.listKind", names["listKind"], "kind and listKind may not be the same"))
    return out


def _conversion(conversion: Any) -> list[Cause]:
    if not isinstance(conversion, dict):
        return []
    strategy = conversion.get("strategy")
    if not strategy:
        return [_required("spec.conversion.strategy")]
    if strategy not in ("None", "Webhook"):
        return [_unsupported("spec.conversion.strategy", strategy, ("None", "Webhook"))]
    webhook = _dict(conversion.get("webhook"))
    if strategy == "Webhook":
        out = []
        client = webhook.get("clientConfig")
        if not isinstance(client, dict):
            out.append(_required("spec.conversion.webhookClientConfig", "required when strategy is set to Webhook"))
        elif ("url" in client) == ("service" in client):
            out.append(_required("spec.conversion.webhookClientConfig", "exactly one of url or service is required"))
        reviews = _list(webhook.get("conversionReviewVersions"))
        if not reviews:
            out.append(_required("spec.conversion.conversionReviewVersions"))
        elif not {"v1", "v1beta1"} & set(reviews):
            out.append(_invalid("spec.conversion.conversionReviewVersions", reviews, "must include at least one of v1, v1beta1"))
        return out
    if webhook.get("clientConfig") is not None:
        return [_forbidden("spec.conversion.webhookClientConfig", "should not be set when strategy is not set to Webhook")]
    if webhook.get("conversionReviewVersions"):
        return [_forbidden("spec.conversion.conversionReviewVersions", "should not be set when strategy is not set to Webhook")]
    return []


def _version(version: Obj, here: str, *, status: bool) -> list[Cause]:
    """An internal version's own fields (what was not hoisted), as validateCustomResourceDefinitionVersion."""
    out: list[Cause] = []
    if version.get("deprecationWarning") is not None and not version.get("deprecated"):
        out.append(_invalid(f"{here}.deprecationWarning", version["deprecationWarning"], "can only be set for deprecated versions"))
    schema = crdhoisting.open_api_schema(version.get("schema"))
    if isinstance(schema, dict):
        out += schema_causes(schema, f"{here}.schema.openAPIV3Schema", status=status)
    out += _subresources(version.get("subresources"), f"{here}.subresources")
    for i, column in enumerate(_list(version.get("additionalPrinterColumns"))):
        out += _column(_dict(column), f"{here}.additionalPrinterColumns[{i}]")
    return out + selectablefields.per_version(version, here)


def _subresources(subresources: Any, where: str) -> list[Cause]:
    """ValidateCustomResourceDefinitionSubresources: the scale subresource's paths."""
    out: list[Cause] = []
    scale = _dict(subresources).get("scale")
    if isinstance(scale, dict):
        for key, under in (("specReplicasPath", ".spec."), ("statusReplicasPath", ".status.")):
            value = scale.get(key)
            here = f"{where}.scale.{key}"
            if not value:
                out.append(_required(here))
            elif not isinstance(value, str) or not value.startswith("."):
                out.append(_invalid(here, value, "must be a simple json path starting with ."))
            elif not value.startswith(under):
                out.append(_invalid(here, value, f"should be a json path under {under[:-1]}"))
        selector = scale.get("labelSelectorPath")
        if isinstance(selector, str) and selector:
            here = f"{where}.scale.labelSelectorPath"
            if not selector.startswith("."):
                out.append(_invalid(here, selector, "must be a simple json path starting with ."))
            elif not selector.startswith((".spec.", ".status.")):
                out.append(_invalid(here, selector, "should be a json path under either .spec or .status"))
    return out


def _column(col: Obj, here: str) -> list[Cause]:
    out = []
    if not col.get("name"):
        out.append(_required(f"{here}.name"))
    kind = col.get("type")
    if not kind:
        out.append(_required(f"{here}.type", f"must be one of {COLUMN_TYPES}"))
    elif kind not in COLUMN_TYPES.split(","):
        out.append(_invalid(f"{here}.type", kind, f"must be one of {COLUMN_TYPES}"))
    fmt = col.get("format")
    if fmt and fmt not in COLUMN_FORMATS.split(","):
        out.append(_invalid(f"{here}.format", fmt, f"must be one of {COLUMN_FORMATS}"))
    path = col.get("jsonPath")
    if not path:
        out.append(_required(f"{here}.JSONPath"))
    elif not isinstance(path, str) or not path.startswith("."):
        out.append(_invalid(f"{here}.JSONPath", path, "must be a simple json path starting with ."))
    return out


def _stored_versions(crd: Obj, spec: Obj) -> list[Cause]:
    stored = [s for s in _list(_dict(crd.get("status")).get("storedVersions")) if isinstance(s, str)]
    if not stored:
        return []  # the status is the server's to set (vapi/crds.py), after this check
    names = {v.get("name") for v in _list(spec.get("versions")) if isinstance(v, dict)}
    return [_invalid(f"status.storedVersions[{i}]", v,
                     f"missing from spec.versions; {v} was previously a storage version, and must remain in "
                     f"spec.versions until a storage migration ensures no data remains persisted in {v} and "
                     f"removes {v} from status.storedVersions")
            for i, v in enumerate(stored) if v not in names]


def _approval(crd: Obj, old: Obj | None) -> list[Cause]:
    """Groups under k8s.io and kubernetes.io need the api-approved.kubernetes.io annotation."""
    group = str(_dict(crd.get("spec")).get("group") or "")
    if not (group in ("k8s.io", "kubernetes.io") or group.endswith((".k8s.io", ".kubernetes.io"))):
        return []

    def state(obj: Obj) -> str:
        value = str(_dict(_dict(obj.get("metadata")).get("annotations")).get(APPROVAL) or "")
        if not value:
            return "missing"
        if value.startswith("unapproved"):
            return "bypassed"
        return "approved" if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s]+", value) else "invalid"

    now = state(crd)
    if old is not None and state(old) == now or now in ("approved", "bypassed"):
        return []
    field = f"metadata.annotations[{APPROVAL}]"
    if now == "missing":
        return [_required(field, f'protected groups must have approval annotation "{APPROVAL}", '
                                 "see https://github.com/kubernetes/enhancements/pull/1111")]
    value = _dict(_dict(crd.get("metadata")).get("annotations")).get(APPROVAL)
    return [_invalid(field, value, f'protected groups must have approval annotation "{APPROVAL}" with either a URL or a '
                                   'reason starting with "unapproved", see https://github.com/kubernetes/enhancements/pull/1111')]


def _immutable(spec: Obj, old: Obj, established: bool) -> list[Cause]:
    out = []
    checks = [("spec.group", spec.get("group"), old.get("group")),
              ("spec.names.plural", _dict(spec.get("names")).get("plural"), _dict(old.get("names")).get("plural"))]
    if established:
        checks[:0] = [("spec.scope", spec.get("scope"), old.get("scope")),
                      ("spec.names.kind", _dict(spec.get("names")).get("kind"), _dict(old.get("names")).get("kind"))]
    for field, new, was in checks:
        if new != was:
            out.append(_invalid(field, new, "field is immutable"))
    return out


# -- schemas ---------------------------------------------------------------------------


def schema_causes(schema: Obj, path: str, *, status: bool = False) -> list[Cause]:
    """A version's openAPIV3Schema: structural errors (sorted, as kube sorts them), then the
    defaults, then the keyword and extension rules and the CEL rules."""
    out: list[Cause] = []
    if status:
        if "type" in schema and schema["type"] != "object":
            out.append(_invalid(f"{path}.type", schema["type"],
                                'only "object" is allowed as the type at the root of the schema if the status subresource is enabled'))
        elif any(k not in ROOT_WITH_STATUS for k in schema):
            out.append(_invalid(path, schema, f"only {ROOT_WITH_STATUS_GO} fields are allowed at the root of the schema "
                                              "if the status subresource is enabled"))
    if schema.get("nullable") is True:
        out.append(_forbidden(f"{path}.nullable", "nullable cannot be true at the root"))
    structural = sorted(_structural(schema, "root", path), key=lambda c: f"{c['field']}: {c['message']}")
    out += structural
    keywords = _keywords(schema, path, root=True, in_meta=False, default_ban="")
    if not structural and not keywords:
        out += _defaults(schema, path, root=True)
        out += _rules(schema, path)
    return out + keywords


def _structural(s: Obj, level: str, path: str) -> list[Cause]:
    out: list[Cause] = []
    kind = s.get("type") if isinstance(s.get("type"), str) else ""
    items = s.get("items")
    if kind == "array" and items is None:
        out.append(_required(f"{path}.items", "must be specified"))
    if isinstance(items, dict):
        out += _structural(items, "item", f"{path}.items")
    props = _dict(s.get("properties"))
    for k, v in props.items():
        if isinstance(v, dict) or v is None:  # null decodes to the empty schema, which has no type
            out += _structural(v or {}, "field", f"{path}.properties[{k}]")
    extra = s.get("additionalProperties")
    if extra is not None and extra is not False:
        if level == "root":
            out.append(_forbidden(f"{path}.additionalProperties", "must not be used at the root"))
        if isinstance(extra, dict):
            out += _structural(extra, "field", f"{path}.additionalProperties")
    int_or_string = s.get("x-kubernetes-int-or-string") is True
    preserve = s.get("x-kubernetes-preserve-unknown-fields") is True
    embedded = s.get("x-kubernetes-embedded-resource") is True
    if int_or_string and preserve:
        out.append(_invalid(f"{path}.x-kubernetes-preserve-unknown-fields", True, "must be false if x-kubernetes-int-or-string is true"))
    if int_or_string and embedded:
        out.append(_invalid(f"{path}.x-kubernetes-embedded-resource", True, "must be false if x-kubernetes-int-or-string is true"))
    for key in ("allOf", "anyOf", "oneOf"):
        for i, sub in enumerate(_list(s.get(key))):
            if isinstance(sub, dict) and not (key == "anyOf" and int_or_string and _int_or_string_pattern(s)):
                out += _nested(sub, f"{path}.{key}[{i}]", allow_rules=key == "allOf")
                out += _complete(sub, s, path, f"{path}.{key}[{i}]")
    if isinstance(s.get("not"), dict):
        out += _nested(s["not"], f"{path}.not", allow_rules=False)
        out += _complete(s["not"], s, path, f"{path}.not")
    pattern = s.get("pattern")
    if isinstance(pattern, str):
        try:
            goregexp.compiled(pattern)
        except goregexp.PatternError as e:
            out.append(_invalid(f"{path}.pattern", pattern, f"must be a valid regular expression, but isn't: {e}"))
    if embedded and kind != "object":
        out.append(_invalid(f"{path}.type", kind, "must be object if x-kubernetes-embedded-resource is true") if kind
                   else _required(f"{path}.type", "must be object if x-kubernetes-embedded-resource is true"))
    elif not kind and not int_or_string and not preserve:
        where = {"root": "at the root", "item": "for specified array items", "field": "for specified object fields"}[level]
        out.append(_required(f"{path}.type", f"must not be empty {where}"))
    if embedded and extra is not None and extra is not False:
        out.append(_forbidden(f"{path}.additionalProperties", "must not be used if x-kubernetes-embedded-resource is set"))
    if level == "root" and kind and kind != "object":
        out.append(_invalid(f"{path}.type", kind, "must be object at the root"))
    check_meta = level == "root" or embedded
    for key in ("kind", "apiVersion"):
        if key in props and check_meta and _dict(props[key]).get("type") != "string":
            out.append(_invalid(f"{path}.properties[{key}].type", _dict(props[key]).get("type", ""), "must be string"))
    if "metadata" in props:
        meta = _dict(props["metadata"])
        if check_meta and meta.get("type") != "object":
            out.append(_invalid(f"{path}.properties[metadata].type", meta.get("type", ""), "must be object"))
        if level == "root":
            names = set(_dict(meta.get("properties")))
            rest = {k: v for k, v in meta.items() if k not in ("type", "default")}
            if names and names <= {"name", "generateName"}:
                rest.pop("properties", None)
            if rest:
                out.append(_forbidden(f"{path}.properties[metadata]",
                                      "must not specify anything other than name and generateName, but metadata is implicitly specified"))
    if embedded and not preserve and not props:
        out.append(_required(f"{path}.properties",
                             "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields"))
    return out


def _int_or_string_pattern(s: Obj) -> bool:
    return [_dict(x).get("type") for x in _list(s.get("anyOf"))] == ["integer", "string"]


_NESTED_FORBIDDEN = (
    ("type", "must be empty to be structural"), ("additionalProperties", "must be undefined to be structural"),
    ("default", "must be undefined to be structural"), ("title", "must be empty to be structural"),
    ("description", "must be empty to be structural"), ("nullable", "must be false to be structural"),
    ("x-kubernetes-preserve-unknown-fields", "must be false to be structural"),
    ("x-kubernetes-embedded-resource", "must be false to be structural"),
    ("x-kubernetes-int-or-string", "must be false to be structural"),
    ("x-kubernetes-list-map-keys", "must be empty to be structural"),
    ("x-kubernetes-list-type", "must be undefined to be structural"),
    ("x-kubernetes-map-type", "must be undefined to be structural"),
)


def _nested(v: Obj, path: str, *, allow_rules: bool) -> list[Cause]:
    """Inside allOf/anyOf/oneOf/not only value validations may appear."""
    out: list[Cause] = []
    for key in ("allOf", "anyOf", "oneOf"):
        for i, sub in enumerate(_list(v.get(key))):
            if isinstance(sub, dict):
                out += _nested(sub, f"{path}.{key}[{i}]", allow_rules=allow_rules and key == "allOf")
    if isinstance(v.get("not"), dict):
        out += _nested(v["not"], f"{path}.not", allow_rules=False)
    if isinstance(v.get("items"), dict):
        out += _nested(v["items"], f"{path}.items", allow_rules=allow_rules)
    for k, sub in _dict(v.get("properties")).items():
        if isinstance(sub, dict):
            out += _nested(sub, f"{path}.properties[{k}]", allow_rules=allow_rules)
    for key, detail in _NESTED_FORBIDDEN:
        if v.get(key) not in (None, False, "", []):
            out.append(_forbidden(f"{path}.{key}", detail))
    if v.get("x-kubernetes-validations") and not allow_rules:
        out.append(_forbidden(f"{path}.x-kubernetes-validations", "must be empty to be structural"))
    if "metadata" in _dict(v.get("properties")):
        out.append(_forbidden(f"{path}.properties[metadata]", "must not be specified in a nested context"))
    return out


def _complete(v: Obj, s: Any, spath: str, vpath: str) -> list[Cause]:
    """What a value validation names must also be specified in the structural part."""
    if not isinstance(s, dict):
        return [_required(spath, f"because it is defined in {vpath}")]
    out: list[Cause] = []
    for key in ("allOf", "anyOf", "oneOf"):
        for i, sub in enumerate(_list(v.get(key))):
            if isinstance(sub, dict):
                out += _complete(sub, s, spath, f"{vpath}.{key}[{i}]")
    if isinstance(v.get("not"), dict):
        out += _complete(v["not"], s, spath, f"{vpath}.not")
    if isinstance(v.get("items"), dict):
        out += _complete(v["items"], s.get("items"), f"{spath}.items", f"{vpath}.items")
    props = _dict(s.get("properties"))
    for k, sub in _dict(v.get("properties")).items():
        if k not in props:
            out.append(_required(f"{spath}.properties[{k}]", f"because it is defined in {vpath}.properties[{k}]"))
        elif isinstance(sub, dict):
            out += _complete(sub, props[k], f"{spath}.properties[{k}]", f"{vpath}.properties[{k}]")
    return out


def _keywords(s: Obj, path: str, *, root: bool, in_meta: bool, default_ban: str) -> list[Cause]:
    """ValidateCustomResourceDefinitionOpenAPISchema: keywords and extensions."""
    out: list[Cause] = []
    kind = s.get("type")
    if isinstance(kind, str) and kind and kind not in V3_TYPES and kind != "null":
        out.append(_unsupported(f"{path}.type", kind, V3_TYPES))
    if "default" in s and default_ban:
        out.append(_forbidden(f"{path}.default", f"must not be set {default_ban}"))
    for key, word in (("id", "id"), ("additionalItems", "additionalItems"), ("patternProperties", "patternProperties"),
                      ("definitions", "definitions"), ("dependencies", "dependencies"), ("$ref", "$ref")):
        if s.get(key):
            out.append(_forbidden(f"{path}.{key}", f"{word} is not supported"))
    if kind == "null":
        out.append(_forbidden(f"{path}.type", "type cannot be set to null, use nullable as an alternative"))
    if isinstance(s.get("items"), list):
        out.append(_forbidden(f"{path}.items", "items must be a schema object and not an array"))
    if in_meta and s.get("x-kubernetes-embedded-resource"):
        out.append(_forbidden(f"{path}.x-kubernetes-embedded-resource", "must not be used inside of resource meta"))
    if s.get("uniqueItems") is True:
        out.append(_forbidden(f"{path}.uniqueItems", "uniqueItems cannot be set to true since the runtime complexity becomes quadratic"))
    extra = s.get("additionalProperties")
    if extra is not None:
        if s.get("properties") and (extra is False or isinstance(extra, dict)):
            out.append(_forbidden(f"{path}.additionalProperties", "additionalProperties and properties are mutual exclusive"))
        if isinstance(extra, dict):
            ban = "inside additionalProperties applying to object metadata" if in_meta else default_ban
            out += _keywords(extra, f"{path}.additionalProperties", root=False, in_meta=in_meta, default_ban=ban)
    for k, sub in _dict(s.get("properties")).items():
        if not isinstance(sub, dict):
            continue
        meta = (root or bool(s.get("x-kubernetes-embedded-resource"))) and k in ("metadata", "kind", "apiVersion")
        ban = f"in top-level {k}" if root and meta else default_ban
        out += _keywords(sub, f"{path}.properties[{k}]", root=False, in_meta=in_meta or meta, default_ban=ban)
    if isinstance(s.get("items"), dict):
        out += _keywords(s["items"], f"{path}.items", root=False, in_meta=in_meta, default_ban=default_ban)
    if s.get("x-kubernetes-preserve-unknown-fields") is False:
        out.append(_invalid(f"{path}.x-kubernetes-preserve-unknown-fields", False, "must be true or undefined"))
    map_type = s.get("x-kubernetes-map-type")
    if map_type is not None and kind != "object":
        out.append(_invalid(f"{path}.type", kind, "must be object if x-kubernetes-map-type is specified") if kind
                   else _required(f"{path}.type", "must be object if x-kubernetes-map-type is specified"))
    if map_type is not None and map_type not in ("atomic", "granular"):
        out.append(_unsupported(f"{path}.x-kubernetes-map-type", map_type, ("atomic", "granular")))
    out += _list_type(s, path, kind)
    out += _rule_shapes(s, path)
    return out


def _list_type(s: Obj, path: str, kind: Any) -> list[Cause]:
    out: list[Cause] = []
    list_type = s.get("x-kubernetes-list-type")
    keys = _list(s.get("x-kubernetes-list-map-keys"))
    item = _dict(s.get("items"))
    if list_type is not None and kind != "array":
        out.append(_invalid(f"{path}.type", kind, "must be array if x-kubernetes-list-type is specified") if kind
                   else _required(f"{path}.type", "must be array if x-kubernetes-list-type is specified"))
    elif list_type == "set" and item:
        if item.get("type") == "array" and item.get("x-kubernetes-list-type") not in (None, "atomic"):
            out.append(_invalid(f"{path}.items.x-kubernetes-list-type", item.get("x-kubernetes-list-type"),
                                "must be atomic as item of a list with x-kubernetes-list-type=set"))
        if item.get("type") == "object" and item.get("x-kubernetes-map-type") != "atomic":
            out.append(_invalid(f"{path}.items.x-kubernetes-map-type", list_type,
                                "must be atomic as item of a list with x-kubernetes-list-type=set"))
    if list_type is not None and list_type not in ("atomic", "set", "map"):
        out.append(_unsupported(f"{path}.x-kubernetes-list-type", list_type, ("atomic", "set", "map")))
    if keys:
        if list_type is None:
            out.append(_required(f"{path}.x-kubernetes-list-type", "must be map if x-kubernetes-list-map-keys is non-empty"))
        elif list_type != "map":
            out.append(_invalid(f"{path}.x-kubernetes-list-type", list_type, "must be map if x-kubernetes-list-map-keys is non-empty"))
    if list_type == "map":
        if not keys:
            out.append(_required(f"{path}.x-kubernetes-list-map-keys", "must not be empty if x-kubernetes-list-type is map"))
        if "items" not in s:
            out.append(_required(f"{path}.items", "must have a schema if x-kubernetes-list-type is map"))
        elif item and item.get("type") != "object":
            out.append(_invalid(f"{path}.items.type", item.get("type", ""), "must be object if parent array's x-kubernetes-list-type is map"))
        elif item:
            props = _dict(item.get("properties"))
            required = set(_list(item.get("required")))
            for i, k in enumerate(keys):
                if k not in props:
                    out.append(_invalid(f"{path}.x-kubernetes-list-map-keys", keys, "entries must all be names of item properties"))
                    continue
                if _dict(props[k]).get("type") in ("array", "object"):
                    out.append(_invalid(f"{path}.items.properties[{k}].type", item.get("type"),
                                        "must be a scalar type if parent array's x-kubernetes-list-type is map"))
                if k in keys[:i]:
                    out.append(_invalid(f"{path}.x-kubernetes-list-map-keys", keys, "must not contain duplicate entries"))
                if k not in required and "default" not in _dict(props[k]):
                    out.append(_required(f"{path}.items.properties[{k}].default",
                                         "this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property"))
    return out


def _rule_shapes(s: Obj, path: str) -> list[Cause]:
    out: list[Cause] = []
    for i, rule in enumerate(_list(s.get("x-kubernetes-validations"))):
        rule = _dict(rule)
        here = f"{path}.x-kubernetes-validations[{i}]"
        text = str(rule.get("rule") or "").strip()
        message = rule.get("message")
        if not text:
            out.append(_required(f"{here}.rule", "rule is not specified"))
        elif isinstance(message, str) and message and not message.strip():
            out.append(_invalid(f"{here}.message", message, "must be non-empty if specified"))
        elif isinstance(message, str) and re.search(r"[\n\r]", message.strip()):
            out.append(_invalid(f"{here}.message", message, "must not contain line breaks"))
        elif re.search(r"[\n\r]", text) and not str(message or "").strip():
            out.append(_required(f"{here}.message", "message must be specified if rule contains line breaks"))
        reason = rule.get("reason")
        if reason is not None and reason not in VALIDATION_REASONS:
            out.append(_unsupported(f"{here}.reason", reason, VALIDATION_REASONS))
    return out


def _rules(s: Obj, path: str) -> list[Cause]:
    """CEL rules that do not compile."""
    out: list[Cause] = []
    for i, rule in enumerate(_list(s.get("x-kubernetes-validations"))):
        rule = _dict(rule)
        for key in ("rule", "messageExpression"):
            text = rule.get(key)
            if not isinstance(text, str) or not text.strip():
                continue
            try:
                cel.compile(text)
            except (ValueError, RuntimeError) as e:
                detail = str(e).split(": ", 1)[1] if str(e).startswith("Failed to parse expression") else str(e)
                # the bad value is kube's internal ValidationRule, JSON-encoded with Go's field names
                shown = {"Rule": rule.get("rule", ""), "Message": rule.get("message", ""),
                         "MessageExpression": rule.get("messageExpression", ""), "Reason": rule.get("reason"),
                         "FieldPath": rule.get("fieldPath", ""), "OptionalOldSelf": rule.get("optionalOldSelf")}
                out.append(_invalid(f"{path}.x-kubernetes-validations[{i}].{key}", shown, f"compilation failed: {detail}"))
    for k, sub in _dict(s.get("properties")).items():
        if isinstance(sub, dict):
            out += _rules(sub, f"{path}.properties[{k}]")
    for key in ("items", "additionalProperties"):
        if isinstance(s.get(key), dict):
            out += _rules(s[key], f"{path}.{key}")
    return out


def _defaults(s: Obj, path: str, *, root: bool) -> list[Cause]:
    """Each default validates against its own schema and has no field it would lose to pruning."""
    out: list[Cause] = []
    if "default" in s and not root:
        value = s["default"]
        pruned = json.loads(json.dumps(value))
        _prune(pruned, s)
        if pruned != value:
            out.append(_invalid(f"{path}.default", value, "must not have unknown fields"))
        else:
            out += crvalidation.causes(value, s, f"{path}.default")
    for k, sub in _dict(s.get("properties")).items():
        if isinstance(sub, dict) and not (root and k == "metadata"):
            out += _defaults(sub, f"{path}.properties[{k}]", root=False)
    for key in ("items", "additionalProperties"):
        if isinstance(s.get(key), dict):
            out += _defaults(s[key], f"{path}.{key}", root=False)
    return out


def _prune(value: Any, s: Any) -> None:
    if not isinstance(s, dict) or s.get("x-kubernetes-preserve-unknown-fields"):
        return
    if isinstance(value, dict):
        props = _dict(s.get("properties"))
        extra = s.get("additionalProperties")
        for k in list(value):
            if s.get("x-kubernetes-embedded-resource") and k in ("apiVersion", "kind", "metadata"):
                continue
            if k in props:
                _prune(value[k], props[k])
            elif isinstance(extra, dict):
                _prune(value[k], extra)
            elif extra is not True:
                del value[k]
    elif isinstance(value, list):
        for v in value:
            _prune(v, s.get("items"))
