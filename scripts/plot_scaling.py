#!/usr/bin/env python3
"""Draws the scaling charts of BENCHMARKS.md as SVG, by hand (standard library only).

Reads criterion's saved estimates (target/criterion/<group>/<n>/new/estimates.json, median)
for the scaling groups of benches/relate.rs and benches/stages.rs, and the CSV written by
scripts/bench_scaling.sh (`cwpattern match` time and max RSS per file size). Writes
docs/scaling-engine.svg and docs/scaling-match.svg: log-log plots, with a dotted line of
slope 1 through each series' first point (linear growth) for comparison.

    scripts/plot_scaling.py [--criterion DIR] [--csv docs/scaling-memory.csv] [--out docs]
"""

import argparse
import csv
import json
import math
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]


def criterion_series(base, group):
    """[(n, median seconds)] of a parameterised criterion group, sorted by n."""
    out = []
    d = base / group
    if not d.is_dir():
        return out
    for sub in d.iterdir():
        est = sub / "new" / "estimates.json"
        if sub.name.isdigit() and est.is_file():
            median = json.loads(est.read_text())["median"]["point_estimate"] / 1e9
            out.append((int(sub.name), median))
    return sorted(out)


def svg_chart(title, xlabel, ylabel, series, path, ylog=True):
    """A log-log line chart. series: [(label, [(x, y)])]."""
    w, h, ml, mr, mt, mb = 720, 440, 80, 210, 40, 60
    pts = [p for _, s in series for p in s if p[1] > 0]
    if not pts:
        return False
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    lx0, lx1 = math.floor(math.log10(min(xs))), math.ceil(math.log10(max(xs)))
    if ylog:
        ly0, ly1 = math.floor(math.log10(min(ys))), math.ceil(math.log10(max(ys)))
    else:
        ly0, ly1 = 0.0, max(ys) * 1.2
    lx1 = max(lx1, lx0 + 1)
    ly1 = max(ly1, ly0 + 1) if ylog else ly1

    def X(x):
        return ml + (math.log10(x) - lx0) / (lx1 - lx0) * (w - ml - mr)

    def Y(y):
        v = (math.log10(y) - ly0) / (ly1 - ly0) if ylog else (y - ly0) / (ly1 - ly0)
        return h - mb - v * (h - mt - mb)

    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
         f'<rect width="{w}" height="{h}" fill="white"/>',
         f'<text x="{w / 2 - mr / 2}" y="22" text-anchor="middle" font-size="15">{title}</text>']
    for e in range(lx0, lx1 + 1):
        x = X(10 ** e)
        o.append(f'<line x1="{x:.1f}" y1="{mt}" x2="{x:.1f}" y2="{h - mb}" stroke="#ddd"/>')
        o.append(f'<text x="{x:.1f}" y="{h - mb + 18}" text-anchor="middle">{10 ** e:g}</text>')
    if ylog:
        ticks = [10 ** e for e in range(int(ly0), int(ly1) + 1)]
    else:
        step = 10 ** math.floor(math.log10(ly1 / 4 or 1))
        ticks = [i * step for i in range(int(ly1 / step) + 1)]
    for t in ticks:
        y = Y(t)
        o.append(f'<line x1="{ml}" y1="{y:.1f}" x2="{w - mr}" y2="{y:.1f}" stroke="#ddd"/>')
        o.append(f'<text x="{ml - 6}" y="{y + 4:.1f}" text-anchor="end">{t:g}</text>')
    o.append(f'<rect x="{ml}" y="{mt}" width="{w - ml - mr}" height="{h - mt - mb}" fill="none" stroke="#333"/>')
    o.append(f'<text x="{(ml + w - mr) / 2}" y="{h - 15}" text-anchor="middle">{xlabel}</text>')
    o.append(f'<text x="18" y="{(mt + h - mb) / 2}" text-anchor="middle" transform="rotate(-90 18 {(mt + h - mb) / 2})">{ylabel}</text>')
    for i, (label, s) in enumerate(series):
        s = [p for p in s if p[1] > 0]
        if not s:
            continue
        c = COLOURS[i % len(COLOURS)]
        d = " ".join(f"{X(x):.1f},{Y(y):.1f}" for x, y in s)
        o.append(f'<polyline points="{d}" fill="none" stroke="{c}" stroke-width="2"/>')
        for x, y in s:
            o.append(f'<circle cx="{X(x):.1f}" cy="{Y(y):.1f}" r="3" fill="{c}"/>')
        if ylog and len(s) > 1:
            (x0, y0), (x1, _) = s[0], s[-1]
            o.append(f'<line x1="{X(x0):.1f}" y1="{Y(y0):.1f}" x2="{X(x1):.1f}" y2="{Y(y0 * x1 / x0):.1f}" '
                     f'stroke="{c}" stroke-dasharray="2,4" stroke-width="1"/>')
        ly = mt + 16 + 20 * i
        o.append(f'<line x1="{w - mr + 12}" y1="{ly - 4}" x2="{w - mr + 32}" y2="{ly - 4}" stroke="{c}" stroke-width="2"/>')
        o.append(f'<text x="{w - mr + 38}" y="{ly}">{label}</text>')
    if ylog:
        ly = mt + 16 + 20 * len(series)
        o.append(f'<line x1="{w - mr + 12}" y1="{ly - 4}" x2="{w - mr + 32}" y2="{ly - 4}" stroke="#555" stroke-dasharray="2,4"/>')
        o.append(f'<text x="{w - mr + 38}" y="{ly}">linear (slope 1)</text>')
    o.append("</svg>")
    path.write_text("\n".join(o) + "\n")
    return True


def main():
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--criterion", type=Path, default=target / "criterion")
    ap.add_argument("--csv", type=Path, default=ROOT / "docs/scaling-memory.csv")
    ap.add_argument("--out", type=Path, default=ROOT / "docs")
    ap.add_argument("--suffix", default="-cpu", help="criterion group suffix (-cpu or empty)")
    args = ap.parse_args()
    sfx = args.suffix
    engine = [
        ("relate, disjuncts", criterion_series(args.criterion, f"relate{sfx}_disjuncts")),
        ("relate, nesting levels", criterion_series(args.criterion, f"relate_scaling{sfx}_nesting")),
        ("relate, wildcards", criterion_series(args.criterion, f"relate_scaling{sfx}_wildcards")),
        ("parse+lower, disjuncts", criterion_series(args.criterion, f"stages_scaling{sfx}_disjuncts")),
        ("parse+lower, nesting", criterion_series(args.criterion, f"stages_scaling{sfx}_nesting")),
        ("parse+lower, wildcards", criterion_series(args.criterion, f"stages_scaling{sfx}_wildcards")),
    ]
    engine = [(l, [(n, t * 1e3) for n, t in s]) for l, s in engine]
    if svg_chart("Engine and front end: time vs pattern size", "size n (disjuncts, levels, wildcards)",
                 "ms (median, criterion)", engine, args.out / "scaling-engine.svg"):
        print(f"wrote {args.out / 'scaling-engine.svg'}")
    if args.csv.is_file():
        rows = [r for r in csv.DictReader(args.csv.open()) if r["kind"] == "match"]
        size = [(float(r["size"]), r) for r in rows]
        t = [("CPU s", [(s, float(r["seconds_cpu"])) for s, r in size]),
             ("wall s", [(s, float(r["seconds_wall"])) for s, r in size])]
        m = [("max RSS MB", [(s, float(r["max_rss_kb"]) / 1024) for s, r in size])]
        if svg_chart("cwpattern match --count: time vs file size", "file size (MB)", "seconds", t,
                     args.out / "scaling-match.svg"):
            print(f"wrote {args.out / 'scaling-match.svg'}")
        if svg_chart("cwpattern match --count: memory vs file size", "file size (MB)", "max RSS (MB)", m,
                     args.out / "scaling-match-memory.svg", ylog=False):
            print(f"wrote {args.out / 'scaling-match-memory.svg'}")


if __name__ == "__main__":
    main()
