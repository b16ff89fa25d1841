"""Objects through the `kubernetes` Python client (typed and dynamic) and raw HTTP."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator

import pytest
from kubernetes import client, config, dynamic, watch
from kubernetes.client.rest import ApiException

from tests.apiserver import VapiProcess


@pytest.fixture(scope="module")
def api(vapi: VapiProcess) -> Iterator[client.ApiClient]:
    c = config.new_client_from_config(config_file=vapi.kubeconfig)
    yield c
    c.close()


def cm(name: str, labels: dict[str, str] | None = None, **data: str) -> client.V1ConfigMap:
    return client.V1ConfigMap(metadata=client.V1ObjectMeta(name=name, labels=labels), data=data or None)


def test_configmap_crud(api: client.ApiClient, namespace: str) -> None:
    v1 = client.CoreV1Api(api)
    created = v1.create_namespaced_config_map(namespace, cm("a", {"app": "x"}, k="1"))
    assert created.metadata.uid and created.metadata.creation_timestamp
    assert created.metadata.namespace == namespace and created.metadata.resource_version
    got = v1.read_namespaced_config_map("a", namespace)
    assert got.data == {"k": "1"} and got.metadata.uid == created.metadata.uid

    got.data = {"k": "2"}
    updated = v1.replace_namespaced_config_map("a", namespace, got)
    assert int(updated.metadata.resource_version) > int(created.metadata.resource_version)
    assert updated.metadata.uid == created.metadata.uid
    assert updated.metadata.creation_timestamp == created.metadata.creation_timestamp

    got.data = {"k": "stale"}  # still carries the old resourceVersion
    with pytest.raises(ApiException) as e:
        v1.replace_namespaced_config_map("a", namespace, got)
    assert e.value.status == 409 and json.loads(e.value.body)["reason"] == "Conflict"

    with pytest.raises(ApiException) as e:
        v1.create_namespaced_config_map(namespace, cm("a"))
    assert e.value.status == 409 and json.loads(e.value.body)["reason"] == "AlreadyExists"

    v1.delete_namespaced_config_map("a", namespace)
    with pytest.raises(ApiException) as e:
        v1.read_namespaced_config_map("a", namespace)
    status = json.loads(e.value.body)
    assert e.value.status == 404 and status["reason"] == "NotFound"
    assert status["message"] == 'configmaps "a" not found'


def test_no_op_update_keeps_resource_version(api: client.ApiClient, namespace: str) -> None:
    v1 = client.CoreV1Api(api)
    created = v1.create_namespaced_config_map(namespace, cm("same", k="1"))
    again = v1.replace_namespaced_config_map("same", namespace, created)
    assert again.metadata.resource_version == created.metadata.resource_version


def test_generate_name_and_dry_run(api: client.ApiClient, namespace: str) -> None:
    v1 = client.CoreV1Api(api)
    made = v1.create_namespaced_config_map(
        namespace, client.V1ConfigMap(metadata=client.V1ObjectMeta(generate_name="gen-"))
    )
    assert made.metadata.name.startswith("gen-") and len(made.metadata.name) == 9
    dry = v1.create_namespaced_config_map(namespace, cm("dry"), dry_run="All")
    assert dry.metadata.name == "dry" and not dry.metadata.resource_version
    with pytest.raises(ApiException):
        v1.read_namespaced_config_map("dry", namespace)


def test_list_selectors_and_pagination(api: client.ApiClient, namespace: str) -> None:
    v1 = client.CoreV1Api(api)
    for i in range(7):
        v1.create_namespaced_config_map(namespace, cm(f"c{i}", {"tier": "a" if i % 2 else "b", "n": str(i)}))
    names = lambda items: [c.metadata.name for c in items]  # noqa: E731
    assert names(v1.list_namespaced_config_map(namespace, label_selector="tier=a").items) == ["c1", "c3", "c5"]
    assert names(v1.list_namespaced_config_map(namespace, label_selector="tier in (a),n notin (1,3)").items) == ["c5"]
    assert names(v1.list_namespaced_config_map(namespace, label_selector="!tier").items) == []
    assert names(v1.list_namespaced_config_map(namespace, field_selector="metadata.name=c4").items) == ["c4"]
    assert names(v1.list_namespaced_config_map(namespace, field_selector="metadata.name!=c4").items) == [
        "c0", "c1", "c2", "c3", "c5", "c6"
    ]
    seen, token = [], None
    first_rv = None
    remaining = []
    while True:
        page = v1.list_namespaced_config_map(namespace, limit=3, _continue=token)
        first_rv = first_rv or page.metadata.resource_version
        assert page.metadata.resource_version == first_rv
        seen += names(page.items)
        token = page.metadata._continue
        remaining.append(page.metadata.remaining_item_count)
        if not token:
            break
        v1.create_namespaced_config_map(namespace, cm(f"late{len(seen)}"))  # not in this snapshot
    assert seen == [f"c{i}" for i in range(7)]
    # counted in the list's snapshot (objects created meanwhile are not), none on the last page
    assert remaining == [4, 1, None]
    # with a selector the count could not be exact: kube-apiserver leaves it out
    page = v1.list_namespaced_config_map(namespace, limit=1, label_selector="tier=a")
    assert page.metadata._continue and page.metadata.remaining_item_count is None
    assert len(v1.list_namespaced_config_map(namespace, limit=-1).items) == 9  # no limit, as in kube
    every = v1.list_config_map_for_all_namespaces(label_selector="tier=b")
    assert sorted(names(every.items)) == ["c0", "c2", "c4", "c6"]


def test_deployment_status_split_and_generation(api: client.ApiClient, namespace: str) -> None:
    apps = client.AppsV1Api(api)
    dep = client.V1Deployment(
        metadata=client.V1ObjectMeta(name="web"),
        spec=client.V1DeploymentSpec(
            replicas=2,
            selector=client.V1LabelSelector(match_labels={"app": "web"}),
            template=client.V1PodTemplateSpec(
                metadata=client.V1ObjectMeta(labels={"app": "web"}),
                spec=client.V1PodSpec(containers=[client.V1Container(name="c", image="nginx")]),
            ),
        ),
        status=client.V1DeploymentStatus(replicas=99),
    )
    made = apps.create_namespaced_deployment(namespace, dep)
    assert made.metadata.generation == 1
    assert made.status is None or not made.status.replicas, "status is dropped on create"
    made.status = client.V1DeploymentStatus(replicas=2, ready_replicas=2, observed_generation=1)
    after = apps.replace_namespaced_deployment_status("web", namespace, made)
    assert after.status.ready_replicas == 2 and after.metadata.generation == 1
    after.spec.replicas = 3
    after.status = client.V1DeploymentStatus(replicas=0)
    bumped = apps.replace_namespaced_deployment("web", namespace, after)
    assert bumped.metadata.generation == 2, "a spec change bumps generation"
    assert bumped.status.ready_replicas == 2, "the main resource does not write status"
    bumped.metadata.labels = {"x": "y"}
    relabeled = apps.replace_namespaced_deployment("web", namespace, bumped)
    assert relabeled.metadata.generation == 2, "metadata changes do not bump generation"


def test_dynamic_client(api: client.ApiClient, namespace: str) -> None:
    dyn = dynamic.DynamicClient(api)
    roles = dyn.resources.get(api_version="rbac.authorization.k8s.io/v1", kind="Role")
    roles.create(namespace=namespace, body={
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
        "metadata": {"name": "system:reader"}, "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}],
    })
    got = roles.get(namespace=namespace, name="system:reader")
    assert got.rules[0].verbs == ["get"]
    crbs = dyn.resources.get(api_version="rbac.authorization.k8s.io/v1", kind="ClusterRoleBinding")
    name = f"{namespace}-admin"
    crbs.create(body={
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": name},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
        "subjects": [{"kind": "User", "name": "mallory", "apiGroup": "rbac.authorization.k8s.io"}],
    })
    assert crbs.get(name=name).metadata.name == name
    crbs.delete(name=name)


def test_finalizers_hold_deletion(api: client.ApiClient, namespace: str) -> None:
    v1 = client.CoreV1Api(api)
    body = cm("held")
    body.metadata.finalizers = ["example.com/hold"]
    v1.create_namespaced_config_map(namespace, body)
    v1.delete_namespaced_config_map("held", namespace)
    marked = v1.read_namespaced_config_map("held", namespace)
    assert marked.metadata.deletion_timestamp is not None
    marked.metadata.finalizers = []
    v1.replace_namespaced_config_map("held", namespace, marked)
    with pytest.raises(ApiException) as e:
        v1.read_namespaced_config_map("held", namespace)
    assert e.value.status == 404


def test_namespace_deletion_removes_its_contents(api: client.ApiClient, vapi: VapiProcess) -> None:
    import time

    v1 = client.CoreV1Api(api)
    v1.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name="doomed")))
    v1.create_namespaced_config_map("doomed", cm("inside"))
    v1.delete_namespace("doomed")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            v1.read_namespace("doomed")
        except ApiException as e:
            assert e.status == 404
            break
        time.sleep(0.05)
    else:
        raise AssertionError("namespace not deleted")
    assert v1.list_config_map_for_all_namespaces(field_selector="metadata.namespace=doomed").items == []
    with pytest.raises(ApiException) as e:
        v1.create_namespaced_config_map("doomed", cm("late"))
    assert e.value.status == 404


def test_watch_with_resume(api: client.ApiClient, namespace: str) -> None:
    v1 = client.CoreV1Api(api)
    start = v1.list_namespaced_config_map(namespace).metadata.resource_version
    v1.create_namespaced_config_map(namespace, cm("w1"))
    made = v1.create_namespaced_config_map(namespace, cm("w2"))
    made.data = {"x": "1"}
    v1.replace_namespaced_config_map("w2", namespace, made)
    v1.delete_namespaced_config_map("w1", namespace)
    w = watch.Watch()
    events = []
    for ev in w.stream(v1.list_namespaced_config_map, namespace, resource_version=start, timeout_seconds=5):
        events.append((ev["type"], ev["object"].metadata.name))
        if len(events) == 4:
            w.stop()
    assert events == [("ADDED", "w1"), ("ADDED", "w2"), ("MODIFIED", "w2"), ("DELETED", "w1")]
    # initial state without a resourceVersion: ADDED for what exists
    w = watch.Watch()
    initial = []
    for ev in w.stream(v1.list_namespaced_config_map, namespace, timeout_seconds=5):
        initial.append((ev["type"], ev["object"].metadata.name))
        w.stop()
    assert initial == [("ADDED", "w2")]


def test_access_reviews_answer_for_the_admin(api: client.ApiClient) -> None:
    authz = client.AuthorizationV1Api(api)
    review = authz.create_self_subject_access_review(client.V1SelfSubjectAccessReview(
        spec=client.V1SelfSubjectAccessReviewSpec(
            resource_attributes=client.V1ResourceAttributes(verb="create", group="apps", resource="deployments"))))
    assert review.status.allowed is True
    who = client.AuthenticationV1Api(api).create_self_subject_review(client.V1SelfSubjectReview())
    assert who.status.user_info.username == "admin"


def test_secret_string_data_becomes_data(api: client.ApiClient, namespace: str) -> None:
    v1 = client.CoreV1Api(api)
    made = v1.create_namespaced_secret(namespace, client.V1Secret(
        metadata=client.V1ObjectMeta(name="s"), data={"a": "YQ=="}, string_data={"b": "bee"}))
    assert made.data == {"a": "YQ==", "b": "YmVl"} and made.string_data is None
    made.string_data = {"a": "override"}
    again = v1.replace_namespaced_secret("s", namespace, made)
    assert again.data == {"a": "b3ZlcnJpZGU=", "b": "YmVl"}


def test_times_are_stored_as_kube_decodes_them(api: client.ApiClient, namespace: str) -> None:
    """metav1.Time in UTC with whole seconds, MicroTime with six digits, whatever offset and
    fraction the client sent (the Python client sends `datetime.isoformat()`); a MicroTime
    without six fraction digits, or no time at all, is refused as kube's decoding refuses it."""
    stamp = datetime.datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))
    v1 = client.CoreV1Api(api)
    event = client.CoreV1Event(
        metadata=client.V1ObjectMeta(name="e"), involved_object=client.V1ObjectReference(kind="Pod", name="p"),
        reason="R", first_timestamp=stamp, last_timestamp=stamp, event_time=stamp,
        reporting_component="c", reporting_instance="i", action="A")
    raw = json.loads(v1.create_namespaced_event(namespace, event, _preload_content=False).data)
    assert (raw["firstTimestamp"], raw["lastTimestamp"]) == ("2024-01-02T02:04:05Z", "2024-01-02T02:04:05Z")
    assert raw["eventTime"] == "2024-01-02T02:04:05.678901Z"
    leases = client.CoordinationV1Api(api)
    lease = leases.patch_namespaced_lease("l", namespace, {
        "apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "l"},
        "spec": {"renewTime": "2024-01-02T03:04:05.000001+00:00"}},
        field_manager="t", _content_type="application/apply-patch+yaml", _preload_content=False)
    assert json.loads(lease.data)["spec"]["renewTime"] == "2024-01-02T03:04:05.000001Z"
    for value, why in (("2024-01-02T03:04:05Z", 'cannot parse "Z" as ".000000"'),
                       ("yesterday", 'cannot parse "yesterday" as "2006"')):
        with pytest.raises(ApiException) as e:
            leases.patch_namespaced_lease("l", namespace, [{"op": "replace", "path": "/spec/renewTime", "value": value}])
        assert e.value.status == 400 and why in json.loads(e.value.body)["message"]
    assert leases.read_namespaced_lease("l", namespace).spec.renew_time.microsecond == 1


def test_version_api(api: client.ApiClient) -> None:
    """The client asks for /version/ (with the slash), which kube-apiserver serves as /version."""
    info = client.VersionApi(api).get_code()
    assert (info.major, info.minor) == ("1", "35") and info.git_version.startswith("v1.35.0")
