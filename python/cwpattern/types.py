"""The shapes of the dicts that ``cwpattern`` returns, as ``TypedDict`` classes.

They describe plain ``dict`` objects (nothing at run time checks them); import them to
annotate code that reads the results, e.g. ``report: CheckReport = cwpattern.check(p)``.
The fields are those of the CLI's ``--json`` output.
"""

from __future__ import annotations

from typing import Any, Dict, List, Literal, Optional, TypedDict, Union

#: An example log event: a JSON event as a dict, a text event as a str.
Event = Union[Dict[str, Any], str]

#: What ``matches``, ``Matcher.matches`` and ``Matcher.evaluate`` accept as an event: the
#: message as ``str`` or UTF-8 ``bytes``, or a ``dict``/``list`` serialised to JSON.
EventInput = Union[str, bytes, Dict[str, Any], List[Any]]

PatternKind = Literal["empty", "terms", "json", "delimited"]

RelationName = Literal["equivalent", "subset", "superset", "overlap", "disjoint", "unknown"]


class Parsed(TypedDict):
    """What ``parse`` returns."""

    pattern: str
    kind: PatternKind
    canonical: str
    #: The syntax tree as ``cwpattern parse`` prints it; spans are UTF-8 byte offsets.
    tree: Dict[str, Any]


class Related(TypedDict):
    """What ``relate`` returns."""

    relation: RelationName
    #: Why the relation is unknown; ``None`` otherwise.
    reason: Optional[str]
    left_only: List[Event]
    right_only: List[Event]
    both: Optional[Event]
    left_canonical: str
    right_canonical: str


class _JsonStatusBase(TypedDict):
    status: Literal["object", "not_object", "invalid"]


class JsonStatus(_JsonStatusBase, total=False):
    """How a JSON pattern read an event; ``reason`` only when it is ``invalid``."""

    reason: str


class _OutcomeBase(TypedDict):
    matched: bool
    extracted: Dict[str, str]


class Outcome(_OutcomeBase, total=False):
    """What ``Matcher.evaluate`` returns; ``json`` only for JSON patterns."""

    json: JsonStatus


class Span(TypedDict):
    """A range of the pattern in UTF-8 bytes, ``start`` included, ``end`` excluded."""

    start: int
    end: int


class Lint(TypedDict):
    """A problem found in a pattern."""

    kind: Literal[
        "matches-nothing",
        "matches-almost-everything",
        "mixed-precedence",
        "literal-star",
        "unquoted-term",
        "ignored-optional-terms",
        "duplicate-operand",
        "over-quota",
    ]
    message: str
    span: Optional[Span]
    suggestion: Optional[str]


class ExactText(TypedDict):
    """What a scanner that compares pattern text would conclude."""

    byte_identical: bool
    canonically_identical: bool
    verdict: str


class ApiEvent(TypedDict):
    """One AWS API as CloudTrail records it."""

    event_source: str
    event_name: str


class Noise(TypedDict):
    """The AWS API events a pattern catches beyond the rule."""

    count: int
    examples: List[ApiEvent]


class Verdict(TypedDict):
    """What ``verdict`` returns: these fields of ``check``'s report, with the same values."""

    compliant: bool
    #: The pattern compared with the rule's required events.
    relation: RelationName
    covered: List[str]
    missing: List[str]
    witnesses: List[Event]
    unknown: Optional[str]
    accepted_by: Optional[Literal["required", "alternative"]]


class CheckReport(Verdict):
    """What ``check`` returns: the fields of ``cwpattern check --json`` (the verdict's, and
    these)."""

    pattern: str
    canonical: str
    rule: str
    version: str
    assume: Literal["cloudtrail", "none"]
    reference: str
    exact_text: ExactText
    lint: List[Lint]
    repair: Optional[str]
    #: ``None`` when ``check`` was called with ``noise=False``.
    noise: Optional[Noise]


class RulePattern(TypedDict):
    """A rule's reference pattern for some versions."""

    versions: List[str]
    role: Optional[str]
    pattern: str
    sources: List[str]
    note: Optional[str]


class Rule(TypedDict):
    """One rule of the catalog, as ``rules`` returns it."""

    id: str
    title: str
    standard: str
    event_source: Optional[str]
    event_names: List[str]
    patterns: List[RulePattern]
    notes: str


__all__ = [
    "ApiEvent",
    "CheckReport",
    "Event",
    "EventInput",
    "ExactText",
    "JsonStatus",
    "Lint",
    "Noise",
    "Outcome",
    "Parsed",
    "PatternKind",
    "Related",
    "RelationName",
    "Rule",
    "RulePattern",
    "Span",
]
