"""Server-side printing: `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`.

kube-apiserver picks one of three table convertors per resource, and so does `columns_for`:

- a built-in kind with a print handler gets the columns and cells of
  kubernetes/pkg/printers/internalversion/printers.go. The server runs those printers with
  Wide set, so every row carries every column; kubectl drops priority-1 columns unless
  `-o wide`.
- a built-in kind without one (Role, ClusterRole, LimitRange, CustomResourceDefinition, and
  CSIStorageCapacity, whose store registers the default convertor although a printer exists)
  gets Name and Created At, the creation time in RFC 3339
  (k8s.io/apiserver/pkg/registry/rest/table.go).
- a custom resource gets Name and its CRD version's additionalPrinterColumns, or Age when it
  declares none (apiextensions-apiserver's tableconvertor, serveDefaultColumnsIfEmpty).

kube prints the internal type, converted from what is stored; vapi prints the served object,
so the few conversions a printer depends on are redone here: events.k8s.io Events are read as
core Events, autoscaling/v1 HPAs as v2, and podIP / clusterIP stand in for empty podIPs /
clusterIPs.
"""

from __future__ import annotations

from vapi.tables import cluster, events, networking, pods, policy, vapi_kinds, volumes, workloads
from vapi.tables.cells import Obj, age, format_label_selector, format_labels, get, human_duration, name, since
from vapi.tables.columns import AGE, CREATED_AT, CREATED_DOC, DEFAULT_COLUMNS, NAME, NAME_DOC, Cell, Column, col
from vapi.tables.custom import printer_column
from vapi.tables.pods import POD_COLUMNS
from vapi.tables.workloads import CONTAINERS_DOC, IMAGES_DOC, POD_TEMPLATE

__all__ = [
    "AGE", "COLUMNS", "CONTAINERS_DOC", "CREATED_AT", "CREATED_DOC", "DEFAULT_COLUMNS", "IMAGES_DOC", "NAME",
    "NAME_DOC", "POD_COLUMNS", "POD_TEMPLATE", "ROW_CONDITIONS", "ROW_ORDER", "TABLE_TYPE", "Cell", "Column", "Obj",
    "age", "col", "column_definitions", "columns_for", "format_label_selector", "format_labels", "get",
    "human_duration", "name", "printer_column", "row", "since", "table", "wants_table",
]

TABLE_TYPE = "application/json;as=Table;v=v1;g=meta.k8s.io"


def wants_table(accept: str) -> bool:
    for part in accept.split(","):
        params = {p.strip() for p in part.split(";")[1:]}
        if "as=Table" in params and "g=meta.k8s.io" in params and ("v=v1" in params or "v=v1beta1" in params):
            return True
    return False


# The print handlers of built-in kinds, one module an area; no two modules print the same resource.
COLUMNS: dict[tuple[str, str], list[Column]] = {
    **pods.COLUMNS, **workloads.COLUMNS, **networking.COLUMNS, **volumes.COLUMNS, **cluster.COLUMNS,
    **events.COLUMNS, **policy.COLUMNS, **vapi_kinds.COLUMNS,
}

# Row conditions, and the order a list prints in, where a printer sets them.
ROW_CONDITIONS = pods.ROW_CONDITIONS
ROW_ORDER = cluster.ROW_ORDER


def columns_for(group: str, resource: str, custom: list[Obj] | None = None) -> list[Column]:
    """The columns kube-apiserver prints: a built-in kind's printer, else the default
    convertor's Name and Created At; for a custom resource (`custom` is its CRD version's
    printer columns, a list even when empty) Name and those columns, or Name and Age."""
    if custom:
        return [NAME, *(printer_column(c) for c in custom)]
    if (group, resource) in COLUMNS:
        return COLUMNS[(group, resource)]
    if custom is not None:
        return [NAME, AGE._replace(type="date")]
    return DEFAULT_COLUMNS


def column_definitions(cols: list[Column]) -> list[Obj]:
    return [{"name": c.name, "type": c.type, "format": c.format, "description": c.description or c.name,
             "priority": c.priority} for c in cols]


def row(obj: Obj, cols: list[Column], include: str) -> Obj:
    cells = []
    for c in cols:
        try:
            cells.append(c.cell(obj))
        except (TypeError, ValueError, AttributeError, KeyError, IndexError):
            cells.append("")
    r: Obj = {"cells": cells}
    if include == "Object":
        r["object"] = obj
    elif include == "Metadata":
        r["object"] = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj.get("metadata", {})}
    return r


def table(objs: list[Obj], group: str, resource: str, include: str, list_meta: Obj | None = None, *,
          definitions: bool = True, custom: list[Obj] | None = None) -> Obj:
    cols = columns_for(group, resource, custom)
    key = (group, resource)
    if custom is None and key in ROW_ORDER:
        objs = sorted(objs, key=ROW_ORDER[key])
    rows = []
    for o in objs:
        r = row(o, cols, include)
        conditions = ROW_CONDITIONS[key](o) if custom is None and key in ROW_CONDITIONS else None
        if conditions:
            r["conditions"] = conditions
        rows.append(r)
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": list_meta or {},
        "columnDefinitions": column_definitions(cols) if definitions else [],
        "rows": rows,
    }
