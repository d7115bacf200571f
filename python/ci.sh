#!/usr/bin/env bash
# Builds the Python wheel with maturin, installs it into a fresh virtual environment and
# runs the pytest suite against it. Needs only Rust and Python >= 3.10 (with venv); maturin
# and pytest come from PyPI, at pinned versions.
#
# The wheel is built with the dev profile (dependencies at opt-level 1, see the root
# Cargo.toml): quicker to build than --release, and in the same target directory as CI's
# test step, whose dependencies it reuses except where the dev-dependencies changed their
# features (serde and what depends on it, the core library). PyO3 is compiled here. For a
# wheel to ship or to benchmark, build with `maturin build --release`.
#
# Environment: CARGO_TARGET_DIR (default: target/) also holds the venv and the wheel;
# CWPATTERN_CLI, a cwpattern binary to compare with (default: built here).
set -euo pipefail
cd "$(dirname "$0")/.."

MATURIN_VERSION=1.16.0
PYTEST_VERSION=9.2.0

target="${CARGO_TARGET_DIR:-target}"
mkdir -p "$target"
target="$(cd "$target" && pwd)"
work="$target/python-ci"
venv="$work/venv"

rm -rf "$work"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check \
  "maturin==$MATURIN_VERSION" "pytest==$PYTEST_VERSION"

"$venv/bin/maturin" build --quiet --manifest-path python/Cargo.toml --out "$work/wheels" \
  --interpreter "$venv/bin/python"
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-index "$work"/wheels/cwpattern-*.whl

# The CLI, to compare `check --json` with `cwpattern.check` field for field: the one in
# CWPATTERN_CLI (.ci/run passes the one its tests just built), or a fresh build.
if [ -z "${CWPATTERN_CLI:-}" ]; then
  cargo build --quiet --bin cwpattern
  export CWPATTERN_CLI="$target/debug/cwpattern"
fi

# Run from the venv, not the source tree, so that `import cwpattern` finds the installed
# wheel rather than python/cwpattern/ (a test checks this).
cd "$work"
"$venv/bin/pytest" -q -p no:cacheprovider "$OLDPWD/python/tests"
