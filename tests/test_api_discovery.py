"""Discovery matches a real kube-apiserver's for every built-in kind (reference documents in
tests/data/reference/kube, copied from the kubernetes repository; see SOURCE.md there)."""

from __future__ import annotations

import json
import os

import pytest

from tests.apiserver import VapiProcess

REF = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "reference", "kube")
AGG = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"


def ref(name: str) -> dict:
    with open(os.path.join(REF, name)) as f:
        return json.load(f)


def essentials(r: dict) -> dict:
    return {k: r.get(k) for k in ("kind", "namespaced", "verbs", "shortNames", "categories", "singularName", "group", "version")}


def test_legacy_core_resources_match(vapi: VapiProcess) -> None:
    code, _, body = vapi.request("GET", "/clusters/root/api/v1")
    assert code == 200
    ours = {r["name"]: essentials(r) for r in json.loads(body)["resources"]}
    theirs = {r["name"]: essentials(r) for r in ref("api__v1.json")["resources"]}
    assert ours == theirs


def agg_essentials(item: dict) -> dict:
    out = {}
    for v in item["versions"]:
        for r in v.get("resources", []):
            subs = sorted(
                (s["subresource"], s["responseKind"]["kind"], tuple(s["verbs"])) for s in r.get("subresources") or []
            )
            out[(v["version"], r["resource"])] = (
                r["responseKind"]["kind"], r["scope"], tuple(r["verbs"]), tuple(r.get("shortNames") or ()),
                tuple(r.get("categories") or ()), r.get("singularResource"), tuple(subs),
            )
    return out


def test_aggregated_groups_match(vapi: VapiProcess) -> None:
    code, headers, body = vapi.request("GET", "/clusters/root/apis", headers={"Accept": AGG})
    assert code == 200
    assert headers["Content-Type"] == AGG
    ours = {i["metadata"]["name"]: i for i in json.loads(body)["items"] if not i["metadata"]["name"].endswith(".vapi.dev")}
    theirs = {i["metadata"]["name"]: i for i in ref("aggregated_v2.json")["items"]}
    assert list(ours) == list(theirs), "same groups in the same order (vapi's own groups follow)"
    for name, item in theirs.items():
        assert [v["version"] for v in ours[name]["versions"]] == [v["version"] for v in item["versions"]], name
        assert agg_essentials(ours[name]) == agg_essentials(item), name


def test_aggregated_etag_and_304(vapi: VapiProcess) -> None:
    code, headers, _ = vapi.request("GET", "/clusters/root/api", headers={"Accept": AGG})
    assert code == 200 and headers.get("ETag")
    code, _, body = vapi.request("GET", "/clusters/root/api", headers={"Accept": AGG, "If-None-Match": headers["ETag"]})
    assert code == 304 and body == b""


def test_legacy_group_list_matches(vapi: VapiProcess) -> None:
    code, _, body = vapi.request("GET", "/clusters/root/apis")
    ours = [(g["name"], [v["version"] for v in g["versions"]], g["preferredVersion"]["version"])
            for g in json.loads(body)["groups"] if not g["name"].endswith(".vapi.dev")]
    agg = ref("aggregated_v2.json")["items"]
    theirs = [(i["metadata"]["name"], [v["version"] for v in i["versions"]], i["versions"][0]["version"]) for i in agg]
    assert code == 200 and ours == theirs


@pytest.mark.parametrize("group", ["apps", "batch", "rbac.authorization.k8s.io"])
def test_group_and_version_documents(vapi: VapiProcess, group: str) -> None:
    code, _, body = vapi.request("GET", f"/clusters/root/apis/{group}")
    doc = json.loads(body)
    assert code == 200 and doc["kind"] == "APIGroup" and doc["name"] == group
    code, _, body = vapi.request("GET", f"/clusters/root/apis/{group}/v1")
    assert code == 200 and json.loads(body)["groupVersion"] == f"{group}/v1"


def test_kubectl_api_resources_lists_the_reference(vapi: VapiProcess) -> None:
    out = [r for r in vapi.kubectl("api-resources", "-o", "name").stdout.split() if not r.endswith(".vapi.dev")]
    expected = {r["name"] for r in ref("api__v1.json")["resources"] if "/" not in r["name"]}
    for item in ref("aggregated_v2.json")["items"]:
        for version in item["versions"]:  # kubectl lists a group's resources of every version
            for r in version.get("resources", []):
                expected.add(f"{r['resource']}.{item['metadata']['name']}")
    assert set(out) == expected
