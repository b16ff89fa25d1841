"""A pod spec's own securityContext and each container's as kube-apiserver 1.35 validates them
(pkg/apis/core/validation/validation.go validatePodSpecSecurityContext, validateSysctls,
ValidateHostSysctl, validateSeccompProfileField, ValidateAppArmorProfileField,
validateWindowsSecurityContextOptions, ValidateSecurityContext, validateWindowsHostProcessPod,
validateHostUsers), in its order and words.

A container's `privileged: true` is accepted: kube refuses it (privileged: Forbidden: disallowed
by cluster policy) only when kube-apiserver runs with --allow-privileged=false; its flag's
default is false, but clusters (kubeadm, kind, envtest) run with true, and vapi stores what
they accept. kube checks neither capability names, runAsNonRoot against runAsUser 0,
readOnlyRootFilesystem nor seLinuxOptions when a pod is written (the kubelet and Pod Security
admission do), so neither does vapi.

kube's internal PodSecurityContext also holds the v1 spec's hostNetwork, hostPID, hostIPC and
shareProcessNamespace, so a shareProcessNamespace that clashes with hostPID is reported at
`securityContext.shareProcessNamespace`; and a bad value that is a whole internal struct (a
seccomp profile) is printed as Go's JSON of it, with Go's field names.
"""

from __future__ import annotations

import re
from typing import Any

from vapi import fielderrors, pathrules
from vapi.dnsnames import dns_subdomain
from vapi.fielderrors import Cause, integer, required, unsupported

Obj = dict[str, Any]

MAX_INT32 = 2**31 - 1
ID_RANGE = f"must be between 0 and {MAX_INT32}, inclusive"  # IsValidUserID / IsValidGroupID
SYSCTL_SEGMENT = "[a-z0-9]([-_a-z0-9]*[a-z0-9])?"
SYSCTL_NAME = re.compile(f"^({SYSCTL_SEGMENT}[\\./])*{SYSCTL_SEGMENT}$")  # kube's words; fullmatch as Go's $
SYSCTL_MAX_LENGTH = 253
# component-helpers node/util/sysctl: the sysctls of the network and IPC namespaces
IPC_SYSCTLS = ("kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced",
               "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni")
PROFILE_TYPES = ("Localhost", "RuntimeDefault", "Unconfined")
FS_GROUP_CHANGE_POLICIES = ("Always", "OnRootMismatch")
SUPPLEMENTAL_GROUPS_POLICIES = ("Merge", "Strict")
SELINUX_CHANGE_POLICIES = ("MountOption", "Recursive")
MAX_LOCALHOST_PROFILE = 4095
PROC_MOUNT_TYPES = ("Default", "Unmasked")
# validateWindowsSecurityContextOptions' limits and patterns
MAX_GMSA_SPEC_KIB = 64
MAX_RUN_AS_DOMAIN = 256
MAX_RUN_AS_USER = 104
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
NETBIOS_DOMAIN = re.compile(r'^[^\\/:*?"<>|.][^\\/:*?"<>|]{0,14}$')
DNS_DOMAIN = re.compile(r"^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$")
USER_NAME_CHARS = re.compile(r'["/\\:;|=,+*?<>@\[\]]')
DOTS_SPACES = re.compile(r"^[. ]+$")


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
    out += windows_options(context.get("windowsOptions"), f"{path}.windowsOptions")
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
        elif len(name) > SYSCTL_MAX_LENGTH or not SYSCTL_NAME.fullmatch(name):
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


def windows_options(options: Any, path: str) -> list[Cause]:
    """validateWindowsSecurityContextOptions. kube passes each value as a pointer: it is printed
    as Go's JSON of the string."""
    if not isinstance(options, dict):
        return []
    out: list[Cause] = []
    name = options.get("gmsaCredentialSpecName")
    if isinstance(name, str):
        out += [fielderrors.invalid_json(f"{path}.gmsaCredentialSpecName", name, m) for m in dns_subdomain(name)]
    spec = options.get("gmsaCredentialSpec")
    if isinstance(spec, str):
        if not spec:
            out.append(fielderrors.invalid_json(f"{path}.gmsaCredentialSpec", spec, "gmsaCredentialSpec cannot be an empty string"))
        elif len(spec.encode()) > MAX_GMSA_SPEC_KIB * 1024:
            out.append(fielderrors.invalid_json(f"{path}.gmsaCredentialSpec", spec,
                                                f"gmsaCredentialSpec size must be under {MAX_GMSA_SPEC_KIB} KiB"))
    user = options.get("runAsUserName")
    if isinstance(user, str):
        out += [fielderrors.invalid_json(f"{path}.runAsUserName", user, m) for m in _run_as_user_name(user)]
    return out


def _run_as_user_name(value: str) -> list[str]:
    if not value:
        return ["runAsUserName cannot be an empty string"]
    if CONTROL.search(value):
        return ["runAsUserName cannot contain control characters"]
    parts = value.split("\\")
    if len(parts) > 2:
        return ["runAsUserName cannot contain more than one backslash"]
    domain, user = (parts[0], parts[1]) if len(parts) == 2 else ("", parts[0])
    out = []
    if len(domain.encode()) >= MAX_RUN_AS_DOMAIN:
        out.append(f"runAsUserName's Domain length must be under {MAX_RUN_AS_DOMAIN} characters")
    if len(parts) == 2 and not (NETBIOS_DOMAIN.fullmatch(domain) or DNS_DOMAIN.fullmatch(domain)):
        out.append("runAsUserName's Domain doesn't match the NetBios nor the DNS format")
    if not user:
        out.append("runAsUserName's User cannot be empty")
    elif len(user.encode()) > MAX_RUN_AS_USER:
        out.append(f"runAsUserName's User length must not be longer than {MAX_RUN_AS_USER} characters")
    if DOTS_SPACES.fullmatch(user):
        out.append("runAsUserName's User cannot contain only periods or spaces")
    if USER_NAME_CHARS.search(user):
        out.append('runAsUserName\'s User cannot contain the following characters: "/\\:;|=,+*?<>@[]')
    return out


def container_security_context(context: Any, path: str, *, host_users: bool) -> list[Cause]:
    """ValidateSecurityContext of a container's securityContext (path is its field path);
    host_users is the pod's hostUsers, true unless set false."""
    if not isinstance(context, dict):
        return []
    out = _id(context.get("runAsUser"), f"{path}.runAsUser") + _id(context.get("runAsGroup"), f"{path}.runAsGroup")
    proc_mount = context.get("procMount")
    if proc_mount is not None:
        if proc_mount not in PROC_MOUNT_TYPES:
            out.append(unsupported(f"{path}.procMount", proc_mount, PROC_MOUNT_TYPES))
        if host_users and proc_mount == "Unmasked":
            out.append(fielderrors.invalid_json(f"{path}.procMount", proc_mount, "`hostUsers` must be false to use `Unmasked`"))
    out += seccomp_profile(context.get("seccompProfile"), f"{path}.seccompProfile")
    if context.get("allowPrivilegeEscalation") is False:
        if context.get("privileged") is True:
            out.append(fielderrors.invalid(path, _internal(context),
                                           "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"))
        for cap in fielderrors.sequence(fielderrors.mapping(context.get("capabilities")).get("add")):
            if cap == "CAP_SYS_ADMIN":
                out.append(fielderrors.invalid(path, _internal(context), "cannot set `allowPrivilegeEscalation` to false and "
                                                                         "`capabilities.Add` CAP_SYS_ADMIN"))
    out += windows_options(context.get("windowsOptions"), f"{path}.windowsOptions")
    return out + apparmor_profile(context.get("appArmorProfile"), f"{path}.appArmorProfile")


# the internal SecurityContext's fields (v1's, in the same order), and those of the structs it holds
INTERNAL_FIELDS = {
    "": ("Capabilities", "Privileged", "SELinuxOptions", "WindowsOptions", "RunAsUser", "RunAsGroup", "RunAsNonRoot",
         "ReadOnlyRootFilesystem", "AllowPrivilegeEscalation", "ProcMount", "SeccompProfile", "AppArmorProfile"),
    "Capabilities": ("Add", "Drop"),
    "WindowsOptions": ("GMSACredentialSpecName", "GMSACredentialSpec", "RunAsUserName", "HostProcess"),
    "SeccompProfile": ("Type", "LocalhostProfile"),
    "AppArmorProfile": ("Type", "LocalhostProfile"),
}
SELINUX_FIELDS = ("User", "Role", "Type", "Level")  # strings, not pointers: "" when left out


def _internal(context: Obj) -> Obj:
    """The internal SecurityContext as Go's JSON prints it: Go's field names, in struct order,
    null for each pointer left out."""
    def struct(value: Any, fields: tuple[str, ...]) -> Obj | None:
        if not isinstance(value, dict):
            return None
        by_go = {k.lower(): v for k, v in value.items()}
        return {f: by_go.get(f.lower()) for f in fields}

    out = struct(context, INTERNAL_FIELDS[""]) or {}
    for key in ("Capabilities", "WindowsOptions", "SeccompProfile", "AppArmorProfile"):
        out[key] = struct(out[key], INTERNAL_FIELDS[key])
    for key in ("SeccompProfile", "AppArmorProfile"):
        if out[key] is not None and out[key]["Type"] is None:
            out[key]["Type"] = ""
    selinux = struct(out["SELinuxOptions"], SELINUX_FIELDS)
    out["SELinuxOptions"] = None if selinux is None else {k: v or "" for k, v in selinux.items()}
    return out


def windows_host_process(spec: Obj, path: str) -> list[Cause]:
    """validateWindowsHostProcessPod: a pod with any hostProcess container has only those, and
    the host's network (hostProcess containers are allowed as privileged ones are)."""
    pod = fielderrors.mapping(fielderrors.mapping(spec.get("securityContext")).get("windowsOptions")).get("hostProcess")
    out: list[Cause] = []
    count = host_process = 0
    for key in ("initContainers", "containers", "ephemeralContainers"):  # VisitContainersWithPath's order
        for i, c in enumerate(fielderrors.sequence(spec.get(key))):
            count += 1
            context = fielderrors.mapping(fielderrors.mapping(c).get("securityContext"))
            mine = fielderrors.mapping(context.get("windowsOptions")).get("hostProcess")
            if isinstance(pod, bool) and isinstance(mine, bool) and pod != mine:
                out.append(fielderrors.invalid(f"{path}.{key}[{i}].securityContext.windowsOptions.hostProcess", mine,
                                               f"pod hostProcess value must be identical if both are specified, was "
                                               f"{str(pod).lower()}"))
            if mine is True or (mine is None and pod is True):
                host_process += 1
    if host_process:
        if host_process != count:
            out.append(fielderrors.invalid(path, "", "If pod contains any hostProcess containers then all containers "
                                                     "must be HostProcess containers"))
        if spec.get("hostNetwork") is not True:
            out.append(fielderrors.invalid(f"{path}.hostNetwork", False,
                                           "hostNetwork must be true if pod contains any hostProcess containers"))
    return out


def host_users(spec: Obj, path: str) -> list[Cause]:
    """validateHostUsers: a pod in its own user namespace shares no other namespace with the
    host (kube's paths name HostPID and HostIPC by their Go names)."""
    if spec.get("hostUsers") is not False:
        return []
    return [fielderrors.forbidden(f"{path}.{name}", "when `pod.Spec.HostUsers` is false")
            for key, name in (("hostNetwork", "hostNetwork"), ("hostPID", "HostPID"), ("hostIPC", "HostIPC"))
            if spec.get(key) is True]
