"""Jobs and CronJobs as kube-apiserver validates them (pkg/apis/batch/validation: validateJobSpec,
ValidateJobTemplateSpec, ValidateCronJobCreate/Update), in its words: counts that may not be
negative, the completion mode and what it takes, the pod template's restartPolicy
(OnFailure or Never), a CronJob's schedule (robfig/cron, vapi/cronspec.py), time zone,
concurrency policy and a name short enough for the Jobs it creates.
"""

from __future__ import annotations

import re
from typing import Any

from vapi import cronspec, fielderrors, golang, labelrules, validation

Obj = dict[str, Any]
Cause = dict[str, str]

NON_NEGATIVE = ("parallelism", "completions", "activeDeadlineSeconds", "backoffLimit", "ttlSecondsAfterFinished",
                "backoffLimitPerIndex", "maxFailedIndexes")
COMPLETION_MODES = ("NonIndexed", "Indexed")
POD_REPLACEMENT_POLICIES = ("Failed", "TerminatingOrFailed")
CONCURRENCY_POLICIES = ("Allow", "Forbid", "Replace")
MAX_INDEXED_PARALLELISM = MAX_FAILED_INDEXES = 100_000
# the cronjob controller names its Jobs <name>-<11 characters>, and a Job's name is a DNS-1035 label
CRON_JOB_NAME_MAX = 63 - 11
TIME_ZONE_PART = re.compile(r"^[A-Za-z.\-_0-9+]{1,14}\Z")










def job_spec(spec: Obj, path: str) -> list[Cause]:
    """validateJobSpec: what a Job's spec, or a CronJob's job template's, must be."""
    out: list[Cause] = []
    for key in NON_NEGATIVE:
        n = fielderrors.integer(spec.get(key))
        if n is not None and n < 0:
            out.append(fielderrors.invalid(f"{path}.{key}", n, "must be greater than or equal to 0"))
    if spec.get("maxFailedIndexes") is not None and spec.get("backoffLimitPerIndex") is None:
        out.append(fielderrors.required(f"{path}.backoffLimitPerIndex", "when maxFailedIndexes is specified"))
    mode = spec.get("completionMode")
    completions, parallelism, max_failed = (fielderrors.integer(spec.get(k)) for k in ("completions", "parallelism", "maxFailedIndexes"))
    if mode is not None and mode not in COMPLETION_MODES:
        out.append(fielderrors.unsupported(f"{path}.completionMode", mode, COMPLETION_MODES))
    if mode == "Indexed":
        if spec.get("completions") is None:
            out.append(fielderrors.required(f"{path}.completions", "when completion mode is Indexed"))
        if parallelism is not None and parallelism > MAX_INDEXED_PARALLELISM:
            out.append(fielderrors.invalid(f"{path}.parallelism", parallelism,
                                f"must be less than or equal to {MAX_INDEXED_PARALLELISM} when completion mode is Indexed"))
        if completions is not None and max_failed is not None and max_failed > completions:
            out.append(fielderrors.invalid(f"{path}.maxFailedIndexes", max_failed, "must be less than or equal to completions"))
        if max_failed is not None and max_failed > MAX_FAILED_INDEXES:
            out.append(fielderrors.invalid(f"{path}.maxFailedIndexes", max_failed, f"must be less than or equal to {MAX_FAILED_INDEXES}"))
    if mode in (None, "NonIndexed"):
        for key in ("backoffLimitPerIndex", "maxFailedIndexes"):
            if spec.get(key) is not None:
                out.append(fielderrors.invalid(f"{path}.{key}", spec[key], "requires indexed completion mode"))
    failure_policy = spec.get("podFailurePolicy") is not None
    replacement = spec.get("podReplacementPolicy")
    if replacement is not None:
        allowed = ("Failed",) if failure_policy else POD_REPLACEMENT_POLICIES
        if replacement not in allowed:
            out.append(fielderrors.unsupported(f"{path}.podReplacementPolicy", replacement, allowed))
    template_spec = (spec.get("template") or {}).get("spec") if isinstance(spec.get("template"), dict) else None
    restart = template_spec.get("restartPolicy", "") if isinstance(template_spec, dict) else ""
    where = f"{path}.template.spec.restartPolicy"
    if restart in ("Always", ""):
        out.append(fielderrors.required(where, 'valid values: "OnFailure", "Never"'))
    elif restart not in ("OnFailure", "Never"):
        out.append(fielderrors.unsupported(where, restart, ("OnFailure", "Never")))
    elif failure_policy and restart != "Never":
        out.append(fielderrors.invalid(where, restart, 'only "Never" is supported when podFailurePolicy is specified'))
    return out


def job(obj: Obj) -> list[Cause]:
    """ValidateJob beyond the selector: the spec, and for an Indexed Job a name that leaves
    room for its pods' hostnames (<name>-<index> must be a DNS label)."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return []
    out = job_spec(spec, "spec")
    name = str((obj.get("metadata") or {}).get("name", ""))
    completions = fielderrors.integer(spec.get("completions"))
    if spec.get("completionMode") == "Indexed" and completions is not None and completions > 0:
        hostname = f"{name}-{completions - 1}"
        if len(hostname) > 63 or not validation.DNS1123_LABEL.match(hostname):
            out.append(fielderrors.invalid("metadata.name", name, f"will not able to create pod with invalid DNS label: {hostname}"))
    return out


def job_update(new: Obj, old: Obj) -> list[Cause]:
    """ValidateJobSpecUpdate's completions: fixed, but for an Indexed Job changed with parallelism."""
    spec, old_spec = new.get("spec") or {}, old.get("spec") or {}
    completions = spec.get("completions")
    if completions == old_spec.get("completions"):
        return []
    if spec.get("completionMode") != "Indexed":
        return [fielderrors.invalid("spec.completions", completions, "field is immutable")]
    if completions is not None and completions != spec.get("parallelism"):
        return [fielderrors.invalid("spec.completions", completions, "can only be modified in tandem with spec.parallelism")]
    return []


def cron_job(obj: Obj, old: Obj | None = None) -> list[Cause]:
    """ValidateCronJobCreate, or ValidateCronJobUpdate from `old`: the schedule and the rest of
    the spec, then (on create) the name's length. A TZ= in the schedule stays allowed if the
    old schedule had one (but not with timeZone), and timeZone is checked when it changes."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return []
    old_spec = (old or {}).get("spec")
    old_spec = old_spec if isinstance(old_spec, dict) else {}
    out: list[Cause] = []
    schedule = spec.get("schedule")
    if isinstance(schedule, str) and schedule:
        wrong = cronspec.error(schedule)
        if wrong:
            out.append(fielderrors.invalid("spec.schedule", schedule, wrong))
        tz_allowed = old is not None and "TZ" in str(old_spec.get("schedule", ""))
        if tz_allowed and "TZ" in schedule and spec.get("timeZone") is not None:
            out.append(fielderrors.invalid("spec.schedule", schedule, "cannot use both timeZone field and TZ or CRON_TZ in schedule"))
        elif not tz_allowed and "TZ" in schedule:
            out.append(fielderrors.invalid("spec.schedule", schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"))
    deadline = fielderrors.integer(spec.get("startingDeadlineSeconds"))
    if deadline is not None and deadline < 0:
        out.append(fielderrors.invalid("spec.startingDeadlineSeconds", deadline, "must be greater than or equal to 0"))
    if old is None or old_spec.get("timeZone") != spec.get("timeZone"):
        out += time_zone(spec.get("timeZone"))
    policy = spec.get("concurrencyPolicy")
    if policy == "":
        out.append(fielderrors.required("spec.concurrencyPolicy"))
    elif isinstance(policy, str) and policy not in CONCURRENCY_POLICIES:
        out.append(fielderrors.unsupported("spec.concurrencyPolicy", policy, CONCURRENCY_POLICIES))
    template = spec.get("jobTemplate")
    template_spec = template.get("spec") if isinstance(template, dict) else None
    if isinstance(template_spec, dict):
        out += job_spec(template_spec, "spec.jobTemplate.spec")
        if template_spec.get("selector") is not None:
            out.append(fielderrors.invalid("spec.jobTemplate.spec.selector", labelrules.selector_json(template_spec["selector"]),
                                           "`selector` will be auto-generated"))
        if template_spec.get("manualSelector") is True:
            out.append(fielderrors.unsupported("spec.jobTemplate.spec.manualSelector", True, ("nil", "false")))
    for key in ("successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
        n = fielderrors.integer(spec.get(key))
        if n is not None and n < 0:
            out.append(fielderrors.invalid(f"spec.{key}", n, "must be greater than or equal to 0"))
    name = str((obj.get("metadata") or {}).get("name", ""))
    if old is None and len(name) > CRON_JOB_NAME_MAX:
        out.append(fielderrors.invalid("metadata.name", name, f"must be no more than {CRON_JOB_NAME_MAX} characters"))
    return out


def time_zone(value: Any) -> list[Cause]:
    """validateTimeZone: a name from the tz database, never "" nor Local."""
    if not isinstance(value, str):
        return []
    where = "spec.timeZone"
    if not value:
        return [fielderrors.invalid(where, value, "timeZone must be nil or non-empty string")]
    for part in value.split("/"):
        if part in (".", "..") or part.startswith("-") or not TIME_ZONE_PART.match(part):
            return [fielderrors.invalid(where, value, f"unknown time zone {value}")]
    out = []
    if value.lower() == "local":
        out.append(fielderrors.invalid(where, value, "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"))
    wrong = golang.load_location(value)
    if wrong:
        out.append(fielderrors.invalid(where, value, wrong))
    return out
