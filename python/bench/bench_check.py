#!/usr/bin/env python3
"""cwpattern.check against the Prowler-style regex check, per pattern, from Python.

The question both answer: does this metric filter pattern cover the IAM policy-change rule
(the 19 eventNames of `iam-policy-changes`)? The regex approach searches the pattern's
text once per eventName, as Prowler's CloudWatch checks do:

    re.search(r"\\$\\.eventName\\s*=\\s*.?DeleteGroupPolicy", pattern)   # ... for each name

`cwpattern.check` parses the pattern and decides coverage with the semantic engine; with
`noise=True` (the default) it also lists the AWS APIs the pattern catches beyond the rule.

Patterns: corpus/realworld_patterns.jsonl, corpus/samples/patterns.jsonl, and a generated
set (deterministic: subsets, orders, quoting, parentheses, wildcards and eventSource guards
of the 19 names). Each pattern is timed alone: calls are repeated until a round takes at
least --min-round seconds, the best of --rounds rounds is kept, in µs per call.

Usage (from the repository's root, with a release wheel installed):

    python python/bench/bench_check.py                  # summary + the per-pattern table
    python python/bench/bench_check.py --generated 500 --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List

import cwpattern

REPO = Path(__file__).resolve().parents[2]
RULE = "iam-policy-changes"
IAM_EVENTS: List[str] = next(r for r in cwpattern.rules() if r["id"] == RULE)["event_names"]

# The regex approach as scanners write it: re.search with a pattern string per name
# (Python's re module caches the compiled expressions).
def regex_check(pattern: str) -> bool:
    return all(re.search(rf"\$\.eventName\s*=\s*.?{name}", pattern) for name in IAM_EVENTS)


# The same, with the expressions compiled once: the fastest form of the regex approach.
COMPILED = [re.compile(rf"\$\.eventName\s*=\s*.?{name}") for name in IAM_EVENTS]


def regex_check_compiled(pattern: str) -> bool:
    return all(r.search(pattern) for r in COMPILED)


def semantic_check(pattern: str, noise: bool) -> bool:
    try:
        return cwpattern.check(pattern, rule=RULE, noise=noise)["compliant"]
    except cwpattern.PatternError:
        return False


def load(path: Path) -> List[str]:
    return [json.loads(line)["pattern"] for line in path.read_text().splitlines() if line.strip()]


def generated(n: int, seed: int = 20261127) -> List[str]:
    """Patterns in the shapes real metric filters take, about the 19 IAM names."""
    rng = random.Random(seed)
    wildcards = ["*Policy", "*Policy*", "Put*", "Delete*", "Attach*", "Detach*", "Create*",
                 "Set*", "Add*", "Update*", "*PolicyVersion"]
    out = []
    for _ in range(n):
        names = rng.sample(IAM_EVENTS, rng.randint(12, 19))
        if rng.random() < 0.3:  # wildcards instead of some names
            names = names[: rng.randint(0, 6)] + rng.sample(wildcards, rng.randint(2, 6))
        if rng.random() < 0.1:  # a typo
            i = rng.randrange(len(names))
            names[i] = names[i] + "s"
        quote = rng.random() < 0.4
        paren = rng.random() < 0.6
        space = rng.choice(["", " "])
        terms = []
        for name in names:
            value = f'"{name}"' if quote or "*" in name else name
            term = f"$.eventName{space}={space}{value}"
            terms.append(f"({term})" if paren else term)
        body = f"{space}||{space}".join(terms)
        if rng.random() < 0.3:
            source = rng.choice(['"iam.amazonaws.com"', "iam.amazonaws.com", "iam.amazon.com"])
            body = f"($.eventSource = {source}) && ({body})"
        out.append(f"{{ {body} }}")
    return out


def per_call_us(fn: Callable[[], object], min_round: float, rounds: int) -> float:
    """Best of `rounds` rounds, each repeated until it lasts at least `min_round` seconds."""
    number = 1
    while True:
        start = time.perf_counter()
        for _ in range(number):
            fn()
        elapsed = time.perf_counter() - start
        if elapsed >= min_round:
            break
        number *= 2 if elapsed == 0 else max(2, int(min_round / elapsed * 1.2))
    best = elapsed / number
    for _ in range(rounds - 1):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best * 1e6


def semantic_verdict(pattern: str) -> bool:
    try:
        return cwpattern.verdict(pattern, rule=RULE)["compliant"]
    except cwpattern.PatternError:
        return False


def measure(patterns: List[str], min_round: float, rounds: int) -> List[Dict[str, object]]:
    rows = []
    for p in patterns:
        rows.append({
            "pattern": p,
            "regex_verdict": regex_check(p),
            "check_verdict": semantic_check(p, noise=False),
            "regex_us": per_call_us(lambda: regex_check(p), min_round, rounds),
            "regex_compiled_us": per_call_us(lambda: regex_check_compiled(p), min_round, rounds),
            "check_us": per_call_us(lambda: semantic_check(p, True), min_round, rounds),
            "check_no_noise_us": per_call_us(lambda: semantic_check(p, False), min_round, rounds),
            "verdict_us": per_call_us(lambda: semantic_verdict(p), min_round, rounds),
        })
    return rows


def conversion_us(min_round: float, rounds: int) -> Dict[str, float]:
    """What turning a report into Python objects costs (json.loads of its JSON text, the
    work the bindings do after serde_json), next to the check that produced it."""
    p = load(REPO / "corpus/samples/patterns.jsonl")[0]
    text = json.dumps(cwpattern.check(p, rule=RULE))
    return {
        "loads_us": per_call_us(lambda: json.loads(text), min_round, rounds),
        "check_us": per_call_us(lambda: cwpattern.check(p, rule=RULE), min_round, rounds),
        "report_bytes": len(text),
    }


def summary(name: str, rows: List[Dict[str, object]]) -> str:
    def med(key: str) -> float:
        return statistics.median(float(r[key]) for r in rows)

    total = lambda key: sum(float(r[key]) for r in rows) / 1e3  # noqa: E731
    agree = sum(r["regex_verdict"] == r["check_verdict"] for r in rows)
    return (
        f"{name:<12} {len(rows):>4}  "
        f"{med('regex_us'):>9.1f} {med('regex_compiled_us'):>9.1f} "
        f"{med('verdict_us'):>9.1f} {med('check_no_noise_us'):>9.1f} {med('check_us'):>9.1f}  "
        f"{med('verdict_us') / med('regex_us'):>7.1f}x "
        f"{med('check_no_noise_us') / med('regex_us'):>7.1f}x {med('check_us') / med('regex_us'):>7.1f}x  "
        f"{total('regex_us'):>8.2f} {total('check_no_noise_us'):>8.2f} {total('check_us'):>8.2f}  "
        f"{agree:>3}/{len(rows)}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--generated", type=int, default=200, help="generated patterns (default 200)")
    ap.add_argument("--min-round", type=float, default=0.02, help="seconds per timing round")
    ap.add_argument("--rounds", type=int, default=3, help="rounds per measurement, best kept")
    ap.add_argument("--no-table", action="store_true", help="print only the summary")
    ap.add_argument("--json", type=Path, help="write every measurement to this file")
    args = ap.parse_args()

    sets = {
        "realworld": load(REPO / "corpus/realworld_patterns.jsonl"),
        "samples": load(REPO / "corpus/samples/patterns.jsonl"),
        "generated": generated(args.generated),
    }
    results = {name: measure(ps, args.min_round, args.rounds) for name, ps in sets.items()}
    conversion = conversion_us(args.min_round, args.rounds)

    print(f"cwpattern {cwpattern.__version__}, Python {platform.python_version()}, "
          f"{platform.machine()}, {os.cpu_count()} CPUs")
    if not args.no_table:
        for name, rows in results.items():
            print(f"\n{name}: µs per call (regex = re.search per eventName; check = cwpattern.check)")
            print(f"{'regex':>8} {'compiled':>9} {'no-noise':>9} {'check':>9} {'ratio':>7}  pattern")
            for r in rows:
                ratio = float(r["check_us"]) / float(r["regex_us"])
                text = str(r["pattern"]).replace("\n", " ")
                flag = "" if r["regex_verdict"] == r["check_verdict"] else " [verdicts differ]"
                print(f"{r['regex_us']:>8.1f} {r['regex_compiled_us']:>9.1f} "
                      f"{r['check_no_noise_us']:>9.1f} {r['check_us']:>9.1f} {ratio:>6.1f}x  "
                      f"{text[:70]}{'…' if len(text) > 70 else ''}{flag}")

    print("\nmedians in µs per pattern; totals in ms for the whole set; ratio = check / regex")
    print(f"{'set':<12} {'n':>4}  {'regex':>9} {'compiled':>9} {'verdict':>9} {'no-noise':>9} {'check':>9}  "
          f"{'verdict':>8} {'no-noise':>8} {'check':>8}  {'Σregex':>8} {'Σno-noise':>8} {'Σcheck':>8}  agree")
    for name, rows in results.items():
        print(summary(name, rows))
    print(f"\nreport → Python objects (json.loads, {conversion['report_bytes']} bytes): "
          f"{conversion['loads_us']:.1f} µs of a {conversion['check_us']:.1f} µs check")

    if args.json:
        args.json.write_text(json.dumps({"results": results, "conversion": conversion}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
