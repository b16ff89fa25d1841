"""Protobuf request bodies: kubectl's typed commands, and the decoder on hand-built bytes."""

from __future__ import annotations

import base64
import json

import pytest

from tests.apiserver import VapiProcess
from vapi import errors, kubeproto


def varint(n: int) -> bytes:
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def ld(field: int, data: bytes) -> bytes:
    return varint(field << 3 | 2) + varint(len(data)) + data


def vi(field: int, n: int) -> bytes:
    return varint(field << 3) + varint(n)


def envelope(api_version: str, kind: str, raw: bytes) -> bytes:
    return kubeproto.MAGIC + ld(1, ld(1, api_version.encode()) + ld(2, kind.encode())) + ld(2, raw)


def test_decoder_on_a_hand_built_deployment() -> None:
    meta = ld(1, b"web") + ld(2, b"") + vi(7, 0) + ld(8, b"")  # name, empty generateName, generation 0, zero time
    meta += ld(11, ld(1, b"app") + ld(2, b"web"))  # labels
    container = ld(1, b"c") + ld(2, b"nginx") + ld(6, ld(1, b"") + vi(3, 8080))  # ports[0].containerPort
    template = ld(2, ld(2, container))  # PodTemplateSpec.spec.containers
    strategy = ld(1, b"RollingUpdate") + ld(2, ld(1, vi(1, 1) + ld(3, b"25%")))  # maxUnavailable: "25%"
    spec = vi(1, 0) + ld(3, template) + ld(4, strategy)  # replicas 0 (a pointer: kept)
    obj = kubeproto.decode(envelope("apps/v1", "Deployment", ld(1, meta) + ld(2, spec)))
    assert obj["apiVersion"] == "apps/v1" and obj["kind"] == "Deployment"
    assert obj["metadata"] == {"name": "web", "labels": {"app": "web"}}, "omitempty zero values and zero times dropped"
    assert obj["spec"]["replicas"] == 0
    assert obj["spec"]["template"]["spec"]["containers"] == [{"name": "c", "image": "nginx", "ports": [{"containerPort": 8080}]}]
    assert obj["spec"]["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%"}}


def test_decoder_bytes_maps_and_negative_ints() -> None:
    data = ld(2, ld(1, b"pw") + ld(2, b"\x00\xffsecret"))
    obj = kubeproto.decode(envelope("v1", "Secret", ld(1, ld(1, b"s")) + data))
    assert obj["data"] == {"pw": base64.b64encode(b"\x00\xffsecret").decode()}
    count = vi(8, (-5) & ((1 << 64) - 1))  # Event.count (int32), negative: ten-byte varint
    ev = kubeproto.decode(envelope("v1", "Event", ld(1, ld(1, b"e")) + count))
    assert ev["count"] == -5
    with pytest.raises(errors.APIError) as e:  # Event.reason is a string: a varint there is malformed
        kubeproto.decode(envelope("v1", "Event", vi(3, 1)))
    assert e.value.code == 400


@pytest.mark.parametrize(
    "body,code",
    [
        pytest.param(b"not protobuf", 400, id="no-magic"),
        pytest.param(kubeproto.MAGIC + b"\x0a\xff", 400, id="truncated"),
        pytest.param(envelope("apiextensions.k8s.io/v1", "CustomResourceDefinition", b""), 415, id="unknown-type"),
        # a varint where a message belongs was taken as the length of a buffer to allocate and
        # scan (a server hung on a 20-byte body)
        pytest.param(kubeproto.MAGIC + vi(1, 2**40), 400, id="type-meta-as-varint"),
        pytest.param(envelope("v1", "ConfigMap", vi(1, 2**40)), 400, id="object-meta-as-varint"),
        pytest.param(envelope("v1", "Pod", ld(1, ld(8, vi(1, 2**40)))), 400, id="time-as-varint"),
        # an integer, a time's seconds, a quantity given as bytes were a 500
        pytest.param(envelope("v1", "Event", ld(8, b"x")), 400, id="int-as-bytes"),
        pytest.param(envelope("v1", "Pod", ld(1, ld(8, ld(1, b"x")))), 400, id="seconds-as-bytes"),
        pytest.param(envelope("v1", "ResourceQuota", ld(2, ld(1, ld(1, b"cpu") + ld(2, vi(1, 5))))), 400, id="quantity-as-varint"),
        pytest.param(kubeproto.MAGIC + ld(1, ld(1, b"v1") + ld(2, b"ConfigMap")) + ld(2, b"[1]") + ld(4, b"application/json"), 400,
                     id="json-raw-not-an-object"),
    ],
)
def test_decoder_refuses_bad_bodies(body: bytes, code: int) -> None:
    with pytest.raises(errors.APIError) as e:
        kubeproto.decode(body)
    assert e.value.code == code


def test_a_map_entry_without_a_key_has_the_empty_key() -> None:
    obj = kubeproto.decode(envelope("v1", "ConfigMap", ld(1, ld(1, b"m")) + ld(2, ld(2, b"v"))))
    assert obj["data"] == {"": "v"}


def test_go_duration() -> None:
    assert [kubeproto.go_duration(n) for n in (0, 1_500_000_000, 90 * 10**9, 3_600 * 10**9, 2_000_000)] == [
        "0s", "1.5s", "1m30s", "1h0m0s", "2ms"]


def test_kubectl_typed_create_commands(vapi: VapiProcess, namespace: str) -> None:
    ns = ["-n", namespace]
    assert vapi.kubectl(*ns, "create", "configmap", "cfg", "--from-literal=a=b").stdout.strip() == "configmap/cfg created"
    assert json.loads(vapi.kubectl(*ns, "get", "cm", "cfg", "-o", "json").stdout)["data"] == {"a": "b"}
    vapi.kubectl(*ns, "create", "secret", "generic", "pw", "--from-literal=password=hunter2")
    got = vapi.kubectl(*ns, "get", "secret", "pw", "-o", "jsonpath={.data.password}").stdout
    assert base64.b64decode(got) == b"hunter2"
    vapi.kubectl(*ns, "create", "deployment", "web", "--image=nginx:1", "--replicas=0")
    dep = json.loads(vapi.kubectl(*ns, "get", "deploy", "web", "-o", "json").stdout)
    assert dep["spec"]["replicas"] == 0, "an explicit zero survives (a pointer field)"
    assert dep["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1"
    assert "stdin" not in dep["spec"]["template"]["spec"]["containers"][0], "omitempty zero values are dropped"
    assert vapi.kubectl("create", "namespace", f"{namespace}-x").stdout.strip() == f"namespace/{namespace}-x created"


def test_kubectl_auth_can_i_and_whoami(vapi: VapiProcess) -> None:
    assert vapi.kubectl("auth", "can-i", "create", "deployments").stdout.strip() == "yes"
    out = json.loads(vapi.kubectl("auth", "whoami", "-o", "json").stdout)
    assert out["status"]["userInfo"]["username"] == "admin"


@pytest.mark.parametrize(
    "args,check",
    [
        pytest.param(["run", "nginx", "--image=nginx", "--port=80"], ("pod", "nginx", "{.spec.containers[0].ports[0].containerPort}", "80"), id="run"),
        pytest.param(["create", "quota", "q", "--hard=pods=2,requests.cpu=500m"], ("resourcequota", "q", "{.spec.hard.requests\\.cpu}", "500m"), id="quota"),
        pytest.param(["create", "job", "j", "--image=busybox", "--", "echo", "hi"], ("job", "j", "{.spec.template.spec.containers[0].command}", '["echo","hi"]'), id="job"),
        pytest.param(["create", "cronjob", "c", "--image=busybox", "--schedule=*/5 * * * *"], ("cronjob", "c", "{.spec.schedule}", "*/5 * * * *"), id="cronjob"),
        pytest.param(["create", "role", "r", "--verb=get", "--resource=pods"], ("role", "r", "{.rules[0].verbs}", '["get"]'), id="role"),
        pytest.param(["create", "service", "clusterip", "s", "--tcp=5678:8080"], ("service", "s", "{.spec.ports[0].targetPort}", "8080"), id="service-int-or-string"),
        pytest.param(["create", "pdb", "p", "--selector=app=n", "--min-available=50%"], ("pdb", "p", "{.spec.minAvailable}", "50%"), id="pdb"),
    ],
)
def test_more_typed_commands(vapi: VapiProcess, namespace: str, args: list[str], check: tuple[str, str, str, str]) -> None:
    vapi.kubectl("-n", namespace, *args)
    kind, name, path, want = check
    assert vapi.kubectl("-n", namespace, "get", kind, name, "-o", f"jsonpath={path}").stdout == want
