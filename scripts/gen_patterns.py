#!/usr/bin/env python3
"""Writes N realistic IAM-policy-change metric filters, one JSON string per line.

Deterministic for a seed (Python 3.11, standard library only). The patterns are what
scanners meet across accounts: the CIS 16-event text and the 19-event IAM rule, written in
other orders, spacings, quotings and groupings; with events missing or extra (other IAM
APIs, Organizations/IoT look-alikes); with an `eventSource` conjunct; a few with
wildcards (`"Put*"`), `!=`, or nested paths; and every IAM pattern of
corpus/realworld_patterns.jsonl as it was written. Every pattern is valid under AWS's
limits except a few real-world ones (which `check --batch` reports as errors, like a
scanner would meet them).

    scripts/gen_patterns.py --count 10000 --seed 1 -o /tmp/patterns.jsonl
"""

import argparse
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The 19 eventNames of the `iam-policy-changes` rule, from the catalog the crate embeds.
IAM19 = next(
    r["event_names"]
    for r in json.loads((ROOT / "data" / "rules.json").read_text())["rules"]
    if r["id"] == "iam-policy-changes"
)
CIS16 = IAM19[:16]
EXTRA = [
    "CreateUser", "DeleteUser", "CreateRole", "DeleteRole", "CreateAccessKey",
    "UpdateAccessKey", "RemoveUserFromGroup", "CreateLoginProfile", "TagRole",
    "PutRolePermissionsBoundary", "AttachPolicy", "DetachPolicy", "UpdatePolicy",
    "CreatePolicies", "Deletepolicy",  # near-misses: another API, a typo
]


def realworld_iam():
    out = []
    for line in (ROOT / "corpus/realworld_patterns.jsonl").read_text().splitlines():
        if line.strip():
            rec = json.loads(line)
            if "eventName" in rec["pattern"] and "Policy" in rec["pattern"]:
                out.append(rec["pattern"])
    return out


def value(rng, name):
    return rng.choice([name, name, f'"{name}"'])


def condition(rng, name, style):
    op = rng.choice(["=", "=", " = ", "= ", " ="])
    return style["cond"].format(sel="$.eventName", op=op, val=value(rng, name))


def join(rng, parts, style):
    sep = style["or"]
    if rng.random() < 0.05 and len(parts) > 3:
        # One long line broken over several lines, as Terraform heredocs do.
        sep = sep.rstrip() + " \n"
    return sep.join(parts)


def variant(rng):
    r = rng.random()
    names = list(CIS16 if r < 0.5 else IAM19)
    kind = rng.random()
    if kind < 0.25:
        names.remove(rng.choice(names))  # one event missing
    elif kind < 0.35:
        for _ in range(rng.randint(2, 5)):
            if len(names) > 3:
                names.remove(rng.choice(names))
    elif kind < 0.55:
        names += rng.sample(EXTRA, rng.randint(1, 4))  # extra events
    if rng.random() < 0.7:
        rng.shuffle(names)
    style = rng.choice([
        {"cond": "({sel}{op}{val})", "or": "||"},
        {"cond": "({sel}{op}{val})", "or": " || "},
        {"cond": "{sel}{op}{val}", "or": " || "},
        {"cond": "( {sel}{op}{val} )", "or": " || "},
        {"cond": "{sel}{op}{val}", "or": "||"},
    ])
    body = join(rng, [condition(rng, n, style) for n in names], style)
    shape = rng.random()
    if shape < 0.12:
        src = rng.choice(["iam.amazonaws.com", '"iam.amazonaws.com"'])
        body = f"($.eventSource = {src}) && ({body})"
    elif shape < 0.16:
        # A wildcard for a family of names (a scanner reading text sees none of them).
        body = f'{body} || ($.eventName = "{rng.choice(["Put", "Attach", "Detach"])}*")'
    elif shape < 0.18:
        body = f'({body}) && $.errorCode NOT EXISTS'
    elif shape < 0.20:
        body = f'({body}) && ($.userIdentity.type != "AWSService")'
    elif shape < 0.22:
        body = f"(({body}))"
    outer = rng.choice(["{{{}}}", "{{ {} }}", "{{ {} }}", "{{\n  {}\n}}"])
    return outer.format(body)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--output", "-o", default="-")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    patterns = realworld_iam()
    while len(patterns) < args.count:
        p = variant(rng)
        if len(p) <= 1024:  # AWS's limit: scanners only ever see accepted patterns
            patterns.append(p)
    lines = "".join(json.dumps(p) + "\n" for p in patterns[: args.count])
    if args.output == "-":
        sys.stdout.write(lines)
    else:
        Path(args.output).write_text(lines)


if __name__ == "__main__":
    main()
