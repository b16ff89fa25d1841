"""GET of one object, and LIST."""

from __future__ import annotations

from aiohttp import web

from vapi import errors, selectors, tables
from vapi.handlers import Call
from vapi.http import query_int, respond
from vapi.objects import ListOptions


def list_options(call: Call, *, watch: bool = False) -> ListOptions:
    q = call.request.query
    fields = selectors.parse_fields(
        q.get("fieldSelector", ""), selectors.supported_fields(call.res.kind, call.res.namespaced)
    )
    match = q.get("resourceVersionMatch", "")
    if match not in ("", "Exact", "NotOlderThan"):
        raise errors.bad_request(f'invalid resourceVersionMatch {match!r}: must be "Exact" or "NotOlderThan"')
    if match and not watch and not q.get("resourceVersion") and not q.get("continue"):
        raise errors.bad_request("resourceVersionMatch is forbidden unless resourceVersion is provided")
    if q.get("continue") and q.get("resourceVersion") not in (None, "", "0"):
        raise errors.bad_request("specifying resource version is not allowed when using continue")
    return ListOptions(
        label=selectors.parse_labels(q.get("labelSelector", "")),
        fields=fields,
        limit=query_int(call.request, "limit"),
        continue_token=q.get("continue", ""),
        resource_version=q.get("resourceVersion", ""),
        resource_version_match=match,
    )


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
    return respond(listed)
