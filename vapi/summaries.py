"""SQL-like summaries of what the edges report, kept incrementally: a report changes one
cluster's contribution (its row), and every aggregate is adjusted by the difference, never
recomputed from all clusters.

A summary (in a Placement's `spec.statusCollection.summaries`, or written inline in
`spec.statusCollection` itself, then named "default") is
    name: by-region
    filter: 'status.replicas > 0'                      # CEL: which clusters count
    groupBy: ['cluster.labels.region']                 # CEL expressions: the group key
    aggregates: [{name: clusters, function: count},    # count, sum, avg, min, max; short form
                 {name: ready, function: sum, expression: 'status.readyReplicas'}]   # {sum: 'status.x'}
    select: [{name: available, expression: 'status.availableReplicas'}]   # per-cluster rows
    orderBy: 'cluster.name'                            # rows sorted by it, first `limit` shown
    limit: 20                                          # at most MAX_LIMIT
    attention: 'status.availableReplicas < obj.spec.replicas'   # clusters needing a look, capped
                                       # or {expression: ..., limit: N} to cap it on its own
CEL sees `cluster` (name, labels, properties), `obj` (the center object), `status` (the
cluster's copy's status) and `associated` (summaries of the edge-made objects the placement
asks for: kind, name, namespace, and phase, ready, restarts for Pods or counters and
conditions for others). An expression that cannot be evaluated for a cluster (a missing
field) leaves that value out and is counted in `evaluationErrors`; a cluster whose attention
predicate cannot be evaluated (no status yet, or a counter Kubernetes omits when it is 0, as
in `status.availableReplicas < obj.spec.replicas`) is on the attention list.
"""

from __future__ import annotations

import bisect
import collections
import functools
from dataclasses import dataclass, field
from typing import Any

import cel
import orjson

Obj = dict[str, Any]
FUNCTIONS = ("count", "sum", "avg", "min", "max")
FIELDS = ("filter", "groupBy", "aggregates", "select", "orderBy", "limit", "attention")
DEFAULT_LIMIT = 20
MAX_LIMIT = 1000  # rows and attention lists are written into one object: keep it small


class Invalid(ValueError):
    pass


@functools.lru_cache(maxsize=4096)
def program(expression: str) -> Any:
    return cel.compile(expression)


@dataclass(frozen=True)
class Spec:
    name: str
    filter: str
    group_by: tuple[str, ...]
    aggregates: tuple[tuple[str, str, str], ...]  # (name, function, expression)
    select: tuple[tuple[str, str], ...]  # (name, expression)
    order_by: str
    limit: int
    attention: str
    attention_limit: int = DEFAULT_LIMIT


def unknown(raw: dict[str, Any], known: tuple[str, ...], where: str) -> None:
    """Fields this version does not know are refused, never ignored (kubectl's strict
    validation says the same of built-in kinds: `unknown field "spec.x"`)."""
    extra = sorted(k for k in raw if k not in known)
    if extra:
        raise Invalid(f'{where}: unknown field "{where}.{extra[0]}"')


def _limit(value: Any, where: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise Invalid(f"{where}: must be a non-negative integer")
    if value > MAX_LIMIT:
        raise Invalid(f"{where}: must be no more than {MAX_LIMIT}")
    return value


def _list(raw: dict[str, Any], key: str, where: str) -> list[Any]:
    value = raw.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise Invalid(f"{where}.{key}: must be a list")
    return value


def compile_spec(raw: Any, where: str) -> Spec:
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str) or not raw["name"]:
        raise Invalid(f"{where}: a summary needs a name")
    unknown(raw, ("name", *FIELDS), where)

    def expr(value: Any, what: str) -> str:
        if value in (None, ""):
            return ""
        if not isinstance(value, str):
            raise Invalid(f"{where}.{what}: must be a CEL expression")
        try:
            program(value)
        except (ValueError, RuntimeError, TypeError) as e:
            raise Invalid(f"{where}.{what}: {e}") from e
        return value

    group_by = raw.get("groupBy") or []
    if not isinstance(group_by, list):
        raise Invalid(f"{where}.groupBy: must be a list of CEL expressions")
    aggregates = []
    for i, a in enumerate(_list(raw, "aggregates", where)):
        if isinstance(a, dict) and "function" not in a:  # the short form: {sum: 'status.readyReplicas', name?: ...}
            short = [f for f in FUNCTIONS if f in a]
            if len(short) == 1:
                unknown(a, ("name", short[0]), f"{where}.aggregates[{i}]")
                value = a[short[0]]
                a = {"name": a.get("name") or (short[0] if short[0] == "count" or not isinstance(value, str)
                                                 else f"{short[0]}({value})"),
                     "function": short[0], "expression": value if isinstance(value, str) else None}
        if isinstance(a, dict) and "name" not in a and a.get("function") in FUNCTIONS:
            a = {**a, "name": a["function"] if not a.get("expression") else f"{a['function']}({a['expression']})"}
        if not isinstance(a, dict) or a.get("function") not in FUNCTIONS or not isinstance(a.get("name"), str):
            raise Invalid(f"{where}.aggregates[{i}]: want name and function (one of {', '.join(FUNCTIONS)})")
        unknown(a, ("name", "function", "expression"), f"{where}.aggregates[{i}]")
        e = expr(a.get("expression"), f"aggregates[{i}].expression")
        if a["function"] != "count" and not e:
            raise Invalid(f"{where}.aggregates[{i}].expression: Required value for {a['function']}")
        aggregates.append((a["name"], a["function"], e))
    select = []
    for i, sel in enumerate(_list(raw, "select", where)):
        if isinstance(sel, str):
            select.append((sel, expr(sel, f"select[{i}]")))
        elif isinstance(sel, dict) and isinstance(sel.get("expression"), str):
            unknown(sel, ("name", "expression"), f"{where}.select[{i}]")
            select.append((str(sel.get("name") or sel["expression"]), expr(sel["expression"], f"select[{i}].expression")))
        else:
            raise Invalid(f"{where}.select[{i}]: want a CEL expression or {{name, expression}}")
    for what, names in (("aggregates", [a[0] for a in aggregates]), ("select", [n for n, _ in select])):
        dup = next((n for i, n in enumerate(names) if n in names[:i]), None)
        if dup is not None:
            raise Invalid(f"{where}.{what}: Duplicate value: {dup!r}")
    limit = _limit(raw.get("limit", DEFAULT_LIMIT), f"{where}.limit")
    attention, attention_limit = raw.get("attention"), limit
    if isinstance(attention, dict):  # {expression, limit}: the attention list capped on its own
        unknown(attention, ("expression", "limit"), f"{where}.attention")
        attention_limit = _limit(attention.get("limit", limit), f"{where}.attention.limit")
        attention = expr(attention.get("expression"), "attention.expression")
        if not attention:
            raise Invalid(f"{where}.attention.expression: Required value")
    return Spec(raw["name"], expr(raw.get("filter"), "filter"),
                tuple(expr(g, f"groupBy[{i}]") for i, g in enumerate(group_by)), tuple(aggregates), tuple(select),
                expr(raw.get("orderBy"), "orderBy"), limit, expr(attention, "attention"), attention_limit)


def _evaluate(expression: str, activation: Any) -> tuple[bool, Any]:
    try:
        return True, program(expression).execute(activation)
    except (ValueError, KeyError, TypeError, RuntimeError, AttributeError, ArithmeticError):  # 1/0, overflow
        return False, None


def _plain(value: Any) -> Any:
    """A CEL result as JSON data."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value)


def _sortable(value: Any) -> tuple[int, Any]:
    if isinstance(value, bool):
        return (1, int(value))
    if isinstance(value, (int, float)):
        return (1, value)
    return (2, str(value))


@dataclass(slots=True)
class Row:
    """One cluster's contribution."""

    group: tuple[Any, ...]
    values: tuple[Any, ...]  # per aggregate; None when not evaluable
    selected: tuple[Any, ...]
    order: Any  # the cluster name, or (orderBy value, cluster name)
    attention: bool
    errors: int


@dataclass
class Group:
    count: int = 0
    sums: list[float] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)  # values present, per aggregate
    seen: list[collections.Counter[Any]] = field(default_factory=list)  # for min and max


class Summary:
    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.rows: dict[str, Row] = {}
        self.groups: dict[tuple[Any, ...], Group] = {}
        self.order: list[Any] = []  # each row's order key, sorted (only when rows are shown)
        self.attention: list[str] = []  # sorted cluster names
        self.errors = 0
        self._tuples: dict[tuple[Any, ...], tuple[Any, ...]] = {}

    def row(self, cluster: str, activation: Any) -> Row | None:
        s = self.spec
        if activation is None:
            return None
        if s.filter:
            ok, keep = _evaluate(s.filter, activation)
            if not ok or keep is not True:
                return None
        errors = 0
        group = []
        for g in s.group_by:
            ok, v = _evaluate(g, activation)
            errors += not ok
            value = _plain(v) if ok else None
            group.append(orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode() if isinstance(value, (dict, list)) else value)
        values: list[Any] = []
        for _, fn, e in s.aggregates:
            if fn == "count":
                values.append(1)
                continue
            ok, v = _evaluate(e, activation)
            good = ok and isinstance(v, (int, float)) and not isinstance(v, bool)
            errors += not good
            values.append(v if good else None)
        selected = []
        for _, e in s.select:
            ok, v = _evaluate(e, activation)
            errors += not ok
            selected.append(_plain(v) if ok else None)
        order: Any = cluster
        if s.order_by:
            ok, v = _evaluate(s.order_by, activation)
            errors += not ok
            order = (_sortable(_plain(v)) if ok else (3, ""), cluster)
        attention = False
        if s.attention:
            ok, v = _evaluate(s.attention, activation)
            # a status the predicate cannot be evaluated on (no status yet, or a counter the
            # edge leaves out when it is 0) needs a look as much as one where it holds
            errors += not ok
            attention = not ok or v is True
        return Row(self._shared(tuple(group)), self._shared(tuple(values)), self._shared(tuple(selected)), order, attention, errors)

    def _shared(self, value: tuple[Any, ...]) -> tuple[Any, ...]:
        """Equal tuples kept once: most clusters share their group and values."""
        try:
            return self._tuples.setdefault(value, value)
        except TypeError:  # an unhashable value (a list or map from CEL)
            return value

    def _apply(self, row: Row, sign: int) -> None:
        n = len(self.spec.aggregates)
        g = self.groups.get(row.group)
        if g is None:
            g = self.groups[row.group] = Group(0, [0.0] * n, [0] * n, [collections.Counter() for _ in range(n)])
        g.count += sign
        for i, v in enumerate(row.values):
            if v is None:
                continue
            g.sums[i] += sign * v
            g.counts[i] += sign
            g.seen[i][v] += sign
            if g.seen[i][v] <= 0:
                del g.seen[i][v]
        if g.count <= 0:
            del self.groups[row.group]
        self.errors += sign * row.errors
        cluster = row.order[-1] if isinstance(row.order, tuple) else row.order
        rows_shown = bool(self.spec.select or self.spec.order_by)  # else no ordered list is kept
        if sign > 0:
            if rows_shown:
                bisect.insort(self.order, row.order)
            if row.attention:
                bisect.insort(self.attention, cluster)
        else:
            i = bisect.bisect_left(self.order, row.order) if rows_shown else len(self.order)
            if i < len(self.order) and self.order[i] == row.order:
                del self.order[i]
            if row.attention:
                j = bisect.bisect_left(self.attention, cluster)
                if j < len(self.attention) and self.attention[j] == cluster:
                    del self.attention[j]

    def update(self, cluster: str, activation: Any) -> None:
        """This cluster's contribution is now what `activation` (a dict or a cel.Context)
        gives; None: it has none."""
        old = self.rows.pop(cluster, None)
        if old is not None:
            self._apply(old, -1)
        new = self.row(cluster, activation)
        if new is not None:
            self.rows[cluster] = new
            self._apply(new, +1)

    def render(self) -> Obj:
        s = self.spec
        groups = []
        for key in sorted(self.groups, key=lambda k: [_sortable(v) for v in k]):
            g = self.groups[key]
            values: Obj = {}
            for i, (name, fn, _) in enumerate(s.aggregates):
                if fn == "count":
                    values[name] = g.count
                elif fn == "sum":
                    values[name] = _number(g.sums[i])
                elif fn == "avg":
                    values[name] = round(g.sums[i] / g.counts[i], 6) if g.counts[i] else None
                elif g.seen[i]:
                    values[name] = (min if fn == "min" else max)(g.seen[i])
                else:
                    values[name] = None
            groups.append({"key": {expr: v for expr, v in zip(s.group_by, key)}, "values": values})
        rows = []
        for order in self.order[:s.limit]:
            cluster = order[-1] if isinstance(order, tuple) else order
            row = self.rows[cluster]
            rows.append({"cluster": cluster, **{name: v for (name, _), v in zip(s.select, row.selected)}})
        out: Obj = {"name": s.name, "clusters": len(self.rows), "groups": groups}
        if rows:
            out["rows"] = rows
        if s.attention:
            out["attention"] = {"count": len(self.attention), "clusters": self.attention[:s.attention_limit]}
        if self.errors:
            out["evaluationErrors"] = self.errors
        return out


def _number(v: float) -> int | float:
    return int(v) if float(v).is_integer() else round(v, 6)
