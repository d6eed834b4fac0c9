#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs system libraries when missing, then runs
# every crate's tests (including `spikesim validate --quick` checks and the shipped examples).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cargo test --workspace --locked
