"""API errors, rendered in one place as Kubernetes `Status` bodies.

Codes and reasons follow k8s.io/apimachinery/pkg/api/errors/errors.go; storage errors are
translated per operation as k8s.io/apiserver/pkg/storage/errors does (a missing key on get is
NotFound, an existing key on create is AlreadyExists, a guarded write that lost is Conflict, a
compacted revision is Expired/Gone). Anything else becomes a logged 500 InternalError.
"""

from __future__ import annotations

from typing import Any

from storage import errors as storage_errors


class APIError(Exception):
    def __init__(
        self,
        code: int,
        reason: str,
        message: str,
        *,
        details: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        list_meta: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
        self.headers = headers or {}
        self.list_meta = list_meta  # the Status's metadata (a fresh continue token on a 410)

    def status(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": dict(self.list_meta or {}),
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        if self.details is not None:
            body["details"] = self.details
        return body


def _details(group: str, kind: str, name: str = "", **extra: Any) -> dict[str, Any]:
    d: dict[str, Any] = {}
    if name:
        d["name"] = name
    if group:
        d["group"] = group
    d["kind"] = kind
    d.update(extra)
    return d


def qualified(group: str, resource: str) -> str:
    return f"{resource}.{group}" if group else resource


def not_found(group: str, resource: str, name: str) -> APIError:
    return APIError(
        404, "NotFound", f'{qualified(group, resource)} "{name}" not found',
        details=_details(group, resource, name),
    )


def already_exists(group: str, resource: str, name: str) -> APIError:
    return APIError(
        409, "AlreadyExists", f'{qualified(group, resource)} "{name}" already exists',
        details=_details(group, resource, name),
    )


def conflict(group: str, resource: str, name: str, why: str) -> APIError:
    return APIError(
        409, "Conflict", f'Operation cannot be fulfilled on {qualified(group, resource)} "{name}": {why}',
        details=_details(group, resource, name),
    )


MODIFIED = "the object has been modified; please apply your changes to the latest version and try again"


def invalid(group: str, kind: str, name: str, causes: list[dict[str, str]]) -> APIError:
    """422 Invalid: every cause in details, the message listing each distinct one once (as
    field.ErrorList.ToAggregate does)."""
    distinct = list(dict.fromkeys(f"{c['field']}: {c['message']}" for c in causes))
    listed = ", ".join(distinct)
    if len(distinct) > 1:
        listed = "[" + listed + "]"
    return APIError(
        422, "Invalid", f'{kind}{"." + group if group else ""} "{name}" is invalid: {listed}',
        details=_details(group, kind, name, causes=causes),
    )


def bad_request(message: str) -> APIError:
    return APIError(400, "BadRequest", message)


def method_not_supported(group: str, resource: str, verb: str) -> APIError:
    return APIError(
        405, "MethodNotAllowed", f"{verb} is not supported on resources of kind \"{qualified(group, resource)}\"",
        details=_details(group, resource),
    )


def unsupported_media_type(content_type: str) -> APIError:
    return APIError(415, "UnsupportedMediaType", f"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got {content_type!r})")


def not_acceptable(accept: str) -> APIError:
    return APIError(406, "NotAcceptable", f"the server was unable to respond with a content type that the client supports (accept {accept!r})")


def expired(message: str) -> APIError:
    return APIError(410, "Expired", message)


def gone(message: str) -> APIError:
    return APIError(410, "Gone", message)


def too_large(message: str) -> APIError:
    return APIError(413, "RequestEntityTooLarge", message)


def unauthorized() -> APIError:
    return APIError(401, "Unauthorized", "Unauthorized")


def forbidden(message: str, *, details: dict[str, Any] | None = None) -> APIError:
    return APIError(403, "Forbidden", message, details=details)


def path_not_found(path: str) -> APIError:
    return APIError(404, "NotFound", f"the server could not find the requested resource", details={"causes": [{"reason": "UnexpectedServerResponse", "message": "404 page not found"}]})


def unavailable(message: str) -> APIError:
    return APIError(503, "ServiceUnavailable", message)


def internal(message: str) -> APIError:
    return APIError(500, "InternalError", f"Internal error occurred: {message}")


def from_storage(e: storage_errors.StorageError, group: str, resource: str, name: str) -> APIError:
    """Translate a storage error for one object (after storage/errors.go's Interpret*)."""
    if isinstance(e, storage_errors.KeyNotFound) or (isinstance(e, storage_errors.ValueTooLarge) and e.what == "key"):
        return not_found(group, resource, name)  # no key that long was ever stored
    if isinstance(e, storage_errors.KeyExists):
        return already_exists(group, resource, name)
    if isinstance(e, storage_errors.Conflict):
        return conflict(group, resource, name, MODIFIED)
    if isinstance(e, storage_errors.Compacted):
        return expired(f"too old resource version: {e.revision} ({e.compact_revision})")
    if isinstance(e, storage_errors.FutureRevision):
        return APIError(504, "Timeout", f"Too large resource version: {e.revision}, current: {e.current}",
                        details={"causes": [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}], "retryAfterSeconds": 1})
    if isinstance(e, storage_errors.ValueTooLarge):
        return too_large(f"object is too large: {e.size} bytes, limit {e.limit}")
    if isinstance(e, storage_errors.Unavailable):
        return unavailable(str(e))
    return internal(str(e))
