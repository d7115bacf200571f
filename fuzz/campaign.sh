#!/usr/bin/env bash
# A fuzzing campaign: every target for SECONDS seconds (default 1800), two at a time (the
# machine has 2 cores). Logs go to logs/TARGET.log; crashes to artifacts/TARGET/.
# Usage: fuzz/campaign.sh [SECONDS] [TARGET...]
set -uo pipefail
cd "$(dirname "$0")"
seconds="${1:-1800}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(parse canonical eval relate check)
mkdir -p logs
./init_corpus.sh >/dev/null
cargo +nightly fuzz build -O >/dev/null 2>&1 || { echo "build failed"; exit 1; }
run() {
  cargo +nightly fuzz run "$1" -O -- -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -dict=cwpattern.dict -print_final_stats=1 >"logs/$1.log" 2>&1
  echo "$1: exit $? $(grep -E '^#[0-9]+[[:space:]]+DONE' "logs/$1.log" | tail -1)"
}
i=0
while [ $i -lt ${#targets[@]} ]; do
  run "${targets[$i]}" &
  if [ $((i + 1)) -lt ${#targets[@]} ]; then run "${targets[$((i + 1))]}" & fi
  wait
  i=$((i + 2))
done
