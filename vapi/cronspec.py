"""CronJob schedules as kube-apiserver reads them: github.com/robfig/cron/v3's ParseStandard
(five fields: minute, hour, day of month, month, day of week; `@yearly`...`@hourly` and
`@every <duration>`; an optional `TZ=`/`CRON_TZ=` prefix), called through
pkg/util/parsers.ParseCronScheduleWithPanicRecovery. `error(schedule)` is the error text kube
puts in the cause ("" when the schedule parses).
"""

from __future__ import annotations

from vapi import golang

# (min, max, names) of minute, hour, day of month, month, day of week (robfig/cron spec.go)
MONTHS = {m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                          "dec"))}
WEEKDAYS = {d: i for i, d in enumerate(("sun", "mon", "tue", "wed", "thu", "fri", "sat"))}
FIELDS: tuple[tuple[int, int, dict[str, int]], ...] = ((0, 59, {}), (0, 23, {}), (1, 31, {}), (1, 12, MONTHS),
                                                       (0, 6, WEEKDAYS))
DESCRIPTORS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")
EVERY = "@every "
# unicode.IsSpace, what strings.Fields splits on and strings.TrimSpace trims
GO_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


def error(schedule: str) -> str:
    """Why ParseStandard refuses schedule; kube's panic recovery words what the parser
    does not (a `TZ=` prefix with nothing after it slices past the string)."""
    spec = schedule
    if not spec:
        return "empty spec string"
    if spec.startswith(("TZ=", "CRON_TZ=")):
        space = spec.find(" ")
        if space < 0:
            return "invalid schedule format: runtime error: slice bounds out of range [:-1]"
        name = spec[spec.index("=") + 1:space]
        wrong = golang.load_location(name)
        if wrong:
            return f"provided bad location {name}: {wrong}"
        spec = spec[space:].strip(GO_SPACE)
    if spec.startswith("@"):
        return _descriptor(spec)
    fields = "".join(" " if c in GO_SPACE else c for c in spec).split(" ")
    fields = [f for f in fields if f]
    if len(fields) != len(FIELDS):
        return f"expected exactly {len(FIELDS)} fields, found {len(fields)}: [{' '.join(fields)}]"
    for text, bounds in zip(fields, FIELDS):
        for expr in (r for r in text.split(",") if r):
            wrong = _range(expr, *bounds)
            if wrong:
                return wrong
    return ""


def _descriptor(spec: str) -> str:
    if spec in DESCRIPTORS:
        return ""
    if spec.startswith(EVERY):
        _, wrong = golang.parse_duration(spec[len(EVERY):])
        return f"failed to parse duration {spec}: {wrong}" if wrong else ""
    return f"unrecognized descriptor: {spec}"


def _number(expr: str, names: dict[str, int]) -> tuple[int, str]:
    if expr.lower() in names:
        return names[expr.lower()], ""
    n, wrong = golang.atoi(expr)
    if wrong:
        return 0, f"failed to parse int from {expr}: {wrong}"
    if n < 0:
        return 0, f"negative number ({n}) not allowed: {expr}"
    return n, ""


def _range(expr: str, low: int, high: int, names: dict[str, int]) -> str:
    """One comma-separated part of a field: `*`, `?`, `n`, `n-m`, each with an optional `/step`."""
    range_and_step = expr.split("/")
    bounds = range_and_step[0].split("-")
    if bounds[0] in ("*", "?"):
        start, end = low, high
    else:
        start, wrong = _number(bounds[0], names)
        if wrong:
            return wrong
        end = start
        if len(bounds) == 2:
            end, wrong = _number(bounds[1], names)
            if wrong:
                return wrong
        elif len(bounds) > 2:
            return f"too many hyphens: {expr}"
    step = 1
    if len(range_and_step) == 2:
        step, wrong = _number(range_and_step[1], {})
        if wrong:
            return wrong
        if len(bounds) == 1:
            end = high
    elif len(range_and_step) > 2:
        return f"too many slashes: {expr}"
    if start < low:
        return f"beginning of range ({start}) below minimum ({low}): {expr}"
    if end > high:
        return f"end of range ({end}) above maximum ({high}): {expr}"
    if start > end:
        return f"beginning of range ({start}) beyond end of range ({end}): {expr}"
    if step == 0:
        return f"step of range should be a positive number: {expr}"
    return ""
