#!/usr/bin/env python3
"""The Prowler-style check, as a baseline: does a metric filter's *text* name every eventName
of the IAM rule?

Prowler (cloudwatch_log_metric_filter_* checks) searches the filter pattern with a regex of
one lookahead per required event, `(?=.*\\$\\.eventName\\s*=\\s*.?NAME\\b)`. This script does
the same search, one precompiled regex per eventName, and stops at the first name not found,
as the lookahead chain does. It reads JSON Lines like `cwpattern check --batch` (a JSON
string, or an object with a "pattern" field, per line; `-` for standard input) and prints
one JSON line per pattern: {"pattern": ..., "compliant": true|false}.

    scripts/prowler_check.py /tmp/patterns.jsonl > /dev/null

Written for this repository's benchmarks (not Prowler's code); standard library only.
"""

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The 19 eventNames of the `iam-policy-changes` rule, from the catalog the crate embeds.
IAM19 = next(
    r["event_names"]
    for r in json.loads((ROOT / "data" / "rules.json").read_text())["rules"]
    if r["id"] == "iam-policy-changes"
)
SEARCHES = [re.compile(r"\$\.eventName\s*=\s*.?" + name + r"\b") for name in IAM19]


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "-"
    source = sys.stdin if path == "-" else open(path, encoding="utf-8")
    out = sys.stdout
    with source:
        for line in source:
            if not line.strip():
                continue
            item = json.loads(line)
            pattern = item["pattern"] if isinstance(item, dict) else item
            compliant = all(s.search(pattern) for s in SEARCHES)
            out.write(json.dumps({"pattern": pattern, "compliant": compliant}) + "\n")


if __name__ == "__main__":
    main()
