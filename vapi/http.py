"""Request bodies in, JSON out: the small pieces every handler shares."""

from __future__ import annotations

from typing import Any

import orjson
import yaml
from aiohttp import web

from vapi import errors, kubeproto

MAX_BODY = 3 * 1024 * 1024  # kube-apiserver's limit on a request body
JSON = "application/json"

try:
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader


def respond(data: Any, status: int = 200, headers: dict[str, str] | None = None, content_type: str = JSON) -> web.Response:
    return web.Response(body=orjson.dumps(data), status=status, headers={"Content-Type": content_type, **(headers or {})})


async def read_body(request: web.Request) -> bytes:
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise errors.too_large(f"the request body is too large: {request.content_length} bytes, limit {MAX_BODY}")
    body = bytearray()
    async for chunk in request.content.iter_chunked(65536):
        body += chunk
        if len(body) > MAX_BODY:
            raise errors.too_large(f"the request body is too large: over {MAX_BODY} bytes")
    return bytes(body)


def media_type(request: web.Request) -> str:
    return request.headers.get("Content-Type", JSON).split(";")[0].strip().lower() or JSON


def decode_object(body: bytes, content_type: str) -> dict[str, Any]:
    """A JSON or YAML object; anything else is a 400 (or 415 for an unknown media type)."""
    if content_type in ("application/json", "*/*", ""):
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError as e:
            raise errors.bad_request(f"error decoding JSON: {e}") from e
    elif content_type == kubeproto.CONTENT_TYPE:
        data = kubeproto.decode(body)
    elif content_type in ("application/yaml", "application/x-yaml", "text/yaml"):
        data = json_or_yaml(body)
    else:
        raise errors.unsupported_media_type(content_type)
    if not isinstance(data, dict):
        raise errors.bad_request(f"Object 'Kind' is missing in '{body[:200].decode(errors='replace')}'")
    return data


def json_or_yaml(body: bytes) -> Any:
    """YAML, read as JSON when it is JSON (what kubectl and helm send as apply patches):
    orjson is some twenty times faster than PyYAML's C loader."""
    if body.lstrip()[:1] == b"{":
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            pass  # YAML's flow style, or not well-formed: YAML says which
    try:
        return yaml.load(body, Loader=_Loader)
    except yaml.YAMLError as e:
        raise errors.bad_request(f"error decoding YAML: {e}") from e


def query_bool(request: web.Request, name: str) -> bool:
    value = request.query.get(name, "")
    if value in ("", "false", "0", "False"):
        return False
    if value in ("true", "1", "True"):
        return True
    raise errors.bad_request(f"invalid value for {name}: {value!r}")


def query_int(request: web.Request, name: str, default: int = 0) -> int:
    value = request.query.get(name)
    if value is None or value == "":
        return default
    try:
        n = int(value)
    except ValueError:
        raise errors.bad_request(f"invalid value for {name}: {value!r}: must be an integer") from None
    if n < 0:
        raise errors.bad_request(f"invalid value for {name}: {value!r}: must be non-negative")
    return n


# The options kind kube-apiserver validates a request's query against, by method
# (k8s.io/apimachinery/pkg/apis/meta/v1/validation: ValidateCreateOptions and the others)
OPTIONS_KIND = {"POST": "CreateOptions", "PUT": "UpdateOptions", "PATCH": "PatchOptions", "DELETE": "DeleteOptions"}


def invalid_options(request: web.Request, causes: list[dict[str, str]]) -> errors.APIError:
    """`PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: ...` (422)."""
    return errors.invalid("meta.k8s.io", OPTIONS_KIND.get(request.method, "CreateOptions"), "", causes)


def _go_quote(s: str) -> str:
    """A string as Go's %q prints it."""
    out = ""
    for ch in s:
        if ch in ('"', "\\"):
            out += "\\" + ch
        elif ch.isprintable():
            out += ch
        elif ord(ch) < 0x80:
            out += {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(ch, f"\\x{ord(ch):02x}")
        else:
            out += f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}"
    return f'"{out}"'


def dry_run(request: web.Request) -> bool:
    values = request.query.getall("dryRun", [])
    if any(v != "All" for v in values):
        listed = ", ".join(_go_quote(v) for v in values)
        raise invalid_options(request, [{"reason": "FieldValueNotSupported", "field": "dryRun",
                                         "message": f'Unsupported value: []string{{{listed}}}: supported values: "All"'}])
    return bool(values)


def field_validation(request: web.Request) -> str:
    value = request.query.get("fieldValidation", "")
    if value not in ("", "Ignore", "Warn", "Strict"):
        raise invalid_options(request, [{"reason": "FieldValueNotSupported", "field": "fieldValidation",
                                         "message": f'Unsupported value: {_go_quote(value)}: supported values: "", "Ignore", "Strict", "Warn"'}])
    return value or "Warn"


def field_manager(request: web.Request, *, apply: bool = False) -> str:
    """The manager a write is recorded under: `fieldManager`, else the printable part of the
    User-Agent before its first "/", at most 128 bytes, or "unknown" (managerOrUserAgent and
    prefixFromUserAgent in k8s.io/apiserver's handlers, buildManagerInfo in managedfields).
    A fieldManager over 128 bytes or with unprintable characters is a 422 on the options;
    apply requires one (ValidatePatchOptions)."""
    manager = request.query.get("fieldManager", "")
    causes = []
    if apply and not manager:
        causes.append({"reason": "FieldValueRequired", "field": "fieldManager", "message": "Required value: is required for apply patch"})
    if len(manager.encode()) > 128:
        causes.append({"reason": "FieldValueTooLong", "field": "fieldManager", "message": "Too long: must have at most 128 bytes"})
    for i, ch in enumerate(manager):
        if not ch.isprintable() and ch != " ":  # Go's %#U shows no glyph for these
            causes.append({"reason": "FieldValueInvalid", "field": "fieldManager",
                           "message": f"Invalid value: {_go_quote(manager)}: invalid character U+{ord(ch):04X} "
                                      f"(at position {len(manager[:i].encode())})"})
    if causes:
        raise invalid_options(request, causes)
    if manager:
        return manager
    out = ""
    for ch in request.headers.get("User-Agent", "").split("/", 1)[0]:
        if not ch.isprintable() and ch != " ":
            continue
        if len((out + ch).encode()) > 128:
            break
        out += ch
    return out or "unknown"
