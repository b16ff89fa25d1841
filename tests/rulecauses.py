"""What vapi/kindrules.py finds wrong in a built-in object after defaulting, as
(field, reason, message): the shape the rule tests compare against kube's causes."""

from __future__ import annotations

from tests.apiserver import VapiProcess
from vapi import defaults, kindrules
from vapi.resources import builtin


def causes(group: str, resource: str, obj: dict, old: dict | None = None, version: str = "v1") -> list[tuple[str, str, str]]:
    res = builtin().lookup(group, version, resource)
    assert res is not None
    for o in (obj, old):
        if o is not None:
            defaults.apply(group, res.kind, o)
            if resource == "jobs":
                defaults.job_selector(o)  # what the job registry does on create
    return [(c["field"], c["reason"], c["message"]) for c in kindrules.causes(res, obj, old)]


def kubectl_refusal(vapi: VapiProcess, namespace: str, manifest: str, resource: str) -> str:
    """kubectl create -f of manifest: refused (exit 1), nothing of resource stored; its stderr."""
    out = vapi.kubectl("-n", namespace, "create", "-f", "-", input=manifest, check=False)
    assert out.returncode == 1, out.stdout
    assert vapi.kubectl("-n", namespace, "get", resource, "-o", "name").stdout.split() == []
    return out.stderr.strip()
