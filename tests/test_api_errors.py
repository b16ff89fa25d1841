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
    pytest.param("POST", CMS, json.dumps({**good(), "metadata": {"name": "x", "labels": {"k": 5}}}).encode(), JSON, 422, "Invalid", id="label-wrong-type"),
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
