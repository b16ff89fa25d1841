"""Patch formats, pure functions. Expected results follow RFC 6902, RFC 7386 and the
strategic merge patch rules of k8s.io/apimachinery/pkg/util/strategicpatch (test cases there
and in kubectl's docs: merge lists by patchMergeKey, union primitive merge lists, $patch
delete/replace, $retainKeys, $setElementOrder, $deleteFromPrimitiveList)."""

from __future__ import annotations

import pytest

from vapi import errors, patch, schemas

DEPLOYMENT = schemas.for_kind("apps", "v1", "Deployment")
POD = schemas.for_kind("", "v1", "Pod")


def pod(*containers: dict) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": list(containers)}}


@pytest.mark.parametrize(
    "doc,ops,want",
    [
        pytest.param({"a": 1}, [{"op": "add", "path": "/b", "value": 2}], {"a": 1, "b": 2}, id="add"),
        pytest.param({"a": [1, 2]}, [{"op": "add", "path": "/a/-", "value": 3}], {"a": [1, 2, 3]}, id="append"),
        pytest.param({"a": [1, 2]}, [{"op": "add", "path": "/a/0", "value": 0}], {"a": [0, 1, 2]}, id="insert"),
        pytest.param({"a": 1, "b": 2}, [{"op": "remove", "path": "/a"}], {"b": 2}, id="remove"),
        pytest.param({"a": {"b": 1}}, [{"op": "replace", "path": "/a/b", "value": 5}], {"a": {"b": 5}}, id="replace"),
        pytest.param({"a": 1}, [{"op": "move", "from": "/a", "path": "/b"}], {"b": 1}, id="move"),
        pytest.param({"a": [1]}, [{"op": "copy", "from": "/a", "path": "/b"}], {"a": [1], "b": [1]}, id="copy"),
        pytest.param({"a/b": 1, "m~n": 2}, [{"op": "remove", "path": "/a~1b"}, {"op": "remove", "path": "/m~0n"}], {}, id="escapes"),
        pytest.param({"a": 1}, [{"op": "test", "path": "/a", "value": 1}, {"op": "replace", "path": "/a", "value": 2}], {"a": 2}, id="test-passes"),
    ],
)
def test_json_patch(doc: dict, ops: list, want: dict) -> None:
    assert patch.json_patch(doc, ops) == want


@pytest.mark.parametrize(
    "ops,error",
    [
        pytest.param([{"op": "test", "path": "/a", "value": 2}], patch.PatchError, id="test-fails"),
        pytest.param([{"op": "remove", "path": "/nope"}], patch.PatchError, id="remove-missing"),
        pytest.param([{"op": "replace", "path": "/nope", "value": 1}], patch.PatchError, id="replace-missing"),
        pytest.param([{"op": "jump", "path": "/a"}], errors.APIError, id="unknown-op"),
        pytest.param({"op": "add"}, errors.APIError, id="not-a-list"),
        pytest.param([{"op": "add", "path": "a", "value": 1}], errors.APIError, id="bad-pointer"),
    ],
)
def test_json_patch_errors(ops: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        patch.json_patch({"a": 1}, ops)


def test_merge_patch_rfc7386() -> None:
    doc = {"a": "b", "c": {"d": "e", "f": "g"}, "l": [1, 2]}
    assert patch.merge_patch(doc, {"a": "z", "c": {"f": None}, "l": [3]}) == {"a": "z", "c": {"d": "e"}, "l": [3]}


def test_smp_merges_containers_by_name() -> None:
    doc = pod({"name": "a", "image": "a:1"}, {"name": "b", "image": "b:1"})
    out = patch.strategic_merge(doc, {"spec": {"containers": [{"name": "b", "image": "b:2"}, {"name": "c", "image": "c:1"}]}}, POD)
    assert out["spec"]["containers"] == [
        {"name": "a", "image": "a:1"}, {"name": "b", "image": "b:2"}, {"name": "c", "image": "c:1"}
    ]


def test_smp_nested_list_maps_env_and_ports() -> None:
    doc = pod({"name": "a", "env": [{"name": "X", "value": "1"}], "ports": [{"containerPort": 80, "name": "http"}]})
    out = patch.strategic_merge(doc, {"spec": {"containers": [{"name": "a",
        "env": [{"name": "Y", "value": "2"}], "ports": [{"containerPort": 80, "protocol": "TCP"}]}]}}, POD)
    c = out["spec"]["containers"][0]
    assert c["env"] == [{"name": "X", "value": "1"}, {"name": "Y", "value": "2"}]
    assert c["ports"] == [{"containerPort": 80, "name": "http", "protocol": "TCP"}]


def test_smp_delete_directive_and_null() -> None:
    doc = pod({"name": "a", "image": "a"}, {"name": "b", "image": "b", "args": ["x"]})
    out = patch.strategic_merge(doc, {"spec": {"containers": [{"name": "a", "$patch": "delete"}, {"name": "b", "args": None}]}}, POD)
    assert out["spec"]["containers"] == [{"name": "b", "image": "b"}]


def test_smp_replace_directive_on_list() -> None:
    doc = pod({"name": "a"}, {"name": "b"})
    out = patch.strategic_merge(doc, {"spec": {"containers": [{"name": "z"}, {"$patch": "replace"}]}}, POD)
    assert out["spec"]["containers"] == [{"name": "z"}]


def test_smp_non_merge_lists_are_replaced() -> None:
    doc = pod({"name": "a", "args": ["1", "2"], "command": ["sh"]})
    out = patch.strategic_merge(doc, {"spec": {"containers": [{"name": "a", "args": ["3"]}]}}, POD)
    assert out["spec"]["containers"][0]["args"] == ["3"]


def test_smp_primitive_merge_list_union_and_delete_from_primitive_list() -> None:
    doc = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "finalizers": ["a", "b"]}}
    out = patch.strategic_merge(doc, {"metadata": {"finalizers": ["c"], "$deleteFromPrimitiveList/finalizers": ["a"]}}, POD)
    assert out["metadata"]["finalizers"] == ["b", "c"]


def test_smp_set_element_order() -> None:
    doc = pod({"name": "a"}, {"name": "b"}, {"name": "c"})
    out = patch.strategic_merge(doc, {"spec": {"$setElementOrder/containers": [{"name": "c"}, {"name": "a"}, {"name": "b"}]}}, POD)
    assert [c["name"] for c in out["spec"]["containers"]] == ["c", "a", "b"]


def test_smp_retain_keys_on_deployment_strategy() -> None:
    doc = {"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}}
    out = patch.strategic_merge(doc, {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}}, DEPLOYMENT)
    assert out["spec"]["strategy"] == {"type": "Recreate"}


def test_smp_maps_merge_and_null_deletes() -> None:
    doc = {"metadata": {"labels": {"a": "1", "b": "2"}}}
    out = patch.strategic_merge(doc, {"metadata": {"labels": {"a": None, "c": "3"}}}, DEPLOYMENT)
    assert out["metadata"]["labels"] == {"b": "2", "c": "3"}
