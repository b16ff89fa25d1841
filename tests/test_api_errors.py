"""Bad input of every kind gets a Status with the code and reason kube-apiserver uses, and
stores nothing."""

from __future__ import annotations

import json

import pytest

from tests.apiserver import VapiProcess

CMS = "/clusters/root/api/v1/namespaces/{ns}/configmaps"
JSON = {"Content-Type": "application/json"}


def good(name: str = "ok") -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"a": "b"}}


CASES = [
    pytest.param("POST", CMS, b"{not json", JSON, 400, "BadRequest", id="malformed-json"),
    pytest.param("POST", CMS, b"a: [unclosed", {"Content-Type": "application/yaml"}, 400, "BadRequest", id="malformed-yaml"),
    pytest.param("POST", CMS, b"[1, 2]", JSON, 400, "BadRequest", id="not-an-object"),
    pytest.param("POST", CMS, json.dumps({**good(), "kind": "Secret"}).encode(), JSON, 400, "BadRequest", id="wrong-kind"),
    pytest.param("POST", CMS, json.dumps({**good(), "apiVersion": "apps/v1"}).encode(), JSON, 400, "BadRequest", id="wrong-api-version"),
    pytest.param("POST", CMS, json.dumps(good("Bad_Name")).encode(), JSON, 422, "Invalid", id="invalid-name"),
    pytest.param("POST", CMS, json.dumps({**good(), "metadata": {"generateName": ""}}).encode(), JSON, 422, "Invalid", id="no-name"),
    pytest.param("POST", CMS, json.dumps({**good(), "metadata": {"name": "x", "labels": {"bad key!": "v"}}}).encode(), JSON, 422, "Invalid", id="invalid-label-key"),
    pytest.param("POST", CMS, json.dumps({**good(), "metadata": {"name": "x", "labels": {"k": 5}}}).encode(), JSON, 400, "BadRequest", id="label-wrong-type"),
    pytest.param("POST", CMS, json.dumps({**good(), "metadata": "x"}).encode(), JSON, 400, "BadRequest", id="metadata-wrong-type"),
    pytest.param("POST", CMS, json.dumps({**good(), "metadata": {"name": "x", "namespace": "other"}}).encode(), JSON, 400, "BadRequest", id="namespace-mismatch"),
    pytest.param("POST", CMS, json.dumps(good()).encode(), {"Content-Type": "text/plain"}, 415, "UnsupportedMediaType", id="unknown-media-type"),
    pytest.param("POST", CMS, b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big"},"data":{"a":"' + b"x" * (4 << 20) + b'"}}', JSON, 413, "RequestEntityTooLarge", id="oversized-body"),
    pytest.param("GET", CMS + "?labelSelector=a%20in%20(", None, {}, 400, "BadRequest", id="bad-label-selector"),
    pytest.param("GET", CMS + "?labelSelector=-bad-=x", None, {}, 400, "BadRequest", id="bad-label-key"),
    pytest.param("GET", CMS + "?fieldSelector=spec.nothing=x", None, {}, 400, "BadRequest", id="unsupported-field-selector"),
    pytest.param("GET", CMS + "?limit=abc", None, {}, 400, "BadRequest", id="bad-limit"),
    pytest.param("GET", CMS + "?resourceVersion=abc", None, {}, 400, "BadRequest", id="bad-resource-version"),
    pytest.param("GET", CMS + "?continue=garbage!!", None, {}, 400, "BadRequest", id="bad-continue"),
    pytest.param("GET", CMS + "?resourceVersionMatch=Sometimes&resourceVersion=1", None, {}, 400, "BadRequest", id="bad-rv-match"),
    pytest.param("POST", CMS + "?dryRun=Some", json.dumps(good()).encode(), JSON, 400, "BadRequest", id="bad-dry-run"),
    pytest.param("POST", CMS + "?fieldValidation=Loose", json.dumps(good()).encode(), JSON, 400, "BadRequest", id="bad-field-validation"),
    pytest.param("POST", "/clusters/root/api/v1/namespaces/missing-ns/configmaps", json.dumps(good()).encode(), JSON, 404, "NotFound", id="missing-namespace"),
    pytest.param("PUT", CMS + "/nothere", json.dumps(good("nothere")).encode(), JSON, 404, "NotFound", id="update-missing"),
    pytest.param("PUT", CMS + "/other", json.dumps(good("ok")).encode(), JSON, 400, "BadRequest", id="update-name-mismatch"),
    pytest.param("POST", "/clusters/root/api/v1/componentstatuses", json.dumps({"apiVersion": "v1", "kind": "ComponentStatus", "metadata": {"name": "x"}}).encode(), JSON, 405, "MethodNotAllowed", id="verb-not-supported"),
    pytest.param("DELETE", CMS + "/nothere", None, {}, 404, "NotFound", id="delete-missing"),
]


@pytest.mark.parametrize("method,path,body,headers,code,reason", CASES)
def test_bad_input_gets_status_and_stores_nothing(
    vapi: VapiProcess, namespace: str, method: str, path: str, body: bytes | None,
    headers: dict[str, str], code: int, reason: str,
) -> None:
    got, resp_headers, out = vapi.request(method, path.format(ns=namespace), body, headers=headers)
    status = json.loads(out)
    assert (got, status["kind"], status["reason"], status["code"]) == (code, "Status", reason, code), status
    assert status["status"] == "Failure" and status["message"]
    _, _, listed = vapi.request("GET", CMS.format(ns=namespace))
    assert json.loads(listed)["items"] == [], "nothing was stored"


def test_invalid_names_list_their_causes(vapi: VapiProcess, namespace: str) -> None:
    _, _, out = vapi.request("POST", CMS.format(ns=namespace), json.dumps(good("UPPER")).encode(), headers=JSON)
    status = json.loads(out)
    assert status["details"]["causes"][0]["field"] == "metadata.name"
    assert status["details"]["name"] == "UPPER" and status["details"]["kind"] == "ConfigMap"


DEPLOY = "/clusters/root/apis/apps/v1/namespaces/{ns}/deployments"


def deployment(extra_spec: dict) -> bytes:
    return json.dumps({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
        "spec": {"selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}},
                 "spec": {"containers": [{"name": "c", "image": "i", "bogus": 1}]}}, **extra_spec},
    }).encode()


def test_unknown_fields_under_strict_are_refused(vapi: VapiProcess, namespace: str) -> None:
    code, _, out = vapi.request("POST", DEPLOY.format(ns=namespace) + "?fieldValidation=Strict",
                                deployment({"foo": "bar"}), headers=JSON)
    status = json.loads(out)
    assert (code, status["reason"]) == (400, "BadRequest")
    assert 'unknown field "spec.foo"' in status["message"]
    assert 'unknown field "spec.template.spec.containers[0].bogus"' in status["message"]
    assert json.loads(vapi.request("GET", DEPLOY.format(ns=namespace))[2])["items"] == []


@pytest.mark.parametrize("mode,warned", [pytest.param("", True, id="default-warn"), pytest.param("Ignore", False, id="ignore")])
def test_unknown_fields_are_dropped_with_or_without_warning(vapi: VapiProcess, namespace: str, mode: str, warned: bool) -> None:
    query = f"?fieldValidation={mode}" if mode else ""
    code, headers, out = vapi.request("POST", DEPLOY.format(ns=namespace) + query, deployment({"foo": "bar"}), headers=JSON)
    assert code == 201
    stored = json.loads(out)
    assert "foo" not in stored["spec"] and "bogus" not in stored["spec"]["template"]["spec"]["containers"][0]
    warnings = headers.get_all("Warning") or []
    assert ('299 - "unknown field \\"spec.foo\\""' in warnings) == warned, warnings
    assert len(warnings) == (2 if warned else 0)


@pytest.mark.parametrize(
    "spec,field",
    [
        pytest.param({"replicas": "three"}, "spec.replicas", id="string-for-int"),
        pytest.param({"replicas": True}, "spec.replicas", id="bool-for-int"),
        pytest.param({"paused": "yes"}, "spec.paused", id="string-for-bool"),
        pytest.param({"selector": ["a"]}, "spec.selector", id="list-for-object"),
        pytest.param({"strategy": {"rollingUpdate": {"maxSurge": {"a": 1}}}}, "spec.strategy.rollingUpdate.maxSurge", id="object-for-int-or-string"),
    ],
)
def test_wrong_field_types_are_400(vapi: VapiProcess, namespace: str, spec: dict, field: str) -> None:
    code, _, out = vapi.request("POST", DEPLOY.format(ns=namespace), deployment(spec), headers=JSON)
    status = json.loads(out)
    assert (code, status["reason"]) == (400, "BadRequest"), status
    assert f"Go struct field Deployment.{field} of type" in status["message"]
    assert json.loads(vapi.request("GET", DEPLOY.format(ns=namespace))[2])["items"] == []


def test_int_or_string_and_quantities_accept_both(vapi: VapiProcess, namespace: str) -> None:
    body = json.loads(deployment({"strategy": {"rollingUpdate": {"maxSurge": 1, "maxUnavailable": "25%"}}}))
    body["spec"]["template"]["spec"]["containers"][0].pop("bogus")
    body["spec"]["template"]["spec"]["containers"][0]["resources"] = {"limits": {"cpu": 1, "memory": "1Gi"}}
    code, _, out = vapi.request("POST", DEPLOY.format(ns=namespace), json.dumps(body).encode(), headers=JSON)
    assert code == 201, out
