"""GET of one object, and LIST."""

from __future__ import annotations

from aiohttp import web

from vapi import errors, fieldlabels, selectors, tables
from vapi.handlers import Call
from vapi.http import query_bool, query_int, respond
from vapi.objects import ListOptions


def list_options(call: Call, *, watch: bool = False) -> ListOptions:
    q = call.request.query
    labels = fieldlabels.for_kind(call.res.group, call.res.kind, namespaced=call.res.namespaced,
                                  builtin=call.res.kube_builtin, selectable=call.res.selectable)
    fields = selectors.parse_fields(q.get("fieldSelector", ""), labels)
    match = q.get("resourceVersionMatch", "")
    send_initial = send_initial_events(call)
    if watch and send_initial is None and not match and q.get("resourceVersion", "") in ("", "0"):
        # kube-apiserver 1.34+ (WatchList on) makes such a watch a watch-list before it
        # validates the options (metainternalversion.SetListOptionsDefaults)
        send_initial, match = True, "NotOlderThan"
    causes = option_causes(q.get("resourceVersion", ""), match, q.get("continue", ""), send_initial, watch=watch)
    if causes:
        raise errors.invalid("meta.k8s.io", "ListOptions", "", causes)
    if not watch and q.get("continue") and q.get("resourceVersion") not in (None, "", "0"):
        # the storage's list refuses it (storage.ValidateListOptions); a watch ignores continue
        raise errors.bad_request("specifying resource version is not allowed when using continue")
    return ListOptions(
        label=selectors.parse_labels(q.get("labelSelector", "")),
        fields=fields,
        # a negative limit is no limit, as in kube-apiserver's storage
        limit=0 if q.get("limit", "").startswith("-") and q["limit"][1:].isdigit() else query_int(call.request, "limit"),
        continue_token=q.get("continue", ""),
        resource_version=q.get("resourceVersion", ""),
        resource_version_match=match,
        send_initial_events=send_initial,
    )


def send_initial_events(call: Call) -> bool | None:
    """The sendInitialEvents parameter: None when absent."""
    if "sendInitialEvents" not in call.request.query:
        return None
    return query_bool(call.request, "sendInitialEvents")


def _forbidden(field: str, message: str) -> dict[str, str]:
    return {"reason": "FieldValueForbidden", "field": field, "message": f"Forbidden: {message}"}


def _not_supported(field: str, value: str, supported: tuple[str, ...]) -> dict[str, str]:
    listed = ", ".join(f'"{s}"' for s in supported)
    return {"reason": "FieldValueNotSupported", "field": field,
            "message": f'Unsupported value: "{value}": supported values: {listed}'}


def option_causes(rv: str, match: str, cont: str, send_initial: bool | None, *, watch: bool) -> list[dict[str, str]]:
    """What ListOptions validation refuses (422 Invalid, kind ListOptions), in the order of
    k8s.io/apimachinery/pkg/apis/meta/internalversion/validation/validation.go."""
    causes: list[dict[str, str]] = []
    if watch:
        if send_initial is not None and match != "NotOlderThan":
            causes.append(_forbidden("resourceVersionMatch", "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"))
        if match:
            if send_initial is None:
                causes.append(_forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"))
            if match != "NotOlderThan":
                causes.append(_not_supported("resourceVersionMatch", match, ("NotOlderThan",)))
            if cont:
                causes.append(_forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden when continue is provided"))
        return causes
    if match:
        if not rv:
            causes.append(_forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden unless resourceVersion is provided"))
        if cont:
            causes.append(_forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden when continue is provided"))
        if match not in ("Exact", "NotOlderThan"):
            causes.append(_not_supported("resourceVersionMatch", match, ("Exact", "NotOlderThan", "")))
        if match == "Exact" and rv == "0":
            causes.append(_forbidden("resourceVersionMatch", 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'))
    if send_initial is not None:
        causes.append(_forbidden("sendInitialEvents", "sendInitialEvents is forbidden for list"))
    return causes


def table_include(call: Call) -> str | None:
    """How rows carry their object when the client asked for a Table; None: no Table."""
    if not tables.wants_table(call.request.headers.get("Accept", "")):
        return None
    include = call.request.query.get("includeObject", "Metadata") or "Metadata"
    if include not in ("None", "Metadata", "Object"):
        raise errors.bad_request(f'includeObject must be one of "None", "Metadata", "Object", not {include!r}')
    return include


async def get(call: Call) -> web.StreamResponse:
    i = call.info
    obj = await call.state.objects.get(
        call.res, i.workspace, i.namespace, i.name, resource_version=call.request.query.get("resourceVersion", "")
    )
    include = table_include(call)
    if include is not None:
        meta = {"resourceVersion": obj["metadata"]["resourceVersion"]}
        return respond(tables.table([obj], call.res.group, call.res.resource, include, meta, custom=call.res.columns), content_type=tables.TABLE_TYPE)
    return respond(obj)


async def list_(call: Call) -> web.StreamResponse:
    i = call.info
    opts = list_options(call)
    listed = await call.state.objects.list(call.res, i.workspace, i.namespace, opts)
    include = table_include(call)
    if include is not None:
        table = tables.table(listed["items"], call.res.group, call.res.resource, include, listed["metadata"],
                             custom=call.res.columns)
        return respond(table, content_type=tables.TABLE_TYPE)
    if call.res.kube_builtin:  # typed lists: kube encodes their items without kind and apiVersion
        for item in listed["items"]:
            item.pop("kind", None)
            item.pop("apiVersion", None)
    return respond(listed)
