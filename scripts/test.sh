#!/usr/bin/env bash
# Runs every test: unit, property (proptest), crash (SIGKILL loop), full disk
# (tmpfs, as root), and the CLI tests that run the real binary.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
# The integration tests in tests/ start the real relay and CLI binaries.
cargo build --workspace --bins --locked
cargo test --workspace --locked "$@"
