"""What vapi/kindrules.py finds wrong in a built-in object after defaulting, as
(field, reason, message): the shape the rule tests compare against kube's causes."""

from __future__ import annotations

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
