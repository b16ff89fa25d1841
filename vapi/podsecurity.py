"""A pod spec's own securityContext as kube-apiserver 1.35 validates it
(pkg/apis/core/validation/validation.go validatePodSpecSecurityContext, validateSysctls,
ValidateHostSysctl, validateSeccompProfileField, ValidateAppArmorProfileField), in its order
and words.

kube's internal PodSecurityContext also holds the v1 spec's hostNetwork, hostPID, hostIPC and
shareProcessNamespace, so a shareProcessNamespace that clashes with hostPID is reported at
`securityContext.shareProcessNamespace`; and a bad value that is a whole internal struct (a
seccomp profile) is printed as Go's JSON of it, with Go's field names.
"""

from __future__ import annotations

import re
from typing import Any

from vapi import fielderrors, pathrules
from vapi.fielderrors import Cause, integer, required, unsupported

Obj = dict[str, Any]

MAX_INT32 = 2**31 - 1
ID_RANGE = f"must be between 0 and {MAX_INT32}, inclusive"  # IsValidUserID / IsValidGroupID
SYSCTL_SEGMENT = "[a-z0-9]([-_a-z0-9]*[a-z0-9])?"
SYSCTL_NAME = re.compile(f"^({SYSCTL_SEGMENT}[\\./])*{SYSCTL_SEGMENT}$")
SYSCTL_MAX_LENGTH = 253
# component-helpers node/util/sysctl: the sysctls of the network and IPC namespaces
IPC_SYSCTLS = ("kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
               "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni")
PROFILE_TYPES = ("Localhost", "RuntimeDefault", "Unconfined")
FS_GROUP_CHANGE_POLICIES = ("Always", "OnRootMismatch")
SUPPLEMENTAL_GROUPS_POLICIES = ("Merge", "Strict")
SELINUX_CHANGE_POLICIES = ("MountOption", "Recursive")
MAX_LOCALHOST_PROFILE = 4095


def _id(value: Any, path: str) -> list[Cause]:
    number = integer(value)
    return [fielderrors.invalid(path, number, ID_RANGE)] if number is not None and not 0 <= number <= MAX_INT32 else []


def pod_security_context(spec: Obj, path: str) -> list[Cause]:
    """validatePodSpecSecurityContext of spec.securityContext (path is its field path)."""
    context = spec.get("securityContext")
    if not isinstance(context, dict):
        return []
    out = _id(context.get("fsGroup"), f"{path}.fsGroup")
    out += _id(context.get("runAsUser"), f"{path}.runAsUser")
    out += _id(context.get("runAsGroup"), f"{path}.runAsGroup")
    groups = context.get("supplementalGroups")
    for i, gid in enumerate(groups if isinstance(groups, list) else []):
        out += _id(gid, f"{path}.supplementalGroups[{i}]")
    if spec.get("shareProcessNamespace") is True and spec.get("hostPID") is True:
        out.append(fielderrors.invalid(f"{path}.shareProcessNamespace", True, "ShareProcessNamespace and HostPID cannot both be enabled"))
    sysctls = context.get("sysctls")
    if isinstance(sysctls, list) and sysctls:
        out += _sysctls(sysctls, spec, f"{path}.sysctls")
    out += _policy(context, "fsGroupChangePolicy", FS_GROUP_CHANGE_POLICIES, path)
    out += seccomp_profile(context.get("seccompProfile"), f"{path}.seccompProfile")
    out += apparmor_profile(context.get("appArmorProfile"), f"{path}.appArmorProfile")
    out += _policy(context, "supplementalGroupsPolicy", SUPPLEMENTAL_GROUPS_POLICIES, path)
    return out + _policy(context, "seLinuxChangePolicy", SELINUX_CHANGE_POLICIES, path)


def _policy(context: Obj, key: str, allowed: tuple[str, ...], path: str) -> list[Cause]:
    value = context.get(key)
    return [unsupported(f"{path}.{key}", value, allowed)] if value is not None and value not in allowed else []


def _sysctls(items: list[Any], spec: Obj, path: str) -> list[Cause]:
    """validateSysctls: names required, well-formed and unique, and none of a namespace the
    pod shares with the host (ValidateHostSysctl)."""
    out: list[Cause] = []
    names: set[str] = set()
    for i, item in enumerate(items):
        name = item.get("name") if isinstance(item, dict) else None
        name = name if isinstance(name, str) else ""
        here = f"{path}[{i}].name"
        if not name:
            out.append(required(here))
        elif len(name) > SYSCTL_MAX_LENGTH or not SYSCTL_NAME.match(name):
            out.append(fielderrors.invalid(here, name, f"must have at most {SYSCTL_MAX_LENGTH} characters and match regex "
                                                       f"{SYSCTL_NAME.pattern}"))
        elif name in names:
            out.append(fielderrors.duplicate(here, name))
        normalized = _normalized(name)
        if spec.get("hostNetwork") is True and normalized.startswith("net."):
            out.append(fielderrors.invalid(here, name, "may not be specified when 'hostNetwork' is true"))
        elif spec.get("hostIPC") is True and (normalized in IPC_SYSCTLS or normalized.startswith("fs.mqueue.")):
            out.append(fielderrors.invalid(here, name, "may not be specified when 'hostIPC' is true"))
        names.add(name)
    return out


def _normalized(name: str) -> str:
    """sysctl.NormalizeName: a name whose first separator is / uses / between segments (and . inside them)."""
    first = re.search(r"[./]", name)
    if first is None or first.group() != "/":
        return name
    return name.translate(str.maketrans("./", "/."))


def seccomp_profile(profile: Any, path: str) -> list[Cause]:
    """validateSeccompProfileField."""
    if not isinstance(profile, dict):
        return []
    kind, local = profile.get("type"), profile.get("localhostProfile")
    out: list[Cause] = []
    if not kind:
        out.append(required(f"{path}.type", "type is required when seccompProfile is set"))
    elif kind not in PROFILE_TYPES:
        out.append(unsupported(f"{path}.type", kind, PROFILE_TYPES))
    if kind == "Localhost":
        if local is None:
            out.append(required(f"{path}.localhostProfile", "must be set when seccomp type is Localhost"))
        else:
            out += pathrules.descending(str(local), f"{path}.localhostProfile")
    elif local is not None:
        shown = {"Type": kind or "", "LocalhostProfile": local}  # the internal SeccompProfile, as Go's JSON
        out.append(fielderrors.invalid(f"{path}.localhostProfile", shown, "can only be set when seccomp type is Localhost"))
    return out


def apparmor_profile(profile: Any, path: str) -> list[Cause]:
    """ValidateAppArmorProfileField."""
    if not isinstance(profile, dict):
        return []
    kind, local = profile.get("type"), profile.get("localhostProfile")
    here = f"{path}.localhostProfile"
    if kind == "Localhost":
        if local is None:
            return [required(here, "must be set when AppArmor type is Localhost")]
        local = str(local)
        out: list[Cause] = []
        if local.strip() != local:
            out.append(fielderrors.invalid(here, local, "must not be padded with whitespace"))
        elif not local:
            out.append(required(here, "must be set when AppArmor type is Localhost"))
        if len(local.encode()) > MAX_LOCALHOST_PROFILE:
            out.append({"reason": "FieldValueTooLong", "field": here,
                        "message": f"Too long: may not be more than {MAX_LOCALHOST_PROFILE} bytes"})
        return out
    if kind in ("RuntimeDefault", "Unconfined"):
        return [fielderrors.invalid(here, local, "can only be set when AppArmor type is Localhost")] if local is not None else []
    if not kind:
        return [required(f"{path}.type", "type is required when appArmorProfile is set")]
    return [unsupported(f"{path}.type", kind, PROFILE_TYPES)]
