"""A column of a Table: its definition and the function printing its cell; the Name, Age and
Created At columns every kind shares, and the cell makers most kinds use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from vapi.tables.cells import Obj, age, _created_at, get, name, _str

Cell = Callable[[Obj], Any]


class Column(NamedTuple):
    """One column definition and the function printing its cell."""

    name: str
    type: str
    priority: int
    cell: Cell
    description: str = ""
    format: str = ""


def col(title: str, cell: Cell, description: str = "", *, kind: str = "string", wide: bool = False) -> Column:
    return Column(title, kind, 1 if wide else 0, cell, description or title)


NAME_DOC = ("Name must be unique within a namespace. Is required when creating resources, although some resources "
            "may allow a client to request the generation of an appropriate name automatically. Name is primarily "
            "intended for creation idempotence and configuration definition. Cannot be updated. More info: "
            "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names")
CREATED_DOC = ("CreationTimestamp is a timestamp representing the server time when this object was created. It is "
               "not guaranteed to be set in happens-before order across separate operations. Clients may not set "
               "this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. "
               "Null for lists. More info: "
               "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata")

NAME = Column("Name", "string", 0, name, NAME_DOC, "name")
AGE = Column("Age", "string", 0, age, CREATED_DOC)
CREATED_AT = Column("Created At", "date", 0, _created_at, CREATED_DOC)
DEFAULT_COLUMNS = [NAME, CREATED_AT]


def _count(*path: str) -> Cell:
    return lambda o: len(get(o, *path, default=[]) or [])


def _field(*path: str) -> Cell:
    """A string field, empty when unset."""
    return lambda o: _str(get(o, *path))
