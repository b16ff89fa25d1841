"""The subresources of Pods that kube-apiserver serves itself, and what it answers for those
that reach a kubelet when there is none.

vapi runs no pods: a Pod in a workspace is desired state for edge clusters. So, as a real
apiserver does for a pod no node runs:
- `log` returns no lines (a pod without a node has none), after the same container checks;
- `exec`, `attach`, `portforward`, `proxy` and `checkpoint` are refused: no host;
- `binding` assigns a node (what a scheduler does), once;
- `eviction` deletes the pod, unless a PodDisruptionBudget covering a running pod forbids it.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from vapi import clock, errors, objects, selectors
from vapi.handlers import Call
from vapi.http import decode_object, media_type, read_body, respond
from vapi.resources import Resource, builtin

Obj = dict[str, Any]
KUBELET_SUBRESOURCES = ("exec", "attach", "portforward", "proxy", "checkpoint")


def _section(obj: Obj, key: str) -> Obj:
    value = obj.get(key)
    return value if isinstance(value, dict) else {}


def _names(pod: Obj, key: str) -> list[str]:
    return [str(c.get("name")) for c in (pod.get("spec") or {}).get(key) or [] if isinstance(c, dict)]


def _go_list(names: list[str]) -> str:
    return "[" + " ".join(names) + "]"


def check_container(pod: Obj, container: str) -> None:
    """The container a log request names, as kube's pod registry checks it."""
    name = pod["metadata"]["name"]
    containers, init = _names(pod, "containers"), _names(pod, "initContainers")
    ephemeral = _names(pod, "ephemeralContainers")
    if not container:
        if len(containers) == 1:
            return
        message = f"a container name must be specified for pod {name}, choose one of: {_go_list(containers)}"
        if init:
            message += f" or one of the init containers: {_go_list(init)}"
        if ephemeral:
            message += f" or one of the ephemeral containers: {_go_list(ephemeral)}"
        raise errors.bad_request(message)
    if container not in containers + init + ephemeral:
        raise errors.bad_request(f"container {container} is not valid for pod {name}")


def no_kubelet(pod: Obj) -> errors.APIError:
    node = (pod.get("spec") or {}).get("nodeName")
    name = pod["metadata"]["name"]
    if not node:
        return errors.bad_request(f"pod {name} does not have a host assigned")
    return errors.bad_request(f'pod {name} is assigned to node "{node}", but no kubelet serves it here: '
                              "vapi runs no pods (its edge clusters do)")


def _int_option(query: Any, key: str) -> int | None:
    if key not in query:
        return None
    try:
        return int(query[key])
    except ValueError:
        raise errors.bad_request(f'strconv.ParseInt: parsing "{query[key]}": invalid syntax') from None


def check_log_options(call: Call) -> None:
    """PodLogOptions as kube-apiserver reads and validates them before it looks for the pod
    (ValidatePodLogOptions): numbers that parse, tailLines >= 0, limitBytes and sinceSeconds
    > 0, at most one of sinceSeconds and sinceTime, a sinceTime in RFC 3339."""
    query = call.request.query
    tail, limit, since = (_int_option(query, k) for k in ("tailLines", "limitBytes", "sinceSeconds"))
    if "sinceTime" in query:
        try:
            clock.decoded(query["sinceTime"], micro=False)
        except clock.TimeError as e:
            raise errors.bad_request(str(e)) from None
    causes = []
    if tail is not None and tail < 0:
        causes.append({"reason": "FieldValueInvalid", "field": "tailLines",
                       "message": f"Invalid value: {tail}: must be greater than or equal to 0"})
    if limit is not None and limit < 1:
        causes.append({"reason": "FieldValueInvalid", "field": "limitBytes",
                       "message": f"Invalid value: {limit}: must be greater than 0"})
    if since is not None and "sinceTime" in query:
        causes.append({"reason": "FieldValueForbidden", "field": "",
                       "message": "Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified"})
    elif since is not None and since < 1:
        causes.append({"reason": "FieldValueInvalid", "field": "sinceSeconds",
                       "message": f"Invalid value: {since}: must be greater than 0"})
    if causes:
        raise errors.invalid("", "PodLogOptions", call.info.name, causes)


async def serve(call: Call, subresource: str) -> web.StreamResponse:
    i = call.info
    objects = call.state.objects
    if subresource == "log":
        check_log_options(call)
    pod = await objects.get(call.res, i.workspace, i.namespace, i.name)
    if subresource == "log":
        check_container(pod, call.request.query.get("container", ""))
        if (pod.get("spec") or {}).get("nodeName"):
            raise no_kubelet(pod)
        return web.Response(body=b"", content_type="text/plain")
    if subresource in KUBELET_SUBRESOURCES:
        raise no_kubelet(pod)
    body = decode_object(await read_body(call.request), media_type(call.request))
    if subresource == "binding":
        return await bind(call, pod, body)
    return await evict(call, pod, body)


async def create_binding(call: Call) -> web.StreamResponse:
    """POST .../bindings: the older way to the same binding, naming the pod in metadata."""
    binding = decode_object(await read_body(call.request), media_type(call.request))
    name = _section(binding, "metadata").get("name")
    if not isinstance(name, str) or not name:
        raise errors.invalid("", "Binding", "", [{"reason": "FieldValueRequired", "field": "metadata.name",
                                                  "message": "Required value: the pod to bind"}])
    res = builtin().lookup("", "v1", "pods")
    assert res is not None
    i = call.info
    pod = await call.state.objects.get(res, i.workspace, i.namespace, name)
    return await bind(call, pod, binding, res)


async def bind(call: Call, pod: Obj, binding: Obj, res: Resource | None = None) -> web.StreamResponse:
    """Assign the pod to a node, as the scheduler's Binding does: once, and only to a Node."""
    target = _section(binding, "target")
    node, name = target.get("name"), pod["metadata"]["name"]
    if target.get("kind", "Node") not in ("Node", "") or not isinstance(node, str) or not node:
        raise errors.invalid("", "Binding", name, [{
            "reason": "FieldValueRequired", "field": "target.name", "message": "Required value: a node to bind to"}])
    spec = pod.setdefault("spec", {})
    if spec.get("nodeName"):
        raise errors.conflict("", "pods", name, f'pod {name} is already assigned to node "{spec["nodeName"]}"')
    if pod["metadata"].get("deletionTimestamp"):
        raise errors.conflict("", "pods", name, f"pod {name} is being deleted, cannot be assigned to a host")
    spec["nodeName"] = node
    status = pod.setdefault("status", {})
    conditions = [c for c in status.get("conditions") or [] if isinstance(c, dict) and c.get("type") != "PodScheduled"]
    status["conditions"] = [*conditions, {"type": "PodScheduled", "status": "True", "lastProbeTime": None,
                                          "lastTransitionTime": pod["metadata"].get("creationTimestamp")}]
    i = call.info
    await call.state.objects.update(res or call.res, i.workspace, i.namespace, name, pod, subresource="binding")
    return respond({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}, status=201)


async def evict(call: Call, pod: Obj, eviction: Obj) -> web.StreamResponse:
    """Delete the pod, as policy/v1 Eviction does: a pod that is not running (Pending,
    Succeeded, Failed, already terminating) goes at once; a running one only if no
    PodDisruptionBudget covering it is out of disruptions."""
    i = call.info
    phase = (pod.get("status") or {}).get("phase")
    if phase not in ("Pending", "Succeeded", "Failed") and not pod["metadata"].get("deletionTimestamp"):
        budgets = await _budgets_for(call, pod)
        if len(budgets) > 1:
            raise errors.bad_request("This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.")
        for budget in budgets:
            status = budget.get("status") or {}
            if int(status.get("disruptionsAllowed") or 0) < 1:
                raise errors.APIError(
                    429, "TooManyRequests", "Cannot evict pod as it would violate the pod's disruption budget.",
                    details={"causes": [{"reason": "DisruptionBudget", "message":
                             f"The disruption budget {budget['metadata']['name']} needs {status.get('desiredHealthy', 0)} "
                             f"healthy pods and has {status.get('currentHealthy', 0)} currently"}]})
    options = _section(eviction, "deleteOptions")
    out = await call.state.objects.delete(call.res, i.workspace, i.namespace, i.name,
                                          preconditions=options.get("preconditions"),
                                          propagation=str(options.get("propagationPolicy") or "Background"),
                                          graceful=True, grace_period=options.get("gracePeriodSeconds"))
    call.state.gc.deleted(i.workspace, call.res, out, "Background")
    return respond({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}, status=201)


async def _budgets_for(call: Call, pod: Obj) -> list[Obj]:
    res = builtin().lookup("policy", "v1", "poddisruptionbudgets")
    assert res is not None
    listed = await call.state.objects.list(res, call.info.workspace, call.info.namespace,
                                           objects.ListOptions(label=selectors.everything, fields=[]))
    labels = pod["metadata"].get("labels") or {}
    out = []
    for budget in listed["items"]:
        selector = (budget.get("spec") or {}).get("selector")
        try:
            if selector and selectors.from_label_selector(selector)(labels):
                out.append(budget)
        except ValueError:
            continue
    return out
