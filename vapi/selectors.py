"""Label and field selectors, as kube-apiserver parses them
(k8s.io/apimachinery/pkg/labels/selector.go, pkg/fields/selector.go).

Label: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, comma-joined (AND).
Field: `path=value`, `path==value`, `path!=value`, comma-joined; which paths a kind takes and
what they read is `vapi/fieldlabels.py`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from vapi import errors, fieldlabels

Matcher = Callable[[Mapping[str, str]], bool]
FieldTerm = tuple[fieldlabels.Label, bool, str]  # (what the label reads, equal?, value)

_KEY = re.compile(r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?\Z")
_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\Z")


def _split_top(text: str) -> list[str]:
    """Split on commas outside parentheses."""
    parts: list[str] = []
    cur: list[str] = []
    depth = 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts


def _check_key(key: str, text: str) -> None:
    if not _KEY.match(key) or len(key.rpartition("/")[2]) > 63:
        raise errors.bad_request(f"unable to parse requirement: invalid label key {key!r} in {text!r}")


def _check_value(value: str, text: str) -> None:
    if len(value) > 63 or not _VALUE.match(value):
        raise errors.bad_request(f"unable to parse requirement: invalid label value {value!r} in {text!r}")


_SET = re.compile(r"^\s*(\S+?)\s+(in|notin)\s*\((.*)\)\s*\Z")


Requirement = tuple[str, str, frozenset[str]]  # (key, operator, values)


def _holds(req: Requirement, labels: Mapping[str, str]) -> bool:
    key, op, values = req
    if op == "exists":
        return key in labels
    if op == "!exists":
        return key not in labels
    if op in ("in", "="):
        return labels.get(key) in values
    return labels.get(key) not in values  # notin, !=


def everything(labels: Mapping[str, str]) -> bool:
    """The empty selector's matcher (lists without a selector report remainingItemCount)."""
    return True


def parse_labels(text: str) -> Matcher:
    """A matcher for a label selector; an empty selector is `everything`. Raises a 400."""
    text = text.strip()
    if not text:
        return everything
    reqs = [_requirement(raw.strip(), text) for raw in _split_top(text)]
    return lambda labels: all(_holds(r, labels) for r in reqs)


def _requirement(term: str, text: str) -> Requirement:
    if not term:
        raise errors.bad_request(f"unable to parse requirement: empty term in {text!r}")
    m = _SET.match(term)
    if m:
        key, op, inner = m.group(1), m.group(2), m.group(3)
        _check_key(key, text)
        values = frozenset(v.strip() for v in inner.split(","))
        for v in values:
            _check_value(v, text)
        return key, op, values
    for op in ("!=", "==", "="):
        if op in term:
            key, _, value = term.partition(op)
            key, value = key.strip(), value.strip()
            _check_key(key, text)
            _check_value(value, text)
            return key, "!=" if op == "!=" else "=", frozenset((value,))
    if term.startswith("!"):
        key = term[1:].strip()
        _check_key(key, text)
        return key, "!exists", frozenset()
    _check_key(term, text)
    return term, "exists", frozenset()


def parse_fields(text: str, labels: fieldlabels.Labels) -> list[FieldTerm]:
    """[(label, equal?, value)]; a label the kind does not take is a 400 in its words, as
    kube-apiserver's field-label conversion refuses it."""
    out: list[FieldTerm] = []
    text = text.strip()
    if not text:
        return out
    for raw in text.split(","):
        term = raw.strip()
        for op in ("!=", "==", "="):
            if op in term:
                path, _, value = term.partition(op)
                path = path.strip()
                if path not in labels:
                    raise errors.bad_request(labels.refusal.format(label=path))
                out.append((labels[path], op != "!=", value.strip()))
                break
        else:
            raise errors.bad_request(f"invalid selector: '{text}'; can't understand '{term}'")
    return out


def fields_match(obj: Mapping[str, Any], terms: list[FieldTerm]) -> bool:
    return all((label.read(obj) == v) == eq for label, eq, v in terms)


def from_label_selector(selector: Any) -> Matcher:
    """A matcher for a metav1.LabelSelector (`matchLabels`, `matchExpressions` with In,
    NotIn, Exists, DoesNotExist); None or {} matches everything. Raises ValueError naming
    what is wrong (apimachinery's LabelSelectorAsSelector)."""
    if selector is None:
        return everything
    if not isinstance(selector, dict):
        raise ValueError("a label selector must be an object")
    reqs: list[Requirement] = []
    match_labels = selector.get("matchLabels") or {}
    if not isinstance(match_labels, dict):
        raise ValueError("matchLabels must be a map of strings")
    for k, v in match_labels.items():
        if not isinstance(v, str) or not _KEY.match(str(k)) or not _VALUE.match(v):
            raise ValueError(f"invalid matchLabels entry {k!r}: {v!r}")
        reqs.append((str(k), "=", frozenset([v])))
    ops = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!exists"}
    for expr in selector.get("matchExpressions") or []:
        if not isinstance(expr, dict) or not isinstance(expr.get("key"), str) or expr.get("operator") not in ops:
            raise ValueError(f"invalid matchExpressions entry {expr!r}: want key and operator In, NotIn, Exists or DoesNotExist")
        values = expr.get("values") or []
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise ValueError(f"invalid values in {expr!r}")
        op = ops[expr["operator"]]
        if (op in ("in", "notin")) != bool(values):
            raise ValueError(f"{expr['operator']} {'needs' if op in ('in', 'notin') else 'takes no'} values")
        reqs.append((expr["key"], op, frozenset(values)))
    return lambda labels: all(_holds(r, labels) for r in reqs)
