#!/usr/bin/env bash
# Runs every test: Rust unit, property (proptest), crash (SIGKILL loop), full
# disk (tmpfs, as root), the CLI and relay tests that run the real binaries,
# the front end's unit tests (Vitest), and the end-to-end tests of the real
# app in WebKit under Xvfb, and the .deb installed, started and purged.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
# The app embeds the built front end, so build it first.
npm --prefix app-ui run build
# The integration tests in tests/ start the real relay, CLI and app binaries.
cargo build --workspace --bins --locked
# The keychain for real: GNOME Keyring's Secret Service on a private session
# bus, with a throwaway keyring unlocked for the run (profiles are locked with
# a passphrase plus a secret kept there).
keyrings="$(mktemp -d)"
trap 'rm -rf "$keyrings"' EXIT
dbus-run-session -- env XDG_DATA_HOME="$keyrings" bash -c '
  set -euo pipefail
  echo -n tsunagi-test | gnome-keyring-daemon --components=secrets --daemonize --unlock >/dev/null
  cargo test --workspace --locked "$@"
  npm --prefix app-ui test
  tests/e2e/run.sh
  tests/deb/run.sh
' bash "$@"
