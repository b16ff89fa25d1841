"""Reading `application/vnd.kubernetes.protobuf` request bodies, as kubectl's typed commands
send them (`kubectl create configmap`, `create secret`, `auth can-i`, ...).

The body is the 4-byte magic `k8s\\0` and a `runtime.Unknown` message (typeMeta = 1 with
apiVersion = 1 and kind = 2; raw = 2; contentEncoding = 3; contentType = 4); `raw` is the
object in the protobuf encoding of its Go type (k8s.io/apimachinery/pkg/runtime/types.go).
Field numbers, JSON names, Go types and omitempty come from vapi/data/kubeproto.json
(hack/gen_kubeproto.py reads them from the Go struct tags of k8s.io/api). The result is the
object as Go's encoding/json would write it: omitempty zero values dropped, embedded structs
inlined, the wrapper types (Time, Duration, IntOrString, Quantity, RawExtension, FieldsV1)
in their JSON forms.
"""

from __future__ import annotations

import base64
import datetime
import functools
import json
import os
import struct
from typing import Any

import orjson

from vapi import errors

CONTENT_TYPE = "application/vnd.kubernetes.protobuf"
MAGIC = b"k8s\x00"
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "kubeproto.json")
Json = Any
Field = tuple[int, int, Any]  # (number, wire type, value)

INTS = {"int", "int32", "int64", "uint32", "uint64", "byte"}
# Groups whose k8s.io/api package directory is not the group's first label.
PACKAGE_OF_GROUP = {"": "core", "internal.apiserver.k8s.io": "apiserverinternal"}


class ProtoError(Exception):
    pass


@functools.cache
def table() -> dict[str, Any]:
    with open(DATA) as f:
        data: dict[str, Any] = json.load(f)
    return data


_EMPTY_OF_KIND = {"string": "", "bool": False, **{t: 0 for t in INTS}, "float64": 0, "float32": 0}


@functools.cache
def omitted_when_empty(struct: str) -> dict[str, Any]:
    """JSON field -> the empty value encoding/json leaves out of a Go struct (`core/v1.Container`)
    for its `omitempty` fields: "" , 0, false, [] or {}. Pointers and structs are never left out
    for being empty. Unknown structs: {}."""
    data = table()
    out: dict[str, Any] = {}
    for _number, name, go_type, omitempty, inline in data["structs"].get(struct, ()):
        if not omitempty or inline:
            continue
        underlying = data["named"].get(go_type, go_type)
        if underlying.startswith("[]"):
            out[name] = []
        elif underlying.startswith("map["):
            out[name] = {}
        elif underlying in _EMPTY_OF_KIND:
            out[name] = _EMPTY_OF_KIND[underlying]
    return out


def struct_of_definition(definition: str) -> str:
    """The Go struct of an OpenAPI definition: `io.k8s.api.core.v1.Container` ->
    `core/v1.Container`; "" for a name of another shape."""
    parts = definition.split(".")
    return f"{parts[-3]}/{parts[-2]}.{parts[-1]}" if len(parts) >= 3 else ""


def _varint(buf: bytes, i: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        if i >= len(buf) or shift > 63:
            raise ProtoError("truncated varint")
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7


def fields(buf: bytes) -> list[Field]:
    out: list[Field] = []
    i = 0
    while i < len(buf):
        key, i = _varint(buf, i)
        number, wire = key >> 3, key & 7
        value: int | bytes
        if wire == 0:
            value, i = _varint(buf, i)
        elif wire == 1:
            value, i = buf[i:i + 8], i + 8
        elif wire == 2:
            n, i = _varint(buf, i)
            value, i = buf[i:i + n], i + n
        elif wire == 5:
            value, i = buf[i:i + 4], i + 4
        else:
            raise ProtoError(f"unsupported wire type {wire}")
        if i > len(buf):
            raise ProtoError("truncated field")
        out.append((number, wire, value))
    return out


def _resolve(t: str) -> str:
    named = table()["named"]
    seen = 0
    while t in named and seen < 10:
        t, seen = named[t], seen + 1
    return t


def _signed(v: int) -> int:
    return v - (1 << 64) if v >= 1 << 63 else v


def _time(buf: bytes, micro: bool) -> str | None:
    seconds = nanos = 0
    for number, wire, value in fields(buf):
        if number == 1:
            seconds = _scalar("int64", wire, value)
        elif number == 2:
            nanos = _scalar("int32", wire, value)
    if seconds == 0 and nanos == 0:
        return None
    t = datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)
    if micro:
        return t.strftime("%Y-%m-%dT%H:%M:%S") + f".{nanos // 1000:06d}Z"
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def go_duration(ns: int) -> str:
    """time.Duration.String()."""
    if ns == 0:
        return "0s"
    sign = "-" if ns < 0 else ""
    ns = abs(ns)
    if ns < 1_000_000_000:
        for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
            if ns >= size:
                return sign + _trim(ns / size) + unit
    h, rem = divmod(ns, 3_600_000_000_000)
    m, rem = divmod(rem, 60_000_000_000)
    s = _trim(rem / 1e9) + "s"
    if h:
        return f"{sign}{h}h{m}m{s}"
    if m:
        return f"{sign}{m}m{s}"
    return sign + s


def _trim(x: float) -> str:
    text = f"{x:.9f}".rstrip("0").rstrip(".")
    return text or "0"


def _special(t: str, buf: bytes) -> tuple[bool, Json]:
    if t in ("meta/v1.Time", "meta/v1.MicroTime"):
        return True, _time(buf, micro=t.endswith("MicroTime"))
    if t == "meta/v1.Duration":
        ns = next((_scalar("int64", w, v) for n, w, v in fields(buf) if n == 1), 0)
        return True, go_duration(ns)
    if t == "intstr.IntOrString":
        kind, ival, sval = 0, 0, ""
        for n, w, v in fields(buf):
            if n == 1:
                kind = _scalar("int64", w, v)
            elif n == 2:
                ival = _scalar("int32", w, v)
            elif n == 3:
                sval = _scalar("string", w, v)
        return True, sval if kind == 1 else ival
    if t == "resource.Quantity":
        return True, next((_scalar("string", w, v) for n, w, v in fields(buf) if n == 1), "0")
    if t in ("runtime.RawExtension", "meta/v1.FieldsV1"):
        raw = next((_bytes(w, v) for n, w, v in fields(buf) if n == 1), b"")
        return True, orjson.loads(raw) if raw else None
    return False, None


# the wire type each scalar must come in; any other is a malformed body
_WIRE = {"string": 2, "[]byte": 2, "bool": 0, **{t: 0 for t in INTS}, "float64": 1, "float32": 5}


def _bytes(wire: int, value: Any) -> bytes:
    """A length-delimited field's bytes (a varint there would be read as a length to allocate)."""
    if wire != 2:
        raise ProtoError(f"wire type {wire} where a length-delimited field belongs")
    return bytes(value)


def _scalar(t: str, wire: int, value: Any) -> Json:
    if t in _WIRE and wire != _WIRE[t]:
        raise ProtoError(f"{t} field with wire type {wire}")
    if t == "string":
        return bytes(value).decode()
    if t == "[]byte":
        return base64.b64encode(bytes(value)).decode()
    if t == "bool":
        return bool(value)
    if t in INTS:
        return _signed(value) if t in ("int", "int32", "int64") else value
    if t == "float64":
        return _finite(struct.unpack("<d", value)[0])
    if t == "float32":
        return _finite(struct.unpack("<f", value)[0])
    raise ProtoError(f"unsupported type {t}")


def _finite(x: float) -> float:
    if x != x or x in (float("inf"), float("-inf")):
        raise ProtoError(f"json: unsupported value: {x}")
    return x


def _value(t: str, wire: int, value: Any) -> Json:
    t = _resolve(t.lstrip("*"))
    if t in ("string", "[]byte", "bool", "float64", "float32") or t in INTS:
        return _scalar(t, wire, value)
    done, out = _special(t, _bytes(wire, value))
    if done:
        return out
    return decode_struct(t, _bytes(wire, value))


def _zero(v: Json) -> bool:
    """Go's zero values, which `omitempty` leaves out."""
    return v is None or v is False or v in ("", 0, 0.0) and not isinstance(v, bool) or v == [] or v == {}


def decode_struct(name: str, buf: bytes) -> dict[str, Json]:
    spec = table()["structs"].get(name)
    if spec is None:
        raise ProtoError(f"no protobuf description of {name}")
    by_number = {f[0]: f for f in spec}
    out: dict[str, Json] = {}
    for number, wire, value in fields(buf):
        f = by_number.get(number)
        if f is None:
            continue  # a field this table does not know: dropped, as an older server would
        _, json_name, go_type, omitempty, inline = f
        t = _resolve(go_type)
        if inline:
            out.update(_value(t, wire, value) or {})
            continue
        if t.startswith("map["):
            key_t, _, val_t = t[4:].partition("]")
            key = val = None
            for n, w, v in fields(_bytes(wire, value)):
                if n == 1:
                    key = _value(key_t, w, v)
                elif n == 2:
                    val = _value(val_t, w, v)
            if val is None:
                val = _empty(_resolve(val_t))
            out.setdefault(json_name, {})[str(key if key is not None else _empty(_resolve(key_t)) or "")] = val
        elif t.startswith("[]") and t != "[]byte":
            item_t = _resolve(t[2:])
            items = out.setdefault(json_name, [])
            if wire == 2 and (item_t in INTS or item_t in ("bool", "float64", "float32")):
                items.extend(_packed(item_t, _bytes(wire, value)))
            else:
                items.append(_value(item_t, wire, value))
        else:
            out[json_name] = _value(t, wire, value)
    for number, json_name, go_type, omitempty, inline in spec:
        if inline or json_name not in out:
            continue
        pointer = go_type.startswith("*")
        v = out[json_name]
        if v is None or (omitempty and not pointer and _zero(v) and not _is_struct(go_type)):
            del out[json_name]
    return out


def _empty(t: str) -> Json:
    if t == "string":
        return ""
    if t in INTS:
        return 0
    if t == "bool":
        return False
    return None


def _is_struct(go_type: str) -> bool:
    t = _resolve(go_type.lstrip("*"))
    return t in table()["structs"] and t not in ("meta/v1.Time", "meta/v1.MicroTime")


def _packed(t: str, buf: bytes) -> list[Json]:
    out: list[Json] = []
    i = 0
    while i < len(buf):
        if t in ("float64",):
            out.append(_finite(struct.unpack("<d", buf[i:i + 8])[0]))
            i += 8
        elif t == "float32":
            out.append(_finite(struct.unpack("<f", buf[i:i + 4])[0]))
            i += 4
        else:
            v, i = _varint(buf, i)
            out.append(_scalar(t, 0, v))
    return out


def package(api_version: str) -> str:
    group, _, version = api_version.rpartition("/")
    pkg = PACKAGE_OF_GROUP.get(group, group.split(".", 1)[0])
    return f"{pkg}/{version}"


def decode(body: bytes) -> dict[str, Json]:
    """The JSON form of a protobuf request body. Raises a 400 for a malformed body and a 415
    for a type vapi has no protobuf description of."""
    if not body.startswith(MAGIC):
        raise errors.bad_request("protobuf body without the k8s\\0 prefix")
    try:
        api_version = kind = ""
        raw = b""
        content_type = ""
        for number, wire, value in fields(body[len(MAGIC):]):
            if number == 1:
                for n, w, v in fields(_bytes(wire, value)):
                    if n == 1:
                        api_version = _scalar("string", w, v)
                    elif n == 2:
                        kind = _scalar("string", w, v)
            elif number == 2:
                raw = _bytes(wire, value)
            elif number == 4:
                content_type = _scalar("string", wire, value)
        if content_type and content_type != CONTENT_TYPE:
            obj = orjson.loads(raw)
            if not isinstance(obj, dict):
                raise ProtoError(f"the {content_type} in the envelope is not an object")
        else:
            name = f"{package(api_version)}.{kind}"
            if name not in table()["structs"]:
                # DeleteOptions and the other meta.k8s.io kinds travel in any group's version
                name = f"meta/v1.{kind}"
            if name not in table()["structs"]:
                raise errors.unsupported_media_type(f"{CONTENT_TYPE} (no protobuf description of {api_version} {kind}; send JSON)")
            obj = decode_struct(name, raw)
    except (ProtoError, UnicodeDecodeError, ValueError, struct.error, OverflowError, OSError) as e:
        raise errors.bad_request(f"error decoding protobuf body: {e}") from e
    return {"kind": kind, "apiVersion": api_version, **obj}


# Go types that reach JSON through their own marshalling (a zero one is null)
_WRAPPERS = ("meta/v1.Time", "meta/v1.MicroTime", "meta/v1.Duration", "intstr.IntOrString", "resource.Quantity",
             "runtime.RawExtension", "meta/v1.FieldsV1")


def _zero_struct(name: str, depth: int = 0) -> dict[str, Json]:
    out: dict[str, Json] = {}
    for _, json_name, go_type, omitempty, inline in table()["structs"].get(name, ()):
        t = _resolve(go_type)
        nested = t in table()["structs"] and t not in _WRAPPERS and depth < 32
        if inline:
            if nested:
                out.update(_zero_struct(t, depth + 1))
        elif nested:
            out[json_name] = _zero_struct(t, depth + 1)  # a struct is never empty to omitempty
        elif not omitempty:
            out[json_name] = _empty(t)
    return out


@functools.cache
def _zero_json(api_version: str, kind: str) -> bytes | None:
    name = f"{package(api_version)}.{kind}"
    if name not in table()["structs"]:
        return None
    return json.dumps({"apiVersion": api_version, "kind": kind, **_zero_struct(name)}).encode()


def zero_object(api_version: str, kind: str) -> dict[str, Json] | None:
    """A new, empty object of a built-in kind as structured-merge-diff's reflection sees the Go
    value (value/reflectcache.go): fields tagged omitempty are absent when zero, others are
    present (nil pointers, slices and maps as null), and non-pointer structs are always there,
    empty. kube-apiserver compares a create against this to record the creator's fields."""
    raw = _zero_json(api_version, kind)
    return json.loads(raw) if raw is not None else None


# Fields encoding/json leaves out although they are neither pointers nor omitempty: tagged
# `omitzero` (k8s.io/apimachinery 1.34+), absent when zero
_OMITZERO = {("meta/v1.ObjectMeta", "creationTimestamp")}
_TIMES = ("meta/v1.Time", "meta/v1.MicroTime")


@functools.cache
def _encoding_plan(name: str) -> tuple[tuple[str, str, bool, bool, Json], ...]:
    """Per field of a struct: (JSON name, resolved type without '*', inline, a struct to walk,
    what encoding/json writes when the field is missing from a stored object, or the marker
    _KEEP_OUT when it writes nothing)."""
    out = []
    for _, json_name, go_type, omitempty, inline in table()["structs"].get(name, ()):
        pointer = go_type.startswith("*")
        t = _resolve(go_type.lstrip("*"))
        walk = t in table()["structs"] and t not in _WRAPPERS
        missing: Json = _KEEP_OUT
        if pointer or inline or (name, json_name) in _OMITZERO:
            pass
        elif t in _TIMES:
            missing = None  # a zero metav1.Time marshals as null, and omitempty keeps structs
        elif walk:
            missing = {}
        elif t not in _WRAPPERS and not omitempty:
            missing = _empty(t)
        out.append((json_name, t, inline, walk, missing))
    return tuple(out)


_KEEP_OUT: Json = "\0keep out"


def as_encoded(value: Json, name: str, depth: int = 0) -> None:
    """Fill in, in place, what encoding/json writes for the Go struct `name` (`apps/v1.Deployment`)
    although a stored JSON object leaves it out: structs that are not pointers (`status: {}`,
    omitempty or not), null for absent slices and maps without omitempty (a ClusterRole's
    `rules: null`), zero scalars without omitempty (an Event's `reportingComponent: ""`), null
    for absent times (`lastProbeTime: null`). kube-apiserver answers with its Go objects
    encoded, so this is what a real cluster shows. Unknown structs are left as they are."""
    if type(value) is not dict or depth > 32:
        return
    for json_name, t, inline, walk, missing in _encoding_plan(name):
        if inline:
            if walk:
                as_encoded(value, t, depth + 1)
            continue
        if json_name not in value:
            if missing is _KEEP_OUT:
                continue
            value[json_name] = missing = dict(missing) if type(missing) is dict else missing
        v = value[json_name]
        if walk:
            as_encoded(v, t, depth + 1)
        elif type(v) is list and t.startswith("[]"):
            item = _resolve(t[2:].lstrip("*"))
            if item in table()["structs"] and item not in _WRAPPERS:
                for x in v:
                    as_encoded(x, item, depth + 1)
        elif type(v) is dict and t.startswith("map["):
            item = _resolve(t[4:].partition("]")[2].lstrip("*"))
            if item in table()["structs"] and item not in _WRAPPERS:
                for x in v.values():
                    as_encoded(x, item, depth + 1)
