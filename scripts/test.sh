#!/usr/bin/env bash
# The test suite: the README's test command, and what .ci/run runs.
# The end-to-end scan test needs the AWS emulator (moto) and the AWS CLI at pinned versions:
# scripts/e2e_env.sh finds or makes a Python with them (set CWPATTERN_E2E=skip to go without).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${CWPATTERN_E2E_PYTHON:-}" ] && [ "${CWPATTERN_E2E:-}" != skip ]; then
  CWPATTERN_E2E_PYTHON="$(scripts/e2e_env.sh)"
  export CWPATTERN_E2E_PYTHON
fi
cargo nextest run --no-fail-fast "$@"
cargo test --doc
