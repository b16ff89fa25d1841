"""Folding many clusters' reports into one status and into summaries, as pure functions."""

from __future__ import annotations

import random

import pytest

from vapi import fleetstatus, summaries
from vapi.fleetstatus import Copy

DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "generation": 3}, "spec": {"replicas": 2}}


def rolled(available: int, observed: int = 3) -> Copy:
    return Copy(3, observed, {"observedGeneration": 7, "replicas": 2, "updatedReplicas": 2, "readyReplicas": available,
                              "availableReplicas": available, "conditions": [{"type": "Available", "status": "True"}]}, 2)


def test_one_cluster_passes_its_status_through_in_center_generations() -> None:
    status, text = fleetstatus.merge(DEPLOYMENT, [rolled(2)])
    assert status is not None and status["observedGeneration"] == 3 and status["availableReplicas"] == 2 and text == "1/1 ready"


@pytest.mark.parametrize("copies,observed,available,text", [
    pytest.param([rolled(2), rolled(2), rolled(2)], 3, 2, "3/3 ready", id="all-done"),
    pytest.param([rolled(2), rolled(1), rolled(2)], 3, 1, "2/3 ready", id="one-lagging"),
    pytest.param([rolled(2), None, rolled(2)], 2, 1, "2/3 ready", id="one-silent"),
    pytest.param([rolled(2), rolled(2, observed=2), rolled(2)], 2, 1, "2/3 ready", id="old-generation"),
])
def test_workloads_are_done_only_when_done_everywhere(copies: list, observed: int, available: int, text: str) -> None:
    status, got = fleetstatus.merge(DEPLOYMENT, copies)
    assert status is not None and got == text
    assert status["observedGeneration"] == observed
    assert status["availableReplicas"] == available  # below spec.replicas while any cluster lags: waiters keep waiting


def test_ready_condition_only_when_ready_everywhere() -> None:
    cr = {"apiVersion": "example.com/v1", "kind": "Gadget", "metadata": {"name": "g", "generation": 1}}
    ready = Copy(1, 1, {"conditions": [{"type": "Ready", "status": "True"}]}, None)
    not_ready = Copy(1, 1, {"conditions": [{"type": "Ready", "status": "False", "message": "disk full"}]}, None)
    status, text = fleetstatus.merge(cr, [ready, not_ready, ready])
    assert status is not None and text == "2/3 ready"
    assert [c["status"] for c in status["conditions"] if c["type"] == "Ready"] == ["False"]
    status, text = fleetstatus.merge(cr, [ready, ready])
    assert status is not None and [c["status"] for c in status["conditions"] if c["type"] == "Ready"] == ["True"]


def test_summaries_kept_incrementally_match_a_recount() -> None:
    spec = summaries.compile_spec({
        "name": "s", "filter": "status.replicas > 0", "groupBy": ["cluster.labels.region"],
        "aggregates": [{"name": "n", "function": "count"}, {"name": "sum", "function": "sum", "expression": "status.ready"},
                       {"name": "avg", "function": "avg", "expression": "status.ready"},
                       {"name": "min", "function": "min", "expression": "status.ready"},
                       {"name": "max", "function": "max", "expression": "status.ready"}],
        "select": [{"name": "ready", "expression": "status.ready"}], "orderBy": "status.ready", "limit": 3,
        "attention": "status.ready < 2"}, "s")
    rng = random.Random(7)
    live = summaries.Summary(spec)
    state: dict[str, dict | None] = {}
    for _ in range(400):
        cluster = f"c{rng.randrange(30):02d}"
        activation = None if rng.random() < 0.1 else {
            "cluster": {"name": cluster, "labels": {"region": rng.choice(["eu", "us"])}, "properties": {}},
            "obj": {}, "status": {"replicas": rng.randrange(3), "ready": rng.randrange(4)}}
        state[cluster] = activation
        live.update(cluster, activation)
    fresh = summaries.Summary(spec)
    for cluster, activation in state.items():
        fresh.update(cluster, activation)
    assert live.render() == fresh.render()
    rendered = live.render()
    assert len(rendered["rows"]) == 3 and [r["ready"] for r in rendered["rows"]] == sorted(r["ready"] for r in rendered["rows"])
    counted = [a for a in state.values() if a is not None and a["status"]["replicas"] > 0]
    assert sum(g["values"]["n"] for g in rendered["groups"]) == len(counted)
    assert rendered["attention"]["count"] == sum(1 for a in counted if a["status"]["ready"] < 2)


@pytest.mark.parametrize("raw,field", [
    pytest.param({"name": "s", "aggregates": [{"name": "x", "function": "median", "expression": "1"}]}, "aggregates[0]", id="fn"),
    pytest.param({"name": "s", "aggregates": [{"name": "x", "function": "sum"}]}, "aggregates[0].expression", id="no-expr"),
    pytest.param({"name": "s", "filter": "status.("}, "filter", id="bad-cel"),
    pytest.param({"aggregates": []}, "name", id="no-name"),
])
def test_invalid_summaries_name_the_field(raw: dict, field: str) -> None:
    with pytest.raises(summaries.Invalid, match=field.replace("[", r"\[").replace("]", r"\]").replace(".", r"\.") if field != "name" else "name"):
        summaries.compile_spec(raw, "s")


def test_short_forms_of_summaries() -> None:
    from vapi import placement

    rules = placement.compile_rules("root", "p", {"statusCollection": {
        "groupBy": ["cluster.labels.region"], "aggregates": [{"count": True}, {"sum": "status.readyReplicas"}],
        "attention": "status.readyReplicas < 1"}})
    assert [s.name for s in rules.summaries] == ["default"]
    assert rules.summaries[0].aggregates == (("count", "count", ""), ("sum(status.readyReplicas)", "sum", "status.readyReplicas"))


def test_a_job_is_complete_only_when_complete_everywhere() -> None:
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j", "generation": 1}, "spec": {"completions": 1}}
    complete = Copy(1, 1, {"succeeded": 1, "completionTime": "2026-01-01T00:00:00Z",
                           "conditions": [{"type": "SuccessCriteriaMet", "status": "True"}, {"type": "Complete", "status": "True"}]}, None)
    status, text = fleetstatus.merge(job, [complete, None, complete])  # one cluster has not reported yet
    assert status is not None and text == "2/3 ready"
    assert not [c for c in status.get("conditions", []) if c["type"] in ("Complete", "SuccessCriteriaMet")]
    assert "completionTime" not in status
    status, text = fleetstatus.merge(job, [complete, complete])
    assert status is not None and text == "2/2 ready" and [c["type"] for c in status["conditions"]] == ["SuccessCriteriaMet", "Complete"]


def test_merged_deployment_status_has_only_deployment_fields() -> None:
    status, _ = fleetstatus.merge(DEPLOYMENT, [rolled(2), rolled(2)])
    assert status is not None and "currentReplicas" not in status and status["availableReplicas"] == 2


def test_condition_timestamps_come_back_with_the_status() -> None:
    stamped = Copy(3, 3, {"replicas": 2, "conditions": [{"type": "Available", "status": "True"}]}, 2,
                   stamps=((0, "lastTransitionTime", "2026-01-01T00:00:00Z"),))
    status, _ = fleetstatus.merge(DEPLOYMENT, [stamped])
    assert status is not None and status["conditions"] == [{"type": "Available", "status": "True", "lastTransitionTime": "2026-01-01T00:00:00Z"}]
    assert stamped.status["conditions"] == [{"type": "Available", "status": "True"}]  # the shared status is left alone


def test_attention_lists_clusters_whose_status_cannot_be_evaluated() -> None:
    """The issue's own predicate: a cluster with no availableReplicas yet (Kubernetes omits
    the field when it is 0) needs attention; capped by the attention list's own limit."""
    spec = summaries.compile_spec({"name": "s", "attention": {"expression": "status.availableReplicas < obj.spec.replicas", "limit": 2},
                                   "limit": 5}, "s")
    live = summaries.Summary(spec)
    obj = {"spec": {"replicas": 2}}
    for name, status in [("a", {"availableReplicas": 2}), ("b", {}), ("c", {"availableReplicas": 1}), ("d", {"replicas": 2})]:
        live.update(name, {"cluster": {"name": name, "labels": {}, "properties": {}}, "obj": obj, "status": status})
    rendered = live.render()
    assert rendered["attention"] == {"count": 3, "clusters": ["b", "c"]}
    assert rendered["evaluationErrors"] == 2



def test_an_expression_dividing_by_zero_is_an_evaluation_error() -> None:
    """CEL's 1/0 (and integer overflow) count in evaluationErrors like a missing field; they
    used to escape the fold of the object's summaries."""
    spec = summaries.compile_spec({"name": "s", "aggregates": [{"name": "ratio", "function": "max",
                                                                 "expression": "status.ready / status.replicas"}]}, "s")
    live = summaries.Summary(spec)
    for name, status in [("a", {"ready": 2, "replicas": 2}), ("b", {"ready": 0, "replicas": 0})]:
        live.update(name, {"cluster": {"name": name, "labels": {}, "properties": {}}, "obj": {}, "status": status})
    rendered = live.render()
    assert rendered["groups"][0]["values"] == {"ratio": 1} and rendered["evaluationErrors"] == 1

@pytest.mark.parametrize("collection,message", [
    pytest.param({"bogus": 1}, 'spec.statusCollection: unknown field "spec.statusCollection.bogus"', id="unknown-field"),
    pytest.param({"summaries": [{"name": "a", "groupBy": ["cluster.name"], "having": "x"}]},
                 'unknown field "spec.statusCollection.summaries[0].having"', id="unknown-summary-field"),
    pytest.param({"summaries": [{"name": "a", "aggregates": [{"name": "n", "function": "count", "expr": "1"}]}]},
                 'unknown field "spec.statusCollection.summaries[0].aggregates[0].expr"', id="unknown-aggregate-field"),
    pytest.param({"summaries": [{"name": "a"}, {"name": "a"}]}, "spec.statusCollection.summaries[1].name: Duplicate value: 'a'", id="dup"),
    pytest.param({"groupBy": ["cluster.name"], "summaries": [{"name": "default"}]},
                 "spec.statusCollection.summaries[0].name: Duplicate value: 'default'", id="dup-inline"),
    pytest.param({"summaries": [{"name": "a", "aggregates": [{"count": True}, {"name": "count", "function": "sum", "expression": "1"}]}]},
                 "spec.statusCollection.summaries[0].aggregates: Duplicate value: 'count'", id="dup-aggregate"),
    pytest.param({"aggregates": {"n": "count"}}, "spec.statusCollection.aggregates: must be a list", id="aggregates-map"),
    pytest.param({"select": "status.x"}, "spec.statusCollection.select: must be a list", id="select-string"),
    pytest.param({"filter": "status.("}, "spec.statusCollection.filter: ", id="inline-bad-cel"),
    pytest.param({"limit": 100_000}, f"spec.statusCollection.limit: must be no more than {summaries.MAX_LIMIT}", id="limit-cap"),
    pytest.param({"attention": {"limit": 3}}, "spec.statusCollection.attention.expression: Required value", id="attention-no-expr"),
    pytest.param({"attention": {"expression": "true", "limit": -1}}, "spec.statusCollection.attention.limit: must be a non-negative",
                 id="attention-limit"),
    pytest.param({"associated": [{"apiVersion": "v1", "kind": "Pod", "selector": {}}]},
                 'unknown field "spec.statusCollection.associated[0].selector"', id="unknown-associated-field"),
    pytest.param({"associated": {"apiVersion": "v1"}}, "spec.statusCollection.associated: must be a list", id="associated-map"),
])
def test_invalid_status_collections_name_the_field(collection: dict, message: str) -> None:
    from vapi import placement

    with pytest.raises(placement.Invalid) as e:
        placement.compile_rules("root", "p", {"statusCollection": collection})
    assert message in str(e.value)
