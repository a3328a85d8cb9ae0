#!/usr/bin/env bash
# Runs every test: Rust unit, property (proptest), crash (SIGKILL loop), full
# disk (tmpfs, as root), the CLI and relay tests that run the real binaries,
# the front end's unit tests (Vitest), and the end-to-end tests of the real
# app in WebKit under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
# The app embeds the built front end, so build it first.
npm --prefix app-ui run build
# The integration tests in tests/ start the real relay, CLI and app binaries.
cargo build --workspace --bins --locked
cargo test --workspace --locked "$@"
npm --prefix app-ui test
dbus-run-session -- tests/e2e/run.sh
