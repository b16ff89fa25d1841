"""Relative paths in a pod spec as kube-apiserver validates them
(pkg/apis/core/validation/validation.go: validatePathNoBacksteps, validateLocalDescendingPath,
ValidateLocalNonReservedPath): volume items, subPaths, seccomp localhost profiles.
"""

from __future__ import annotations

import posixpath

from vapi import fielderrors
from vapi.fielderrors import Cause


def no_backsteps(value: str, path: str) -> list[Cause]:
    """validatePathNoBacksteps."""
    return [fielderrors.invalid(path, value, "must not contain '..'")] if ".." in value.split("/") else []


def descending(value: str, path: str) -> list[Cause]:
    """validateLocalDescendingPath."""
    out = [fielderrors.invalid(path, value, "must be a relative path")] if posixpath.isabs(value) else []
    return out + no_backsteps(value, path)


def local_path(value: str, path: str) -> list[Cause]:
    """ValidateLocalNonReservedPath."""
    out = descending(value, path)
    if value.startswith("..") and not value.startswith("../"):
        out.append(fielderrors.invalid(path, value, "must not start with '..'"))
    return out
