#!/usr/bin/env python3
"""Evaluating events from Python: a compiled Matcher against re-parsing per call, and
against the hand-written Python a scanner would otherwise use.

Events: corpus/cloudtrail_sample.ndjson (one CloudTrail record per line). Pattern: the
19-name IAM policy-change filter. Each way is timed over all events, best of --rounds,
in µs per event.

Usage (from the repository's root, with a release wheel installed):

    python python/bench/bench_match.py
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Callable, List

import cwpattern

REPO = Path(__file__).resolve().parents[2]


def best_us_per_event(fn: Callable[[], int], n_events: int, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best / n_events * 1e6


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()

    lines: List[str] = (REPO / "corpus/cloudtrail_sample.ndjson").read_text().splitlines()
    lines = [line for line in lines if line.strip()]
    raw = [line.encode() for line in lines]
    dicts = [json.loads(line) for line in lines]
    iam = next(r for r in cwpattern.rules() if r["id"] == "iam-policy-changes")
    names = set(iam["event_names"])
    pattern = "{ " + " || ".join(f"($.eventName = {n})" for n in iam["event_names"]) + " }"
    m = cwpattern.compile(pattern)

    ways = {
        "Matcher.matches(str)": lambda: sum(m.matches(e) for e in lines),
        "Matcher.matches(bytes)": lambda: sum(m.matches(e) for e in raw),
        "Matcher.matches(dict)": lambda: sum(m.matches(e) for e in dicts),
        "cwpattern.matches(pattern, str)": lambda: sum(cwpattern.matches(pattern, e) for e in lines),
        "Python: json.loads + set lookup": lambda: sum(
            json.loads(e).get("eventName") in names for e in lines),
    }
    counts = {name: fn() for name, fn in ways.items()}
    assert len(set(counts.values())) == 1, counts  # every way agrees

    mb = sum(len(e) + 1 for e in raw) / 1e6
    print(f"{len(lines)} events, {mb:.2f} MB, {counts['Matcher.matches(str)']} match")
    print(f"{'way':<34} {'µs/event':>9} {'MB/s':>8}")
    for name, fn in ways.items():
        us = best_us_per_event(fn, len(lines), args.rounds)
        print(f"{name:<34} {us:>9.2f} {mb / (us * len(lines) / 1e6):>8.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
