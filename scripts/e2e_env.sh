#!/usr/bin/env bash
# Prints a Python that can run the end-to-end scan test (tests/scan_e2e.rs): one with the
# pinned AWS emulator and AWS CLI. Use it as
#
#   export CWPATTERN_E2E_PYTHON="$(scripts/e2e_env.sh)"
#
# If `python3` already has exactly these versions (the machine image does), that is it.
# Otherwise a venv is made — or reused, when its pins are the same — in $CWPATTERN_E2E_VENV,
# else in ~/.cache/cwpattern/e2e-venv (outside the work tree, so that CI's fresh clones
# reuse it). Needs Python 3 with `venv` (Debian: python3-venv, which this script installs
# with apt-get when it is missing and it runs as root) and PyPI. Progress goes to stderr.
#
# Why these: moto 5.2.1 serves CloudWatch over the query protocol only; awscli 1.45.11 (with
# its pinned botocore 1.43.11) speaks that protocol to CloudWatch, as does the pinned
# aws-sdk-cloudwatch (see Cargo.toml). moto's `server` extra would pull in every service's
# dependencies (cfn-lint, sympy, docker...: 69 packages); the server needs only Flask and
# flask-cors, and the services of the fixture only the `s3` extra (half the packages and
# install time).
set -euo pipefail

pins=("moto[s3]==5.2.1" "flask==3.1.3" "flask-cors==6.0.5" "awscli==1.45.11" "botocore==1.43.11" "jsonschema==4.26.0")
check='
import importlib.metadata as m, sys
want = {"moto": "5.2.1", "awscli": "1.45.11", "botocore": "1.43.11", "jsonschema": "4.26.0"}
try:
    ok = all(m.version(p) == v for p, v in want.items())
    import flask, flask_cors, moto.server  # noqa: F401
except Exception:
    ok = False
print(sys.executable if ok else "")
'

if command -v python3 >/dev/null; then
  found="$(python3 -c "$check" 2>/dev/null || true)"
  if [ -n "$found" ]; then
    echo "$found"
    exit 0
  fi
fi

venv="${CWPATTERN_E2E_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/cwpattern/e2e-venv}"
stamp="$venv/.cwpattern-pins"
want="${pins[*]}"
if [ -x "$venv/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
  echo "$venv/bin/python"
  exit 0
fi

{
  echo "e2e_env.sh: making $venv (${pins[*]})"
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  if ! python3 -m venv "$venv" 2>/dev/null; then
    rm -rf "$venv"
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
    fi
    python3 -m venv "$venv"
  fi
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input "${pins[@]}"
  echo "$want" >"$stamp"
} >&2

echo "$venv/bin/python"
