"""Regular expressions as Go's regexp package reads and runs them: the `pattern` of a CRD
schema. Go's engine is RE2: its syntax (`\\pL`, no lookaround or backreferences) and its
guarantee of time linear in the input, which a backtracking engine lacks (`^(a+)+$` against
25 characters takes Python's `re` seconds, a stalled server). google-re2 is that engine.
"""

from __future__ import annotations

import functools
from typing import Any

import re2

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # a refused pattern is the client's error, answered, not logged

# RE2's words for a parse error (re2.cc CodeText) and Go's (regexp/syntax ErrorCode)
_GO_WORDS = {
    "invalid escape sequence": "invalid escape sequence",
    "invalid character class": "invalid character class",
    "invalid character class range": "invalid character class range",
    "missing ]": "missing closing ]",
    "missing )": "missing closing )",
    "unexpected )": "unexpected )",
    "trailing \\": "trailing backslash at end of expression",
    "no argument for repetition operator": "missing argument to repetition operator",
    "invalid repetition size": "invalid repeat count",
    "bad repetition operator": "invalid nested repetition operator",
    "invalid perl operator": "invalid or unsupported Perl syntax",
    "invalid UTF-8": "invalid UTF-8",
    "invalid named capture group": "invalid named capture",
}


class PatternError(ValueError):
    """A pattern Go's regexp.Compile refuses; the message is Go's (`error parsing regexp: ...`)."""


@functools.lru_cache(maxsize=1024)
def compiled(pattern: str) -> Any:
    try:
        return re2.compile(pattern, _OPTIONS)
    except re2.error as e:
        raise PatternError(_go_message(e)) from None


def search(pattern: str, text: str) -> bool:
    """Whether `text` contains a match of `pattern`, as Go's MatchString (unanchored)."""
    return compiled(pattern).search(text) is not None


def _go_message(e: Exception) -> str:
    raw = e.args[0] if e.args else ""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    code, sep, arg = text.partition(": ")
    words = _GO_WORDS.get(code, code)
    return f"error parsing regexp: {words}: `{arg}`" if sep else f"error parsing regexp: {words}"
