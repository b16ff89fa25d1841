"""The cluster and its configuration: nodes, namespaces, secrets, service accounts, config maps,
resource quotas, component statuses, certificates, leases, priority and runtime classes, API
priority and fairness, storage versions and their migrations, API services and dynamic resource
allocation. Flow schemas list in the order printFlowSchemaList sorts them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vapi.tables.cells import (
    Obj, _deleting, _dict, _dicts, get, human_duration, _int, name, _nonempty, _or, _quantity, _str,
    _with_more,
)
from vapi.tables.columns import AGE, NAME, Cell, Column, col, _count, _field


def _node_status(node: Obj) -> str:
    ready = None
    for c in _dicts(get(node, "status", "conditions")):
        if c.get("type") == "Ready":
            ready = c
    states = ["Unknown" if ready is None else ("Ready" if ready.get("status") == "True" else "NotReady")]
    if get(node, "spec", "unschedulable") is True:
        states.append("SchedulingDisabled")
    return ",".join(states)


def _node_roles(node: Obj) -> str:
    """printers.go findNodeRoles: node-role.kubernetes.io/<role> keys and kubernetes.io/role values."""
    roles: set[str] = set()
    for key, value in _dict(get(node, "metadata", "labels")).items():
        if key.startswith("node-role.kubernetes.io/") and key[len("node-role.kubernetes.io/"):]:
            roles.add(key[len("node-role.kubernetes.io/"):])
        elif key == "kubernetes.io/role" and value:
            roles.add(str(value))
    return ",".join(sorted(roles)) or "<none>"


def _node_address(kind: str) -> Cell:
    def cell(node: Obj) -> str:
        found = (a.get("address") for a in _dicts(get(node, "status", "addresses")) if a.get("type") == kind)
        return _str(next(found, "<none>"))
    return cell


def _quota(kind: str) -> Cell:
    """printers.go printResourceQuota: `used/hard` per resource, sorted; `limits.*` go to
    the Limit column, everything else to Request."""
    def cell(quota: Obj) -> str:
        hard, used = _dict(get(quota, "status", "hard")), _dict(get(quota, "status", "used"))
        parts: list[str] = []
        for resource in sorted(hard):
            pieces = resource.split(".")
            is_limit = len(pieces) > 1 and pieces[0] == "limits"
            if is_limit == (kind == "limits"):
                parts.append(f"{resource}: {_quantity(used.get(resource))}/{_quantity(hard[resource])}")
        return ", ".join(parts)
    return cell


def _csr_condition(csr: Obj) -> str:
    """printers.go extractCSRStatus."""
    kinds = {c.get("type") for c in _dicts(get(csr, "status", "conditions"))}
    text = "Denied" if "Denied" in kinds else "Approved" if "Approved" in kinds else "Pending"
    if "Failed" in kinds:
        text += ",Failed"
    if get(csr, "status", "certificate"):
        text += ",Issued"
    return text


def _flow_schema_dangling(obj: Obj) -> str:
    found = (c.get("status") for c in _dicts(get(obj, "status", "conditions")) if c.get("type") == "Dangling")
    return _str(next(found, "?"))


def _priority_level(field: str | None) -> Cell:
    """printPriorityLevelConfiguration: a Limited level's shares and queuing, else <none>."""
    def cell(obj: Obj) -> Any:
        limited = get(obj, "spec", "limited")
        if not isinstance(limited, dict):
            return "<none>"
        if field is None:
            return _int(limited.get("nominalConcurrencyShares"))
        queuing = get(limited, "limitResponse", "queuing")
        return _int(queuing.get(field)) if isinstance(queuing, dict) else "<none>"
    return cell


def _storage_versions(obj: Obj) -> str:
    versions = _dicts(get(obj, "status", "storageVersions"))
    shown = [f"{_str(v.get('apiServerID'))}={_str(v.get('encodingVersion'))}" for v in versions]
    return _with_more(shown, len(shown))


def _apiservice_available(obj: Obj) -> str:
    """kube-aggregator's APIService convertor: the Available condition, with its reason when
    it is not True."""
    condition = next((c for c in _dicts(get(obj, "status", "conditions")) if c.get("type") == "Available"), None)
    if condition is None:
        return "Unknown"
    status = _str(condition.get("status"))
    return status if status == "True" or not condition.get("reason") else f"{status} ({condition['reason']})"


def _claim_state(claim: Obj) -> str:
    states: list[str] = []
    deleting = _deleting(claim)
    if deleting:
        states.append("deleted")
    if get(claim, "status", "allocation") is None:
        if not deleting:
            states.append("pending")
    else:
        states.append("allocated")
        if get(claim, "status", "reservedFor"):
            states.append("reserved")
    return ",".join(states)


COLUMNS: dict[tuple[str, str], list[Column]] = {
    ("", "nodes"): [
        NAME,
        col("Status", _node_status, "The status of the node"),
        col("Roles", _node_roles, "The roles of the node"),
        AGE,
        col("Version", _field("status", "nodeInfo", "kubeletVersion"), "Kubelet Version reported by the node."),
        col("Internal-IP", _node_address("InternalIP"), "List of addresses reachable to the node.", wide=True),
        col("External-IP", _node_address("ExternalIP"), "List of addresses reachable to the node.", wide=True),
        col("OS-Image", lambda o: _nonempty(get(o, "status", "nodeInfo", "osImage"), "<unknown>"), "OS Image reported by the node from /etc/os-release.", wide=True),
        col("Kernel-Version", lambda o: _nonempty(get(o, "status", "nodeInfo", "kernelVersion"), "<unknown>"), "Kernel Version reported by the node from 'uname -r'.", wide=True),
        col("Container-Runtime", lambda o: _nonempty(get(o, "status", "nodeInfo", "containerRuntimeVersion"), "<unknown>"), "ContainerRuntime Version reported by the node through runtime remote API.", wide=True),
    ],
    ("", "namespaces"): [NAME, col("Status", _field("status", "phase"), "The status of the namespace"), AGE],
    ("", "secrets"): [
        NAME,
        col("Type", lambda o: _str(o.get("type", "Opaque")), "Used to facilitate programmatic handling of secret data."),
        col("Data", lambda o: len(_dict(o.get("data")) | _dict(o.get("stringData"))), "Data contains the secret data."),
        AGE,
    ],
    ("", "serviceaccounts"): [NAME, col("Secrets", _count("secrets"), "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use."), AGE],
    ("", "configmaps"): [
        NAME,
        col("Data", lambda o: len(_dict(o.get("data"))) + len(_dict(o.get("binaryData"))), "Data contains the configuration data."),
        AGE,
    ],
    ("", "resourcequotas"): [
        NAME,
        col("Request", _quota("requests"), "Request represents a minimum amount of cpu/memory that a container may consume."),
        col("Limit", _quota("limits"), "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node."),
        AGE,
    ],
    ("", "componentstatuses"): [
        NAME,
        col("Status", lambda o: next((("Healthy" if c.get("status") == "True" else "Unhealthy") for c in _dicts(o.get("conditions")) if c.get("type") == "Healthy"), "Unknown"), "Status of the component conditions"),
        col("Message", lambda o: next((_str(c.get("message")) for c in _dicts(o.get("conditions")) if c.get("type") == "Healthy"), ""), "Message of the component conditions"),
        col("Error", lambda o: next((_str(c.get("error")) for c in _dicts(o.get("conditions")) if c.get("type") == "Healthy"), ""), "Error of the component conditions"),
    ],
    ("certificates.k8s.io", "certificatesigningrequests"): [
        NAME,
        AGE,
        col("SignerName", lambda o: _nonempty(get(o, "spec", "signerName"), "<none>"), "signerName indicates the requested signer."),
        col("Requestor", _field("spec", "username"), "username contains the name of the user that created the CertificateSigningRequest."),
        col("RequestedDuration", lambda o: "<none>" if get(o, "spec", "expirationSeconds") is None else human_duration(_int(get(o, "spec", "expirationSeconds"))),
            "expirationSeconds is the requested duration of validity of the issued certificate."),
        col("Condition", _csr_condition, "conditions applied to the request."),
    ],
    ("certificates.k8s.io", "clustertrustbundles"): [
        NAME,
        col("SignerName", lambda o: _nonempty(get(o, "spec", "signerName"), "<none>"), "signerName indicates the associated signer, if any."),
    ],
    ("coordination.k8s.io", "leases"): [
        NAME,
        col("Holder", _field("spec", "holderIdentity"), "holderIdentity contains the identity of the holder of a current lease."),
        AGE,
    ],
    ("coordination.k8s.io", "leasecandidates"): [
        NAME,
        col("LeaseName", _field("spec", "leaseName"), "LeaseName is the name of the lease for which this candidate is contending."),
        col("BinaryVersion", _field("spec", "binaryVersion"), "BinaryVersion is the binary version."),
        col("EmulationVersion", _field("spec", "emulationVersion"), "EmulationVersion is the emulation version."),
        AGE,
    ],
    ("scheduling.k8s.io", "priorityclasses"): [
        NAME,
        col("Value", lambda o: _int(o.get("value")), "value represents the integer value of this priority class.", kind="integer"),
        col("Global-Default", lambda o: o.get("globalDefault") is True, "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.", kind="boolean"),
        AGE,
        # printers.go declares it without Priority: kubectl shows it without -o wide
        col("PreemptionPolicy", _field("preemptionPolicy"), "preemptionPolicy is the Policy for preempting pods with lower priority."),
    ],
    ("node.k8s.io", "runtimeclasses"): [
        NAME,
        col("Handler", _field("handler"), "handler specifies the underlying runtime and configuration that the CRI implementation will use to handle pods of this class."),
        AGE,
    ],
    ("flowcontrol.apiserver.k8s.io", "flowschemas"): [
        NAME,
        col("PriorityLevel", _field("spec", "priorityLevelConfiguration", "name"), "name is the name of the priority level configuration being referenced"),
        col("MatchingPrecedence", lambda o: _int(get(o, "spec", "matchingPrecedence")), "matchingPrecedence is used to choose among the FlowSchemas that match a given request."),
        col("DistinguisherMethod", lambda o: "<none>" if get(o, "spec", "distinguisherMethod") is None else _str(get(o, "spec", "distinguisherMethod", "type")),
            "distinguisherMethod defines how to compute the flow distinguisher for requests that match this schema."),
        AGE,
        col("MissingPL", _flow_schema_dangling, "references a broken or non-existent PriorityLevelConfiguration"),
    ],
    ("flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations"): [
        NAME,
        col("Type", _field("spec", "type"), "type indicates whether this priority level is subject to limitation on request execution."),
        col("NominalConcurrencyShares", _priority_level(None), "nominalConcurrencyShares (NCS) contributes to the computation of the NominalConcurrencyLimit (NominalCL) of this level."),
        col("Queues", _priority_level("queues"), "queues is the number of queues for this priority level."),
        col("HandSize", _priority_level("handSize"), "handSize is a small positive number that configures the shuffle sharding of requests into queues."),
        col("QueueLengthLimit", _priority_level("queueLengthLimit"), "queueLengthLimit is the maximum number of requests allowed to be waiting in a given queue of this priority level at a time."),
        AGE,
    ],
    ("internal.apiserver.k8s.io", "storageversions"): [
        NAME,
        col("CommonEncodingVersion", lambda o: _or(get(o, "status", "commonEncodingVersion"), "<unset>"), "If all API server instances agree on the same encoding storage version, then this field is set to that version."),
        col("StorageVersions", _storage_versions, "The reported versions per API server instance."),
        AGE,
    ],
    ("storagemigration.k8s.io", "storageversionmigrations"): [
        NAME._replace(format=""),
        col("Resource", lambda o: ".".join(_str(get(o, "spec", "resource", f)) for f in ("resource", "version", "group")), "Fully qualified resource to migrate"),
    ],
    ("apiregistration.k8s.io", "apiservices"): [
        NAME,
        col("Service", lambda o: f"{_str(get(o, 'spec', 'service', 'namespace'))}/{_str(get(o, 'spec', 'service', 'name'))}" if isinstance(get(o, "spec", "service"), dict) else "Local",
            "The reference to the service that hosts this API endpoint."),
        col("Available", _apiservice_available, "Whether this service is available."),
        AGE,
    ],
    ("resource.k8s.io", "deviceclasses"): [NAME, AGE],
    ("resource.k8s.io", "resourceclaimtemplates"): [NAME, AGE],
    ("resource.k8s.io", "resourceclaims"): [
        NAME,
        col("State", _claim_state, "A summary of the current state (allocated, pending, reserved, etc.)."),
        AGE,
    ],
    ("resource.k8s.io", "resourceslices"): [
        NAME,
        col("Node", _field("spec", "nodeName"), "NodeName identifies the node which provides the resources in this pool."),
        col("Driver", _field("spec", "driver"), "Driver identifies the DRA driver providing the capacity information."),
        col("Pool", _field("spec", "pool", "name"), "Name is used to identify the pool."),
        AGE,
    ],
}


ROW_ORDER: dict[tuple[str, str], Callable[[Obj], Any]] = {
    # printFlowSchemaList sorts by matching precedence, then name
    ("flowcontrol.apiserver.k8s.io", "flowschemas"): lambda o: (_int(get(o, "spec", "matchingPrecedence")), name(o)),
}
