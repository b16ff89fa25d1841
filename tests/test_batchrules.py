"""Jobs and CronJobs refused as kube-apiserver refuses them (vapi/batchrules.py, vapi/cronspec.py,
vapi/golang.py): the causes in its words, and kubectl's output."""

from __future__ import annotations

import json

import pytest

from tests import rulecauses
from tests.apiserver import VapiProcess
from vapi import cronspec, golang


@pytest.mark.parametrize("schedule,error", [
    pytest.param("* * * * *", "", id="every-minute"),
    pytest.param("*/15 0-6,22 1,15 jan-MAR mon-fri", "", id="ranges-steps-names"),
    pytest.param("0 0 30 2 ?", "", id="question-mark"),
    pytest.param("@daily", "", id="descriptor"),
    pytest.param("@every 1h30m", "", id="every"),
    pytest.param("CRON_TZ=Europe/Paris 0 5 * * *", "", id="tz-prefix"),
    pytest.param("bad", "expected exactly 5 fields, found 1: [bad]", id="one-field"),
    pytest.param("0 0 * * * *", "expected exactly 5 fields, found 6: [0 0 * * * *]", id="six-fields"),
    pytest.param("60 * * * *", "end of range (60) above maximum (59): 60", id="minute-60"),
    pytest.param("* * 0 * *", "beginning of range (0) below minimum (1): 0", id="day-0"),
    pytest.param("5-1 * * * *", "beginning of range (5) beyond end of range (1): 5-1", id="backwards"),
    pytest.param("*/0 * * * *", "step of range should be a positive number: */0", id="step-0"),
    pytest.param("1-2-3 * * * *", "too many hyphens: 1-2-3", id="hyphens"),
    pytest.param("1/2/3 * * * *", "too many slashes: 1/2/3", id="slashes"),
    pytest.param("x * * * *", 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax', id="not-a-number"),
    pytest.param("* * * * sun-funday", 'failed to parse int from funday: strconv.Atoi: parsing "funday": invalid syntax', id="bad-name"),
    pytest.param("@weekly 1", "unrecognized descriptor: @weekly 1", id="descriptor-with-more"),
    pytest.param("@every 5", 'failed to parse duration @every 5: time: missing unit in duration "5"', id="every-no-unit"),
    pytest.param("@every 5d", 'failed to parse duration @every 5d: time: unknown unit "d" in duration "5d"', id="every-days"),
    pytest.param("TZ=Mars/Olympus 0 * * * *", "provided bad location Mars/Olympus: unknown time zone Mars/Olympus", id="tz-unknown"),
    pytest.param("TZ=UTC", "invalid schedule format: runtime error: slice bounds out of range [:-1]", id="tz-alone"),
])
def test_schedules_parse_as_robfig_cron(schedule: str, error: str) -> None:
    assert cronspec.error(schedule) == error


@pytest.mark.parametrize("text,nanos,error", [
    pytest.param("1h30m", 5400 * 10**9, "", id="hours-minutes"),
    pytest.param("1.5s", 1_500_000_000, "", id="fraction"),
    pytest.param("-2\u00b5s", -2000, "", id="micro-sign"),
    pytest.param("0", 0, "", id="zero"),
    pytest.param("", 0, 'time: invalid duration ""', id="empty"),
    pytest.param(".h", 0, 'time: invalid duration ".h"', id="lone-dot"),
    pytest.param("3000000h", 0, 'time: invalid duration "3000000h"', id="overflow"),
    pytest.param("1\u00e9", 0, 'time: unknown unit "\\xc3\\xa9" in duration "1\\xc3\\xa9"', id="non-ascii-quoted-as-bytes"),
])
def test_durations_parse_as_go(text: str, nanos: int, error: str) -> None:
    assert golang.parse_duration(text) == (nanos, error)


def causes(resource: str, obj: dict, old: dict | None = None) -> list[tuple[str, str, str]]:
    return rulecauses.causes("batch", resource, obj, old)


def cron_job(name: str = "c", restart: str = "OnFailure", **spec: object) -> dict:
    template = {"spec": {"template": {"spec": {"restartPolicy": restart, "containers": [{"name": "c", "image": "i"}]}}}}
    return {"metadata": {"name": name}, "spec": {"schedule": "*/5 * * * *", "jobTemplate": template, **spec}}


def job(restart: str | None = "Never", **spec: object) -> dict:
    pod: dict = {"containers": [{"name": "c", "image": "i"}]}
    if restart is not None:
        pod["restartPolicy"] = restart
    return {"metadata": {"name": "j", "uid": "u1"}, "spec": {"template": {"spec": pod}, **spec}}


def test_cron_job_spec_rules() -> None:
    assert causes("cronjobs", cron_job(timeZone="Europe/Berlin", concurrencyPolicy="Forbid")) == []
    got = causes("cronjobs", cron_job(name="n" * 53, restart="Always", schedule="61 * * * *", startingDeadlineSeconds=-1,
                                      timeZone="Mars/Olympus", concurrencyPolicy="Sometimes", failedJobsHistoryLimit=-1))
    assert got == [
        ("spec.schedule", "FieldValueInvalid", 'Invalid value: "61 * * * *": end of range (61) above maximum (59): 61'),
        ("spec.startingDeadlineSeconds", "FieldValueInvalid", "Invalid value: -1: must be greater than or equal to 0"),
        ("spec.timeZone", "FieldValueInvalid", 'Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus'),
        ("spec.concurrencyPolicy", "FieldValueNotSupported",
         'Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"'),
        ("spec.jobTemplate.spec.template.spec.restartPolicy", "FieldValueRequired",
         'Required value: valid values: "OnFailure", "Never"'),
        ("spec.failedJobsHistoryLimit", "FieldValueInvalid", "Invalid value: -1: must be greater than or equal to 0"),
        ("metadata.name", "FieldValueInvalid", f'Invalid value: "{"n" * 53}": must be no more than 52 characters'),
    ]
    template_selector = cron_job()
    template_selector["spec"]["jobTemplate"]["spec"].update(selector={"matchLabels": {"a": "b"}}, manualSelector=True)
    assert causes("cronjobs", template_selector) == [
        ("spec.jobTemplate.spec.selector", "FieldValueInvalid",
         'Invalid value: {"matchLabels":{"a":"b"}}: `selector` will be auto-generated'),
        ("spec.jobTemplate.spec.manualSelector", "FieldValueNotSupported",
         'Unsupported value: true: supported values: "nil", "false"')]
    assert causes("cronjobs", cron_job(timeZone="")) == [
        ("spec.timeZone", "FieldValueInvalid", 'Invalid value: "": timeZone must be nil or non-empty string')]
    assert causes("cronjobs", cron_job(timeZone="Local"))[0][2].endswith("must be an explicit time zone as defined in https://www.iana.org/time-zones")
    assert causes("cronjobs", cron_job(timeZone="../etc/passwd")) == [
        ("spec.timeZone", "FieldValueInvalid", 'Invalid value: "../etc/passwd": unknown time zone ../etc/passwd')]


def test_cron_job_updates_keep_what_kube_lets_them_keep() -> None:
    """A TZ= kept from the old schedule, an unchanged timeZone, a long name: refused on create only."""
    old = cron_job(name="n" * 60, schedule="TZ=UTC 0 * * * *")
    assert causes("cronjobs", json.loads(json.dumps(old)))[0][2].endswith(
        "cannot use TZ or CRON_TZ in schedule, use timeZone field instead")
    new = cron_job(name="n" * 60, schedule="TZ=UTC 5 * * * *")
    assert causes("cronjobs", new, json.loads(json.dumps(old))) == []
    both = cron_job(name="n" * 60, schedule="TZ=UTC 5 * * * *", timeZone="UTC")
    assert causes("cronjobs", both, json.loads(json.dumps(old))) == [
        ("spec.schedule", "FieldValueInvalid",
         'Invalid value: "TZ=UTC 5 * * * *": cannot use both timeZone field and TZ or CRON_TZ in schedule')]
    fresh_tz = cron_job(schedule="TZ=UTC 5 * * * *")
    assert causes("cronjobs", fresh_tz, cron_job())[0][2].endswith("use timeZone field instead")


def test_job_spec_rules() -> None:
    assert causes("jobs", job()) == []
    assert causes("jobs", job(restart=None)) == [
        ("spec.template.spec.restartPolicy", "FieldValueRequired", 'Required value: valid values: "OnFailure", "Never"')]
    assert causes("jobs", job(restart="Sometimes")) == [  # the pod spec's rule, then the job's
        ("spec.template.spec.restartPolicy", "FieldValueNotSupported",
         'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'),
        ("spec.template.spec.restartPolicy", "FieldValueNotSupported",
         'Unsupported value: "Sometimes": supported values: "OnFailure", "Never"')]
    got = causes("jobs", job(parallelism=-1, backoffLimit=-2, completionMode="Sometimes", maxFailedIndexes=1))
    assert got == [
        ("spec.parallelism", "FieldValueInvalid", "Invalid value: -1: must be greater than or equal to 0"),
        ("spec.backoffLimit", "FieldValueInvalid", "Invalid value: -2: must be greater than or equal to 0"),
        ("spec.backoffLimitPerIndex", "FieldValueRequired", "Required value: when maxFailedIndexes is specified"),
        ("spec.completionMode", "FieldValueNotSupported",
         'Unsupported value: "Sometimes": supported values: "NonIndexed", "Indexed"')]
    assert causes("jobs", job(completionMode="Indexed", parallelism=2)) == [
        ("spec.completions", "FieldValueRequired", "Required value: when completion mode is Indexed")]
    long_name = job(completionMode="Indexed", completions=100)
    long_name["metadata"]["name"] = "j" * 61
    assert causes("jobs", long_name) == [
        ("metadata.name", "FieldValueInvalid",
         f'Invalid value: "{"j" * 61}": will not able to create pod with invalid DNS label: {"j" * 61}-99')]
    assert causes("jobs", job(podFailurePolicy={"rules": []}, podReplacementPolicy="TerminatingOrFailed"), None) == [
        ("spec.podReplacementPolicy", "FieldValueNotSupported", 'Unsupported value: "TerminatingOrFailed": supported values: "Failed"')]


def test_job_completions_are_fixed_unless_indexed_with_parallelism() -> None:
    assert causes("jobs", job(completions=3), job(completions=2)) == [
        ("spec.completions", "FieldValueInvalid", "Invalid value: 3: field is immutable")]
    indexed = {"completionMode": "Indexed", "backoffLimit": 1}
    assert causes("jobs", job(completions=3, parallelism=3, **indexed), job(completions=2, parallelism=2, **indexed)) == []
    assert causes("jobs", job(completions=3, parallelism=2, **indexed), job(completions=2, parallelism=2, **indexed)) == [
        ("spec.completions", "FieldValueInvalid", "Invalid value: 3: can only be modified in tandem with spec.parallelism")]


@pytest.mark.parametrize("args,message", [
    pytest.param(("create", "cronjob", "x", "--image=busybox", "--schedule=bad"),
                 'error: failed to create cronjob: CronJob.batch "x" is invalid: spec.schedule: Invalid value: "bad": '
                 "expected exactly 5 fields, found 1: [bad]", id="schedule"),
    pytest.param(("create", "cronjob", "x", "--image=busybox", "--schedule=CRON_TZ=UTC 0 * * * *"),
                 'error: failed to create cronjob: CronJob.batch "x" is invalid: spec.schedule: Invalid value: '
                 '"CRON_TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead', id="tz"),
])
def test_kubectl_create_cronjob_is_refused(vapi: VapiProcess, namespace: str, args: tuple[str, ...], message: str) -> None:
    out = vapi.kubectl("-n", namespace, *args, check=False)
    assert out.returncode == 1 and out.stderr.strip() == message
    assert vapi.kubectl("-n", namespace, "get", "cronjobs", "-o", "name").stdout.split() == []


def test_kubectl_job_with_restart_always_is_refused(vapi: VapiProcess, namespace: str) -> None:
    manifest = ("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  schedule: '@every 5m'\n"
                "  jobTemplate:\n    spec:\n      template:\n        spec:\n          restartPolicy: Always\n"
                "          containers: [{name: c, image: busybox}]\n")
    out = vapi.kubectl("-n", namespace, "create", "-f", "-", input=manifest, check=False)
    assert out.returncode == 1 and out.stderr.strip() == (
        'The CronJob "c" is invalid: spec.jobTemplate.spec.template.spec.restartPolicy: Required value: '
        'valid values: "OnFailure", "Never"')
    fixed = manifest.replace("Always", "OnFailure")
    assert vapi.kubectl("-n", namespace, "create", "-f", "-", input=fixed).stdout.strip() == "cronjob.batch/c created"
