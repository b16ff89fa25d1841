"""Request bodies in, JSON out: the small pieces every handler shares."""

from __future__ import annotations

from typing import Any

import orjson
import yaml
from aiohttp import web

from vapi import errors, golang, kubeproto

MAX_BODY = 3 * 1024 * 1024  # kube-apiserver's limit on a request body
JSON = "application/json"

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # PyYAML may be built without libyaml


class _Loader(_Base):  # type: ignore[misc]
    """YAML as sigs.k8s.io/yaml reads it into JSON: a timestamp stays the string it is (yaml.v2
    gives interface{} targets the text), `!!binary` is the decoded text."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))
_Loader.add_constructor("tag:yaml.org,2002:binary",
                        lambda loader, node: yaml.SafeLoader.construct_yaml_binary(loader, node).decode(errors="replace"))

# orjson writes (and so vapi stores) no deeper nesting than this
MAX_DEPTH = 254


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
    check_depth(data)
    return data


def check_depth(data: Any) -> None:
    """A 400 for a value nested deeper than vapi can store (kube-apiserver's decoders stop at
    10000 levels; orjson, which writes vapi's store, at 254)."""
    try:
        orjson.dumps(data)
    except orjson.JSONEncodeError as e:
        raise errors.bad_request(f"the object is nested too deeply (at most {MAX_DEPTH} levels): {e}") from None


def json_or_yaml(body: bytes) -> Any:
    """YAML, read as JSON when it is JSON (what kubectl and helm send as apply patches):
    orjson is some twenty times faster than PyYAML's C loader."""
    if body.lstrip()[:1] == b"{":
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            pass  # YAML's flow style, or not well-formed: YAML says which
    try:
        data = yaml.load(body, Loader=_Loader)
    except yaml.YAMLError as e:
        raise errors.bad_request(f"error decoding YAML: {e}") from e
    try:
        return _jsonable(data, [0, len(body) + 100], ())
    except ValueError as e:
        raise errors.bad_request(f"error decoding YAML: {e}") from None


def _jsonable(value: Any, budget: list[int], parents: tuple[int, ...]) -> Any:
    """YAML data as the JSON sigs.k8s.io/yaml converts it to (convertToJSONableObject): keys
    that are numbers or booleans become strings, integers beyond 64 bits floats, a set a map
    of nulls. A null key, an infinite or NaN number, an alias to its own ancestor, more values
    than the text could spell without aliases (yaml.v2: "excessive aliasing") and nesting
    deeper than vapi stores are errors (ValueError)."""
    budget[0] += 1
    if budget[0] > budget[1]:
        raise ValueError("document contains excessive aliasing")
    if isinstance(value, (dict, list, set, tuple)):
        if id(value) in parents:
            raise ValueError("an alias refers to the node that holds it")
        if len(parents) >= MAX_DEPTH:
            raise ValueError(f"nested more than {MAX_DEPTH} levels")
        inner = (*parents, id(value))
        if isinstance(value, dict):
            return {_json_key(k): _jsonable(v, budget, inner) for k, v in value.items()}
        if isinstance(value, set):
            return {_json_key(k): None for k in value}
        return [_jsonable(v, budget, inner) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        if -(2**63) <= value < 2**64:
            return value
        try:
            return float(value)
        except OverflowError:
            raise ValueError(f"json: unsupported value: {'-' if value < 0 else '+'}Inf") from None
    if isinstance(value, float):
        return _finite(value)
    return str(value)


def _json_key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, (int, float)):
        return str(key)
    raise ValueError(f"unsupported map key of type {type(key).__name__}: {key!r}")


def _finite(value: float) -> float:
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(f"json: unsupported value: {'NaN' if value != value else '+Inf' if value > 0 else '-Inf'}")
    return value


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
    if n >= 2**63:  # the options' int64 fields (strconv.ParseInt)
        raise errors.bad_request(f'invalid value for {name}: strconv.ParseInt: parsing "{value}": value out of range')
    return n


# The options kind kube-apiserver validates a request's query against, by method
# (k8s.io/apimachinery/pkg/apis/meta/v1/validation: ValidateCreateOptions and the others)
OPTIONS_KIND = {"POST": "CreateOptions", "PUT": "UpdateOptions", "PATCH": "PatchOptions", "DELETE": "DeleteOptions"}


def invalid_options(request: web.Request, causes: list[dict[str, str]]) -> errors.APIError:
    """`PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: ...` (422)."""
    return errors.invalid("meta.k8s.io", OPTIONS_KIND.get(request.method, "CreateOptions"), "", causes)


def dry_run(request: web.Request) -> bool:
    values = request.query.getall("dryRun", [])
    if any(v != "All" for v in values):
        raise invalid_options(request, [{"reason": "FieldValueNotSupported", "field": "dryRun",
                                         "message": f'Unsupported value: {golang.marshal(values)}: supported values: "All"'}])
    return bool(values)


def field_validation(request: web.Request) -> str:
    value = request.query.get("fieldValidation", "")
    if value not in ("", "Ignore", "Warn", "Strict"):
        raise invalid_options(request, [{"reason": "FieldValueNotSupported", "field": "fieldValidation",
                                         "message": f'Unsupported value: {golang.quote(value)}: supported values: "", "Ignore", "Strict", "Warn"'}])
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
        causes.append({"reason": "FieldValueTooLong", "field": "fieldManager", "message": "Too long: may not be more than 128 bytes"})
    for i, ch in enumerate(manager):
        if not ch.isprintable() and ch != " ":  # Go's %#U shows no glyph for these
            causes.append({"reason": "FieldValueInvalid", "field": "fieldManager",
                           "message": f"Invalid value: {golang.quote(manager)}: invalid character U+{ord(ch):04X} "
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
