"""OpenAPI v2 (JSON and gnostic protobuf) and v3 documents."""

from __future__ import annotations

import json

from tests.apiserver import VapiProcess
from vapi import openapi


def test_v2_json_carries_kubernetes_metadata(vapi: VapiProcess) -> None:
    code, headers, body = vapi.request("GET", "/clusters/root/openapi/v2", headers={"Accept": "application/json"})
    doc = json.loads(body)
    assert code == 200 and doc["swagger"] == "2.0" and headers.get("ETag")
    dep = doc["definitions"]["io.k8s.api.apps.v1.Deployment"]
    assert dep["x-kubernetes-group-version-kind"] == [{"group": "apps", "kind": "Deployment", "version": "v1"}]
    containers = doc["definitions"]["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"]
    assert containers["x-kubernetes-patch-merge-key"] == "name" and containers["type"] == "array"
    assert containers["items"]["$ref"] == "#/definitions/io.k8s.api.core.v1.Container"
    assert doc["definitions"]["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]["format"] == "int-or-string"


def test_v2_protobuf_is_served_to_kubectl(vapi: VapiProcess) -> None:
    accept = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"
    code, headers, body = vapi.request("GET", "/clusters/root/openapi/v2", headers={"Accept": accept})
    assert code == 200 and headers["Content-Type"] == openapi.PROTOBUF_V2
    assert body[:1] == b"\x0a" and b"2.0" in body[:8], "field 1 (swagger) comes first"
    assert b"io.k8s.api.apps.v1.Deployment" in body
    code, _, again = vapi.request("GET", "/clusters/root/openapi/v2", headers={"Accept": accept, "If-None-Match": headers["ETag"]})
    assert code == 304 and again == b""


def test_protobuf_encoding_of_a_schema() -> None:
    """Field numbers from gnostic's OpenAPIv2.proto: Schema.description = 4, Schema.type = 22
    (TypeItem.value = 1), Schema.vendor_extension = 31 (NamedAny: name = 1, value = 2;
    Any.yaml = 2)."""
    encoded = openapi.encode_schema({"type": "string", "description": "d", "x-kubernetes-list-type": "map"})
    assert encoded == (
        b"\x22\x01d"
        + b"\xb2\x01\x08\x0a\x06string"
        + b"\xfa\x01\x20\x0a\x16x-kubernetes-list-type\x12\x06\x12\x04map\n"
    )


def test_v3_root_and_documents(vapi: VapiProcess) -> None:
    code, _, body = vapi.request("GET", "/clusters/root/openapi/v3")
    paths = json.loads(body)["paths"]
    assert code == 200 and "api/v1" in paths and "apis/apps/v1" in paths
    url = paths["apis/apps/v1"]["serverRelativeURL"]
    assert url.startswith("/openapi/v3/apis/apps/v1?hash=")
    code, headers, body = vapi.request("GET", "/clusters/root" + url)
    doc = json.loads(body)
    assert code == 200 and doc["openapi"].startswith("3.")
    assert "io.k8s.api.apps.v1.Deployment" in doc["components"]["schemas"]
    assert headers.get("Cache-Control") == "public, immutable"
    code, headers, _ = vapi.request("GET", "/clusters/root/openapi/v3/apis/apps/v1?hash=stale")
    assert code == 200, "the redirect to the current hash is followed"
