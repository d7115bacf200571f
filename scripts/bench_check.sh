#!/usr/bin/env bash
# Whole-process comparison for `check`: a Python Prowler-style regex check
# (scripts/prowler_check.py) against `cwpattern check --batch` over the same file of
# generated IAM metric filters (scripts/gen_patterns.py), from a file and from standard
# input, with the default threads (the machine's cores) and with one (`--jobs 1`; the
# Python check uses one core). Timings with hyperfine (median wall time of RUNS runs, mean user+system CPU time), max RSS
# with GNU time; then the headline commands again in turns (scripts/interleave.py, ROUNDS
# rounds), which keeps a drifting machine out of the ratios.
#
# Usage: scripts/bench_check.sh
# Environment:
#   COUNT=10000   patterns (scripts/gen_patterns.py --count COUNT --seed 1)
#   RUNS=5        hyperfine runs per command
#   ROUNDS=15     rounds of the commands in turns
#   CARGO_TARGET_DIR where cargo builds (default <crate>/target); data in $CARGO_TARGET_DIR/bench-data
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
case $TARGET in /*) ;; *) TARGET=$ROOT/$TARGET ;; esac
COUNT=${COUNT:-10000}
RUNS=${RUNS:-5}
ROUNDS=${ROUNDS:-15}
DATA=$TARGET/bench-data
BIN=$TARGET/release/cwpattern
FILE=$DATA/patterns-$COUNT-seed1.jsonl

for tool in hyperfine python3 cargo jq; do
    command -v "$tool" >/dev/null || { echo "error: $tool is required (apt-get install -y $tool)" >&2; exit 2; }
done

echo "== building $BIN" >&2
(cd "$ROOT" && CARGO_TARGET_DIR=$TARGET cargo build --release --quiet --bin cwpattern)
mkdir -p "$DATA"
[ -s "$FILE" ] || python3 "$ROOT/scripts/gen_patterns.py" --count "$COUNT" --seed 1 -o "$FILE"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# Same verdicts? (Not expected: the regex check reads text, cwpattern reads meaning. Counted.)
python3 "$ROOT/scripts/prowler_check.py" "$FILE" >"$TMP/prowler.jsonl"
"$BIN" check --batch "$FILE" >"$TMP/cw.jsonl" || true
# (exit status 2: the file holds a few real-world patterns that AWS would reject)
"$BIN" check --batch - <"$FILE" >"$TMP/cw-stdin.jsonl" || true
cmp -s "$TMP/cw-stdin.jsonl" "$TMP/cw.jsonl" || { echo "error: --batch - differs from --batch FILE" >&2; exit 1; }
# One thread: the same output.
"$BIN" check --batch "$FILE" --jobs 1 >"$TMP/cw-1.jsonl" || true
cmp -s "$TMP/cw-1.jsonl" "$TMP/cw.jsonl" || { echo "error: --jobs 1 differs from the default" >&2; exit 1; }
# --brief: the same verdicts as the full reports.
"$BIN" check --batch "$FILE" --brief >"$TMP/cw-brief.jsonl" || true
cmp -s <(jq -c '[.compliant, .missing, .relation]' "$TMP/cw.jsonl") <(jq -c '[.compliant, .missing, .relation]' "$TMP/cw-brief.jsonl") \
    || { echo "error: --brief verdicts differ from the full reports'" >&2; exit 1; }
echo "patterns: $(wc -l <"$FILE"); compliant by text (Prowler-style): $(grep -c '"compliant": true' "$TMP/prowler.jsonl"); compliant by meaning (cwpattern): $(jq -r 'select(.compliant == true) | 1' "$TMP/cw.jsonl" | wc -l); verdicts differing: $(paste -d'\t' <(jq -r '.compliant' "$TMP/prowler.jsonl") <(jq -r 'if has("compliant") then .compliant else "error" end' "$TMP/cw.jsonl") | awk -F'\t' '$1 != $2' | wc -l)"

hyperfine --runs "$RUNS" --warmup 1 --style basic --export-json "$TMP/h.json" \
    -n prowler_python "python3 $ROOT/scripts/prowler_check.py $FILE" \
    -n cwpattern_batch_file_1_thread "$BIN check --batch $FILE --jobs 1" \
    -n cwpattern_batch_file "$BIN check --batch $FILE" \
    -n cwpattern_batch_stdin "$BIN check --batch - < $FILE" \
    -n cwpattern_batch_brief_1_thread "$BIN check --batch $FILE --brief --jobs 1" \
    -n cwpattern_batch_brief "$BIN check --batch $FILE --brief" \
    -i >/dev/null

for cmd in "python3 $ROOT/scripts/prowler_check.py $FILE" "$BIN check --batch $FILE" "$BIN check --batch $FILE --brief"; do
    /usr/bin/time -f '%M' -o "$TMP/rss" bash -c "$cmd > /dev/null" || true
    echo "max RSS $(tail -n 1 "$TMP/rss" | awk '{printf "%.1f MB", $1/1024}'): $cmd"
done

python3 - "$TMP/h.json" "$COUNT" <<'EOF'
import json, statistics, sys
runs = json.load(open(sys.argv[1]))["results"]
n = int(sys.argv[2])
base = next(r for r in runs if r["command"] == "prowler_python")
def cpu(r):  # hyperfine exports the mean user and system times
    return r["user"] + r["system"]
print(f"| command | median wall s | mean CPU s | µs/pattern (CPU) | Python/cwpattern (wall) | Python/cwpattern (CPU) |")
print("|---|---:|---:|---:|---:|---:|")
for r in runs:
    print(f"| {r['command']} | {r['median']:.3f} | {cpu(r):.3f} | {cpu(r) / n * 1e6:.1f} | "
          f"{base['median'] / r['median']:.2f}x | {cpu(base) / cpu(r):.2f}x |")
EOF

echo
python3 "$ROOT/scripts/interleave.py" --rounds "$ROUNDS" \
    --names prowler_python,cwpattern_batch_brief_1_thread,cwpattern_batch_brief,cwpattern_batch_file_1_thread \
    "python3 $ROOT/scripts/prowler_check.py $FILE" \
    "$BIN check --batch $FILE --brief --jobs 1" \
    "$BIN check --batch $FILE --brief" \
    "$BIN check --batch $FILE --jobs 1"
