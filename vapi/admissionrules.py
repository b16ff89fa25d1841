"""ValidatingWebhookConfigurations and MutatingWebhookConfigurations as kube-apiserver 1.35
validates them (pkg/apis/admissionregistration/validation validateValidatingWebhook,
validateMutatingWebhook, validateRuleWithOperations, validateAdmissionReviewVersions;
k8s.io/apiserver/pkg/util/webhook ValidateWebhookURL and ValidateWebhookService), in its order
and words, after the v1 defaults (failurePolicy, matchPolicy, selectors, timeout, rule scope,
service port, reinvocationPolicy: vapi/defaults.py).

On updates kube relaxes what the stored configuration already broke (side effects other than
None/NoneOnDryRun, no recognised AdmissionReviewVersion, webhook names twice), so that old
objects stay editable; vapi does the same. kube passes a service's name and namespace to
ValidateWebhookService in the opposite order to its parameters, so a missing name is reported
at service.namespace and a missing namespace at service.name: vapi reports them where kube
does. matchConditions' CEL expressions are not compiled.
"""

from __future__ import annotations

import urllib.parse
from typing import Any, Callable

from vapi import dnsnames, fielderrors, golang, labelrules, validation

Obj = dict[str, Any]
Cause = dict[str, str]

_d, _l, _s = fielderrors.mapping, fielderrors.sequence, fielderrors.string

FAILURE_POLICIES = ("Fail", "Ignore")
MATCH_POLICIES = ("Equivalent", "Exact")
SIDE_EFFECTS = ("None", "NoneOnDryRun", "Some", "Unknown")
NO_SIDE_EFFECTS = ("None", "NoneOnDryRun")
OPERATIONS = ("*", "CONNECT", "CREATE", "DELETE", "UPDATE")
REINVOCATION_POLICIES = ("IfNeeded", "Never")
SCOPES = ("*", "Cluster", "Namespaced")
REVIEW_VERSIONS = ("v1", "v1beta1")
URL_FORM = "; desired format: https://host[/path]"


def fully_qualified_name(name: str, path: str) -> list[Cause]:
    """IsFullyQualifiedName: a DNS subdomain of at least three segments."""
    if not name:
        return [fielderrors.required(path)]
    errors = dnsnames.dns_subdomain(name)
    if errors:
        return [fielderrors.invalid(path, name, ",".join(errors))]
    if len(name.split(".")) < 3:
        return [fielderrors.invalid(path, name, "should be a domain with at least three segments separated by dots")]
    return []


def _wildcard_with_others(values: list[Any], path: str, what: str) -> list[Cause]:
    if len(values) > 1 and "*" in values:
        return [fielderrors.invalid(path, values, f"if '*' is present, must not specify other {what}")]
    return []


def _resources(resources: list[Any], path: str) -> list[Cause]:
    """validateResources: subresources allowed, wildcards not overlapping."""
    out = [] if resources else [fielderrors.required(path)]
    with_any_sub: set[str] = set()
    of_any_resource: set[str] = set()
    double = single = plain = False
    for i, item in enumerate(resources):
        value = _s(item)
        if not value:
            out.append(fielderrors.required(f"{path}[{i}]"))
            continue
        double = double or value == "*/*"
        single = single or value == "*"
        if "/" not in value:
            plain = value != "*"
            continue
        res, sub = value.split("/", 1)
        if res in with_any_sub:
            out.append(fielderrors.invalid(f"{path}[{i}]", value, f"if '{res}/*' is present, must not specify {value}"))
        if sub in of_any_resource:
            out.append(fielderrors.invalid(f"{path}[{i}]", value, f"if '*/{sub}' is present, must not specify {value}"))
        if sub == "*":
            with_any_sub.add(res)
        if res == "*":
            of_any_resource.add(sub)
    if len(resources) > 1 and double:
        out.append(fielderrors.invalid(path, resources, "if '*/*' is present, must not specify other resources"))
    if single and plain:
        out.append(fielderrors.invalid(path, resources, "if '*' is present, must not specify other resources without subresources"))
    return out


def _rule(rule: Obj, path: str) -> list[Cause]:
    """validateRuleWithOperations, then validateRule."""
    operations, groups, versions = _l(rule.get("operations")), _l(rule.get("apiGroups")), _l(rule.get("apiVersions"))
    out = [] if operations else [fielderrors.required(f"{path}.operations")]
    out += _wildcard_with_others(operations, f"{path}.operations", "operations")
    out += [fielderrors.unsupported(f"{path}.operations[{i}]", op, OPERATIONS) for i, op in enumerate(operations)
            if op not in OPERATIONS]
    out += [] if groups else [fielderrors.required(f"{path}.apiGroups")]
    out += _wildcard_with_others(groups, f"{path}.apiGroups", "API groups")
    out += [] if versions else [fielderrors.required(f"{path}.apiVersions")]
    out += _wildcard_with_others(versions, f"{path}.apiVersions", "API versions")
    out += [fielderrors.required(f"{path}.apiVersions[{i}]") for i, v in enumerate(versions) if not _s(v)]
    out += _resources(_l(rule.get("resources")), f"{path}.resources")
    scope = rule.get("scope")
    if scope is not None and scope not in SCOPES:
        out.append(fielderrors.unsupported(f"{path}.scope", scope, SCOPES))
    return out


def _url(value: str, path: str) -> list[Cause]:
    """ValidateWebhookURL with https forced (Go's url.Parse: scheme lowercased, host with
    its port, user information before '@')."""
    try:
        parts = urllib.parse.urlsplit(value)
    except ValueError as e:
        return [fielderrors.required(path, f"url must be a valid URL: parse {golang.quote(value)}: {e}{URL_FORM}")]
    user, at, host = parts.netloc.rpartition("@")
    out = []
    if parts.scheme != "https":
        out.append(fielderrors.invalid(path, parts.scheme, "'https' is the only allowed URL scheme" + URL_FORM))
    if not host:
        out.append(fielderrors.invalid(path, host, "host must be specified" + URL_FORM))
    if at:
        out.append(fielderrors.invalid(path, user, "user information is not permitted in the URL"))
    if parts.fragment:
        out.append(fielderrors.invalid(path, parts.fragment, "fragments are not permitted in the URL"))
    if parts.query:
        out.append(fielderrors.invalid(path, parts.query, "query parameters are not permitted in the URL"))
    return out


def _service(service: Obj, path: str) -> list[Cause]:
    """ValidateWebhookService, given (name, namespace) for its (namespace, name) as kube gives it."""
    out = []
    if not _s(service.get("namespace")):
        out.append(fielderrors.required(f"{path}.name"))
    if not _s(service.get("name")):
        out.append(fielderrors.required(f"{path}.namespace"))
    port = fielderrors.integer(service.get("port"))
    if port is not None and not 1 <= port <= 65535:
        out.append(fielderrors.invalid(f"{path}.port", port, "port is not valid: must be between 1 and 65535, inclusive"))
    url_path = service.get("path")
    if not isinstance(url_path, str) or url_path in ("", "/"):
        return out
    if url_path == "//":
        return [*out, fielderrors.invalid(f"{path}.path", url_path, "segment[0] may not be empty")]
    if not url_path.startswith("/"):
        out.append(fielderrors.invalid(f"{path}.path", url_path, "must start with a '/'"))
    check = url_path[1:]
    if check.endswith("/"):
        check = check[:-1]
    for i, step in enumerate(check.split("/")):
        if not step:
            out.append(fielderrors.invalid(f"{path}.path", url_path, f"segment[{i}] may not be empty"))
            continue
        out += [fielderrors.invalid(f"{path}.path", url_path, f"segment[{i}]: {m}") for m in dnsnames.dns_subdomain(step)]
    return out


def _review_versions(versions: list[Any], path: str, *, recognised: bool) -> list[Cause]:
    if not versions:
        return [fielderrors.required(path, f"must specify one of {', '.join(REVIEW_VERSIONS)}")]
    out: list[Cause] = []
    seen: set[str] = set()
    for i, item in enumerate(versions):
        version = _s(item)
        if version in seen:
            out.append(fielderrors.invalid(f"{path}[{i}]", version, "duplicate version"))
            continue
        seen.add(version)
        out += [fielderrors.invalid(f"{path}[{i}]", version, m) for m in validation.name_errors("Service", version)]
    if recognised and not any(v in REVIEW_VERSIONS for v in versions):
        out.append(fielderrors.invalid(path, versions, f"must include at least one of {', '.join(REVIEW_VERSIONS)}"))
    return out


def _webhook(hook: Obj, path: str, *, mutating: bool, no_side_effects: bool) -> list[Cause]:
    out = fully_qualified_name(_s(hook.get("name")), f"{path}.name")
    for i, rule in enumerate(_l(hook.get("rules"))):
        out += _rule(_d(rule), f"{path}.rules[{i}]")
    for key, allowed in (("failurePolicy", FAILURE_POLICIES), ("matchPolicy", MATCH_POLICIES)):
        if hook.get(key) is not None and hook[key] not in allowed:
            out.append(fielderrors.unsupported(f"{path}.{key}", hook[key], allowed))
    side_effects = NO_SIDE_EFFECTS if no_side_effects else SIDE_EFFECTS
    effect = hook.get("sideEffects")
    if effect is None:
        out.append(fielderrors.required(f"{path}.sideEffects", f"must specify one of {', '.join(side_effects)}"))
    elif effect not in side_effects:
        out.append(fielderrors.unsupported(f"{path}.sideEffects", effect, side_effects))
    timeout = fielderrors.integer(hook.get("timeoutSeconds"))
    if timeout is not None and not 1 <= timeout <= 30:
        out.append(fielderrors.invalid(f"{path}.timeoutSeconds", timeout, "the timeout value must be between 1 and 30 seconds"))
    for key in ("namespaceSelector", "objectSelector"):
        if hook.get(key) is not None:
            out += labelrules.selector_causes(hook[key], f"{path}.{key}")
    policy = hook.get("reinvocationPolicy")
    if mutating and policy is not None and policy not in REINVOCATION_POLICIES:
        out.append(fielderrors.unsupported(f"{path}.reinvocationPolicy", policy, REINVOCATION_POLICIES))
    client = _d(hook.get("clientConfig"))
    url, service = client.get("url"), client.get("service")
    if (url is None) == (service is None):
        out.append(fielderrors.required(f"{path}.clientConfig", "exactly one of url or service is required"))
    elif url is not None:
        out += _url(_s(url), f"{path}.clientConfig.url")
    else:
        out += _service(_d(service), f"{path}.clientConfig.service")
    return out


def _configuration(obj: Obj, old: Obj | None, *, mutating: bool) -> list[Cause]:
    hooks = [_d(h) for h in _l(obj.get("webhooks"))]
    before = [_d(h) for h in _l((old or {}).get("webhooks"))]
    # what an update keeps requiring is what the stored configuration met
    no_side_effects = old is None or all(h.get("sideEffects") in NO_SIDE_EFFECTS for h in before)
    recognised = old is None or all(not _l(h.get("admissionReviewVersions")) or
                                    any(v in REVIEW_VERSIONS for v in _l(h.get("admissionReviewVersions"))) for h in before)
    unique = old is None or len({_s(h.get("name")) for h in before}) == len(before)
    out: list[Cause] = []
    names: set[str] = set()
    for i, hook in enumerate(hooks):
        path = f"webhooks[{i}]"
        out += _webhook(hook, path, mutating=mutating, no_side_effects=no_side_effects)
        out += _review_versions(_l(hook.get("admissionReviewVersions")), f"{path}.admissionReviewVersions",
                                recognised=recognised)
        name = _s(hook.get("name"))
        if unique and name:
            if name in names:
                out.append(fielderrors.duplicate(f"{path}.name", name))
            names.add(name)
    return out


def validating_webhook_configuration(obj: Obj, old: Obj | None = None) -> list[Cause]:
    return _configuration(obj, old, mutating=False)


def mutating_webhook_configuration(obj: Obj, old: Obj | None = None) -> list[Cause]:
    return _configuration(obj, old, mutating=True)


GROUP = "admissionregistration.k8s.io"
RULES: dict[tuple[str, str], Callable[[Obj, Obj | None], list[Cause]]] = {
    (GROUP, "ValidatingWebhookConfiguration"): validating_webhook_configuration,
    (GROUP, "MutatingWebhookConfiguration"): mutating_webhook_configuration}
