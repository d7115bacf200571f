"""The Python API of cwpattern, run against the installed wheel (see python/ci.sh)."""

import json
import math
import os
import subprocess
import threading
from pathlib import Path

import pytest

import cwpattern
from cwpattern import PatternError

REPO = Path(__file__).resolve().parents[2]

CIS_16 = (
    "{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)"
    "||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)"
    "||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)"
    "||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)"
    "||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)"
    "||($.eventName=DetachGroupPolicy)}"
)

# The fields of `cwpattern check --json`, in order (src/rules/check.rs, `CheckReport`).
CHECK_FIELDS = [
    "pattern", "canonical", "rule", "version", "assume", "compliant", "relation", "covered",
    "missing", "witnesses", "unknown", "accepted_by", "reference", "exact_text", "lint",
    "repair", "noise",
]


def test_the_installed_wheel_is_under_test():
    # The tests must exercise the wheel pip installed, not the source tree's package.
    native = Path(cwpattern._cwpattern.__file__)
    assert "site-packages" in native.parts, native
    assert (native.parent / "py.typed").is_file()
    assert (native.parent / "_cwpattern.pyi").is_file()
    assert isinstance(cwpattern.__version__, str) and cwpattern.__version__.count(".") == 2


# --- parse and fmt ---------------------------------------------------------------------

@pytest.mark.parametrize(
    "pattern, kind, canonical",
    [
        ("", "empty", ""),
        ("ERROR -DEBUG", "terms", "ERROR -DEBUG"),
        ("{($.eventName=CreatePolicy)||($.eventName=DeletePolicy)}", "json",
         "{ $.eventName = CreatePolicy || $.eventName = DeletePolicy }"),
        ("[ip, user, ..., status_code = 4*]", "delimited", "[ip, user, ..., status_code = 4*]"),
    ],
)
def test_parse_gives_kind_canonical_text_and_tree(pattern, kind, canonical):
    parsed = cwpattern.parse(pattern)
    assert list(parsed) == ["pattern", "kind", "canonical", "tree"]
    assert parsed["pattern"] == pattern
    assert parsed["kind"] == kind
    assert parsed["canonical"] == canonical
    assert parsed["tree"]["kind"]["kind"] == kind
    assert json.loads(json.dumps(parsed)) == parsed  # plain Python values only


def test_parse_tree_has_the_syntax():
    tree = cwpattern.parse("{ $.a = 1 }")["tree"]
    leaf = tree["kind"]["expr"]
    assert leaf["op"] == "leaf"
    assert leaf["leaf"]["selector"]["steps"] == [{"step": "key", "value": "a"}]
    assert leaf["leaf"]["test"]["value"]["kind"] == {"form": "number", "value": "1"}
    assert tree["span"] == {"start": 0, "end": 11}


def test_fmt_is_insensitive_to_order_spacing_and_quotes():
    a = cwpattern.fmt('{ ($.eventName = "DeletePolicy") || ($.eventName=CreatePolicy) }')
    b = cwpattern.fmt("{$.eventName=CreatePolicy||$.eventName=DeletePolicy}")
    assert a == b == "{ $.eventName = CreatePolicy || $.eventName = DeletePolicy }"
    assert cwpattern.fmt(a) == a


def test_pattern_error_has_offset_message_and_diagram():
    with pytest.raises(PatternError) as info:
        cwpattern.parse("{ $.eventName == CreatePolicy }")
    e = info.value
    assert isinstance(e, ValueError)
    assert (e.offset, e.end) == (14, 16)
    assert e.byte_span == (14, 16)
    assert e.message == "'==' is not an operator; write '='"
    assert str(e) == "'==' is not an operator; write '=' at offset 14"
    assert e.pattern == "{ $.eventName == CreatePolicy }"
    assert e.rendered == (
        "filter pattern parse error:\n"
        "    { $.eventName == CreatePolicy }\n"
        "                  ^^\n"
        "error: '==' is not an operator; write '=' at offset 14"
    )


def test_pattern_error_offsets_index_the_python_string():
    pattern = '{ $.name = "café" && $.b > x }'
    with pytest.raises(PatternError) as info:
        cwpattern.fmt(pattern)
    e = info.value
    assert pattern[e.offset:e.end] == "x"
    assert e.byte_span == (e.offset + 1, e.end + 1)  # 'é' is two bytes in UTF-8


@pytest.mark.parametrize(
    "pattern, message",
    [
        ("{ $.a = }", "expected a value after '='"),
        ('"abc', "unclosed quoted string; missing '\"'"),
        ("{ $.a = 1 } || { $.b = 2 }", "unexpected text after the closing '}'"),
        ("[a, a]", "this field name is already used"),
        ("{" + "(" * 500 + "$.a = 1" + ")" * 500 + "}", "nested too deeply"),
        ("x" * 2000, "AWS accepts at most 1024"),
    ],
)
def test_malformed_patterns_raise_pattern_error(pattern, message):
    for function in (cwpattern.parse, cwpattern.fmt, cwpattern.compile):
        with pytest.raises(PatternError) as info:
            function(pattern)
        assert message in info.value.message
        assert 0 <= info.value.offset <= info.value.end <= len(pattern)
        assert info.value.rendered.startswith("filter pattern parse error:\n")


def test_deep_nesting_within_the_limit_parses():
    pattern = "{" + "(" * 50 + "$.a = 1" + ")" * 50 + "}"
    assert cwpattern.fmt(pattern) == "{ $.a = 1 }"


@pytest.mark.parametrize("function", [cwpattern.parse, cwpattern.fmt, cwpattern.compile])
@pytest.mark.parametrize("argument", [None, 1, b"{ $.a = 1 }", ["x"]])
def test_patterns_must_be_str(function, argument):
    with pytest.raises(TypeError):
        function(argument)


def test_a_pattern_with_a_lone_surrogate_is_rejected():
    with pytest.raises(UnicodeEncodeError):
        cwpattern.fmt("{ $.a = \udcff }")


# --- matches and compile ---------------------------------------------------------------

POLICY = '{ $.eventSource = "iam.amazonaws.com" && $.eventName = "*Policy" }'
DELETE_POLICY = {"eventSource": "iam.amazonaws.com", "eventName": "DeletePolicy"}


@pytest.mark.parametrize(
    "event, expected",
    [
        (DELETE_POLICY, True),
        (json.dumps(DELETE_POLICY), True),
        (json.dumps(DELETE_POLICY).encode(), True),
        ({"eventSource": "iam.amazonaws.com", "eventName": "CreateUser"}, False),
        ([DELETE_POLICY], False),  # JSON, but not an object
        ("DeletePolicy iam.amazonaws.com", False),
        ("", False),
        (b"{", False),
    ],
)
def test_matches_takes_str_bytes_dict_and_list(event, expected):
    assert cwpattern.matches(POLICY, event) is expected
    assert cwpattern.compile(POLICY).matches(event) is expected


def test_dict_events_keep_non_ascii_text():
    assert cwpattern.matches('{ $.user = "José" }', {"user": "José"})
    assert cwpattern.matches('"José"', {"user": "José"})  # a term sees the JSON text


def test_term_and_delimited_patterns():
    assert cwpattern.matches("ERROR -DEBUG", "an ERROR here")
    assert not cwpattern.matches("ERROR -DEBUG", "ERROR and DEBUG")
    assert cwpattern.matches("[ip, user, status = 4*]", b"10.0.0.1 alice 404")
    assert cwpattern.matches("", "anything at all")


def test_non_utf8_bytes_raise_unicode_decode_error():
    with pytest.raises(UnicodeDecodeError) as info:
        cwpattern.matches("ERROR", b"ERROR \xff here")
    assert isinstance(info.value, ValueError)
    assert (info.value.start, info.value.end) == (6, 7)
    with pytest.raises(UnicodeDecodeError):
        cwpattern.compile("ERROR").evaluate(b"\xc3")


@pytest.mark.parametrize("event", [None, 42, 1.5, bytearray(b"ERROR"), ("ERROR",), {"ERROR"}])
def test_other_event_types_raise_type_error(event):
    with pytest.raises(TypeError, match="event must be str, bytes, dict or list"):
        cwpattern.matches("ERROR", event)
    with pytest.raises(TypeError):
        cwpattern.compile("ERROR").matches(event)


def test_dict_events_that_are_not_json_raise():
    with pytest.raises(ValueError):
        cwpattern.matches("{ $.a = 1 }", {"a": math.nan})
    with pytest.raises(TypeError):
        cwpattern.matches("{ $.a = 1 }", {"a": object()})


def test_deeply_nested_events_do_not_crash():
    deep = "[" * 100_000 + "]" * 100_000
    assert not cwpattern.matches("{ $.a = 1 }", deep)
    assert not cwpattern.matches("{ $.a[0][0][0] = 1 }", '{"a":' + deep + "}")
    nested: dict = {}
    for _ in range(100_000):
        nested = {"a": nested}
    with pytest.raises(RecursionError):
        cwpattern.matches("{ $.a = 1 }", nested)


def test_matcher_attributes_and_evaluate():
    m = cwpattern.compile("[ip, user, ..., status = 4*]")
    assert isinstance(m, cwpattern.Matcher)
    assert (m.pattern, m.kind, m.canonical) == (
        "[ip, user, ..., status = 4*]", "delimited", "[ip, user, ..., status = 4*]")
    assert repr(m) == 'cwpattern.compile("[ip, user, ..., status = 4*]")'
    assert m.evaluate("10.0.0.1 alice GET /x 404") == {
        "matched": True,
        "extracted": {"$3": "GET", "$4": "/x", "$ip": "10.0.0.1", "$status": "404",
                      "$user": "alice"},
    }
    assert m.evaluate("10.0.0.1 alice 200") == {"matched": False, "extracted": {}}
    j = cwpattern.compile("{ $.a = 1 }")
    assert j.evaluate({"a": 1}) == {
        "matched": True, "json": {"status": "object"}, "extracted": {"$.a": "1"}}
    assert j.evaluate("[1]")["json"] == {"status": "not_object"}
    assert j.evaluate("{")["json"]["status"] == "invalid"
    with pytest.raises(AttributeError):
        m.pattern = "x"  # immutable


def test_matcher_is_usable_from_threads():
    m = cwpattern.compile(POLICY)
    results = []

    def work():
        results.append(all(m.matches(DELETE_POLICY) for _ in range(1000)))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [True] * 4


# --- relate ----------------------------------------------------------------------------

def test_relate_subset_with_witnesses_the_evaluator_confirms():
    cis = "{ ($.eventName = CreatePolicy) || ($.eventName = DeletePolicy) }"
    mine = '{ $.eventName = "*Policy" }'
    answer = cwpattern.relate(cis, mine)
    assert list(answer) == ["relation", "reason", "left_only", "right_only", "both",
                            "left_canonical", "right_canonical"]
    assert answer["relation"] == "subset"
    assert answer["reason"] is None
    assert answer["left_only"] == []
    assert answer["right_only"]
    for event in answer["right_only"]:
        assert isinstance(event, dict)
        assert cwpattern.matches(mine, event) and not cwpattern.matches(cis, event)
    assert answer["left_canonical"] == "{ $.eventName = CreatePolicy || $.eventName = DeletePolicy }"


@pytest.mark.parametrize(
    "left, right, relation",
    [
        ("{ $.a = 1 }", "{ $.a = 1.0 }", "equivalent"),
        ("{ $.a = * }", "{ $.a = 1 }", "superset"),
        ("{ $.a > 1 }", "{ $.a < 3 }", "overlap"),
        ("{ $.a > 5 }", "{ $.a < 3 }", "disjoint"),
        ("ERROR", "ERROR -DEBUG", "superset"),
    ],
)
def test_relate_relations(left, right, relation):
    answer = cwpattern.relate(left, right)
    assert answer["relation"] == relation
    for event in answer["left_only"]:
        assert cwpattern.matches(left, event) and not cwpattern.matches(right, event)
    for event in answer["right_only"]:
        assert cwpattern.matches(right, event) and not cwpattern.matches(left, event)
    if answer["both"] is not None:
        assert cwpattern.matches(left, answer["both"]) and cwpattern.matches(right, answer["both"])


def test_relate_text_witnesses_are_str():
    answer = cwpattern.relate("ERROR", "ERROR -DEBUG")
    assert all(isinstance(e, str) for e in answer["left_only"])


def test_relate_unknown_carries_a_reason():
    answer = cwpattern.relate("{ $.a = 1 }", "ERROR")
    assert answer["relation"] == "unknown"
    assert isinstance(answer["reason"], str) and answer["reason"]


def test_relate_errors():
    with pytest.raises(PatternError) as info:
        cwpattern.relate("{ $.a = 1 }", "{ $.b = }")
    assert info.value.pattern == "{ $.b = }"
    with pytest.raises(TypeError):
        cwpattern.relate("{ $.a = 1 }")  # type: ignore[call-arg]


# --- check and rules -------------------------------------------------------------------

def test_check_has_the_fields_of_the_cli():
    report = cwpattern.check(CIS_16)
    assert list(report) == CHECK_FIELDS
    assert report["rule"] == "iam-policy-changes"
    assert report["assume"] == "cloudtrail"
    assert report["compliant"] is False
    assert report["missing"] == ["SetDefaultPolicyVersion", "AddUserToGroup", "UpdateAssumeRolePolicy"]
    assert len(report["witnesses"]) == 3
    for event in report["witnesses"]:
        assert isinstance(event, dict) and event["eventName"] in report["missing"]
        assert not cwpattern.matches(CIS_16, event)
    assert report["repair"] and cwpattern.check(report["repair"])["compliant"]
    assert set(report["exact_text"]) == {"byte_identical", "canonically_identical", "verdict"}
    # DeletePolicy is also an API of other services (acm-pca, fms, ...).
    assert report["noise"]["count"] == 14
    assert {"event_name": "DeletePolicy", "event_source": "fms.amazonaws.com"} in report["noise"]["examples"]


@pytest.mark.skipif("CWPATTERN_CLI" not in os.environ, reason="set CWPATTERN_CLI to the cwpattern binary")
def test_check_equals_the_cli_json():
    cli = os.environ["CWPATTERN_CLI"]
    samples = REPO / "corpus/samples/patterns.jsonl"
    # Every sample without the noise report (one process), then one with it.
    run = subprocess.run([cli, "check", "--no-noise", "--batch", str(samples)],
                         capture_output=True, text=True)
    assert run.returncode in (0, 1), run.stderr
    reports = [json.loads(line) for line in run.stdout.splitlines()]
    patterns = [json.loads(line)["pattern"] for line in samples.read_text().splitlines()]
    assert [cwpattern.check(p, noise=False) for p in patterns] == reports
    run = subprocess.run([cli, "check", "--json", CIS_16], capture_output=True, text=True)
    assert run.returncode == 1, run.stderr
    assert list(json.loads(run.stdout)) == CHECK_FIELDS
    assert json.loads(run.stdout) == cwpattern.check(CIS_16)


def test_verdict_is_the_reports_verdict():
    # `verdict` builds its dict directly, `check` through JSON text: same keys, order, values.
    fields = ["compliant", "relation", "covered", "missing", "witnesses", "unknown", "accepted_by"]
    samples = REPO / "corpus/samples/patterns.jsonl"
    realworld = REPO / "corpus/realworld_patterns.jsonl"
    patterns = [
        json.loads(line)["pattern"]
        for path in (samples, realworld)
        for line in path.read_text().splitlines()
        if line.strip()
    ]
    patterns.append('{ ($.eventName = CreatePolicy || $.eventName = DeletePolicy) && $.errorCode NOT EXISTS }')
    patterns.append('{ ($.eventName = CreatePolicy || $.eventName = DeletePolicy) && $.userIdentity.type != "Root" }')
    for p in patterns:
        try:
            report = cwpattern.check(p, noise=False)
        except cwpattern.PatternError:
            with pytest.raises(cwpattern.PatternError):
                cwpattern.verdict(p)
            continue
        v = cwpattern.verdict(p)
        assert list(v) == fields
        assert v == {k: report[k] for k in fields}, p
    assert cwpattern.verdict(CIS_16, assume="none")["missing"] == cwpattern.check(CIS_16, assume="none")["missing"]
    with pytest.raises(ValueError):
        cwpattern.verdict(CIS_16, rule="no-such-rule")


def test_check_options():
    wide = '{ $.eventSource = "iam.amazonaws.com" }'
    with_noise = cwpattern.check(wide)
    assert with_noise["compliant"] is True
    assert with_noise["noise"]["count"] > 100
    assert {"event_source", "event_name"} == set(with_noise["noise"]["examples"][0])
    without = cwpattern.check(wide, noise=False)
    assert without["noise"] is None
    assert {k: v for k, v in without.items() if k != "noise"} == {
        k: v for k, v in with_noise.items() if k != "noise"}

    cis16 = cwpattern.check(CIS_16, rule="iam-policy-changes", version=None, assume="none")
    assert cis16["assume"] == "none"
    cis = cwpattern.check(CIS_16, "cis-iam-policy-changes", version="1.2")
    assert cis["compliant"] is True and cis["version"] == "1.2"


def test_check_lints():
    report = cwpattern.check('{ $.eventName = "Put*Policy" }')
    assert report["lint"][0]["kind"] == "literal-star"
    assert report["lint"][0]["span"] == {"start": 16, "end": 28}


def test_check_errors():
    with pytest.raises(PatternError) as info:
        cwpattern.check("{ $.eventName = ")
    assert info.value.offset == 16
    with pytest.raises(ValueError, match="unknown rule 'no-such-rule'"):
        cwpattern.check(CIS_16, rule="no-such-rule")
    with pytest.raises(ValueError, match="has no pattern for version 9.9"):
        cwpattern.check(CIS_16, rule="cis-iam-policy-changes", version="9.9")
    with pytest.raises(ValueError, match="assume must be 'cloudtrail' or 'none'"):
        cwpattern.check(CIS_16, assume="everything")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        cwpattern.check(CIS_16, rule=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        cwpattern.check(CIS_16, "iam-policy-changes", "1.2")  # type: ignore[misc]
    with pytest.raises(TypeError):
        cwpattern.check(CIS_16, noise="no")  # type: ignore[arg-type]


def test_check_from_threads_gives_the_same_answers():
    patterns = [json.loads(line)["pattern"]
                for line in (REPO / "corpus/samples/patterns.jsonl").read_text().splitlines()]
    expected = [cwpattern.check(p, noise=False) for p in patterns]
    got: dict = {}

    def work(i, pattern):
        got[i] = cwpattern.check(pattern, noise=False)

    threads = [threading.Thread(target=work, args=(i, p)) for i, p in enumerate(patterns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [got[i] for i in range(len(patterns))] == expected


def test_samples_agree_with_their_notes():
    for line in (REPO / "corpus/samples/patterns.jsonl").read_text().splitlines():
        sample = json.loads(line)
        expected = sample["note"].startswith("compliant")
        report = cwpattern.check(sample["pattern"], noise=False)
        assert report["compliant"] is expected, sample["note"]


def test_rules():
    catalog = cwpattern.rules()
    ids = [r["id"] for r in catalog]
    assert "iam-policy-changes" in ids and "root-account-usage" in ids
    assert len(ids) == len(set(ids))
    iam = catalog[ids.index("iam-policy-changes")]
    assert list(iam) == ["id", "title", "standard", "event_source", "event_names", "patterns",
                         "notes"]
    assert len(iam["event_names"]) == 19
    for rule in catalog:
        for reference in rule["patterns"]:
            assert cwpattern.check(reference["pattern"], rule["id"],
                                   version=reference["versions"][0], noise=False)["compliant"]


# --- the package surface ---------------------------------------------------------------

def test_every_public_function_has_a_docstring():
    for name in cwpattern.__all__:
        obj = getattr(cwpattern, name)
        if callable(obj):
            assert obj.__doc__ and len(obj.__doc__) > 40, name
    for name in ("matches", "evaluate", "pattern", "canonical", "kind"):
        assert getattr(cwpattern.Matcher, name).__doc__, name
    assert cwpattern.PatternError.__doc__


def test_the_stub_declares_exactly_the_module():
    import ast

    stub = Path(cwpattern._cwpattern.__file__).parent / "_cwpattern.pyi"
    tree = ast.parse(stub.read_text())
    declared = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            declared.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            declared.add(node.target.id)
    public = {n for n in dir(cwpattern._cwpattern) if not n.startswith("_")} | {"__version__"}
    assert declared == public
    assert set(cwpattern.__all__) == public
