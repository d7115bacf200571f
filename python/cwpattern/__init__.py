"""Parse, format, evaluate and compare AWS CloudWatch Logs filter patterns.

The language of metric filters, subscription filters, FilterLogEvents and Live Tail:

- ``parse(pattern)``: the syntax tree, kind and canonical text, or ``PatternError``.
- ``fmt(pattern)``: the canonical text.
- ``matches(pattern, event)`` and ``compile(pattern).matches(event)``: does a pattern
  match a log event (``str``, UTF-8 ``bytes``, or a ``dict``/``list`` sent as JSON)?
- ``relate(a, b)``: equivalent, subset, superset, overlap or disjoint, with example events.
- ``check(pattern, rule=...)``: does a metric filter catch every event a compliance rule
  (CIS monitoring controls, the 19 IAM policy-change events) requires? ``rules()`` lists them;
  ``verdict(pattern, rule=...)`` gives only the decision, faster.

Results are plain dicts and lists, with the fields of the ``cwpattern`` CLI's ``--json``
output; their shapes are the ``TypedDict`` classes of ``cwpattern.types``.
"""

from ._cwpattern import (
    Matcher,
    PatternError,
    __version__,
    check,
    compile,
    fmt,
    matches,
    parse,
    relate,
    rules,
    verdict,
)

__all__ = [
    "Matcher",
    "PatternError",
    "__version__",
    "check",
    "compile",
    "fmt",
    "matches",
    "parse",
    "relate",
    "rules",
    "verdict",
]
