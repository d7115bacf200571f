#!/usr/bin/env python3
"""Ratios of criterion results to a baseline function of the same group.

Reads `<criterion dir>/<group>/<function>/new/estimates.json` (criterion's mean and its 95%
interval) for every function of GROUP and prints a Markdown table: time per iteration,
time per element when the group has a throughput (ELEMENTS per iteration), and the ratio to
BASELINE. Standard library only.

    scripts/bench_ratios.py target/criterion check_per_pattern-cpu prowler_regex --elements 1000
"""

import argparse
import json
from pathlib import Path


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("criterion_dir", type=Path)
    ap.add_argument("group")
    ap.add_argument("baseline")
    ap.add_argument("--elements", type=int, default=1, help="elements per iteration")
    args = ap.parse_args()
    group = args.criterion_dir / args.group
    means = {}
    for est in sorted(group.glob("*/new/estimates.json")):
        mean = json.loads(est.read_text())["mean"]
        means[est.parent.parent.name] = (
            mean["point_estimate"],
            mean["confidence_interval"]["lower_bound"],
            mean["confidence_interval"]["upper_bound"],
        )
    if args.baseline not in means:
        raise SystemExit(f"error: no {args.baseline} in {group} (have: {', '.join(means)})")
    base = means[args.baseline][0]
    print(f"| {args.group} | mean per iteration [95% CI] | per element | / {args.baseline} |")
    print("|---|---:|---:|---:|")
    for name, (mean, low, high) in means.items():
        per = mean / args.elements
        print(
            f"| {name} | {mean / 1e6:.2f} ms [{low / 1e6:.2f}–{high / 1e6:.2f}] "
            f"| {per / 1e3:.1f} µs | {mean / base:.2f}× |"
        )


if __name__ == "__main__":
    main()
