#!/usr/bin/env bash
# Scaling of `cwpattern match --count` with the file size: wall and CPU time and max RSS
# (GNU time), written as CSV for scripts/plot_scaling.py. (The engine's scaling with the
# pattern size is measured by criterion: benches/relate.rs, benches/stages.rs.)
#
# Usage: scripts/bench_scaling.sh [OUT_CSV]   (default docs/scaling-memory.csv)
# Environment:
#   SIZES="10 100 1000"   match file sizes in MB, generated into /tmp (not committed)
#   CARGO_TARGET_DIR
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
case $TARGET in /*) ;; *) TARGET=$ROOT/$TARGET ;; esac
OUT=${1:-$ROOT/docs/scaling-memory.csv}
SIZES=${SIZES:-"10 100 1000"}
BIN=$TARGET/release/cwpattern
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "error: GNU time is required: apt-get install -y time" >&2; exit 2; }

(cd "$ROOT" && CARGO_TARGET_DIR=$TARGET cargo build --release --quiet --bin cwpattern)
IAM='{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}'

echo "kind,size,unit,seconds_wall,seconds_cpu,max_rss_kb" >"$OUT"
measure() { # kind size unit cmd...
    local kind=$1 size=$2 unit=$3
    shift 3
    "$TIME" -f '%e %U %S %M' -o /tmp/cwpattern-scaling.time "$@" >/dev/null 2>&1 || true
    read -r wall user sys rss </tmp/cwpattern-scaling.time
    echo "$kind,$size,$unit,$wall,$(echo "$user + $sys" | bc),$rss" | tee -a "$OUT" >&2
}

for mb in $SIZES; do
    file=/tmp/cwpattern-scaling-${mb}mb.ndjson
    [ -s "$file" ] || python3 "$ROOT/scripts/gen_cloudtrail.py" --size-mb "$mb" --seed 7 --quiet --output "$file"
    cat "$file" >/dev/null
    measure match "$mb" MB "$BIN" match "$IAM" "$file" --count
done

echo "wrote $OUT" >&2
