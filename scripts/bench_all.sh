#!/usr/bin/env bash
# Every benchmark of BENCHMARKS.md, in one command (~30-40 min on 2 shared cores):
# criterion benches (thread CPU time), the whole-process comparisons (jq, Python), the
# scaling runs and the charts.
#
# Usage: scripts/bench_all.sh
# Environment: CARGO_TARGET_DIR (default <crate>/target), QUICK=1 for shorter criterion runs.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
ARGS=()
[ "${QUICK:-}" = 1 ] && ARGS=(-- --warm-up-time 1 --measurement-time 3)
for bench in stages check relate match_throughput; do
    echo "== cargo bench --bench $bench (BENCH_CLOCK=cpu)" >&2
    BENCH_CLOCK=cpu cargo bench --bench "$bench" "${ARGS[@]}"
done
echo "== scripts/bench_check.sh" >&2
scripts/bench_check.sh
echo "== scripts/bench_match.sh" >&2
scripts/bench_match.sh
echo "== scripts/bench_scaling.sh" >&2
scripts/bench_scaling.sh docs/scaling-memory.csv
scripts/plot_scaling.py
