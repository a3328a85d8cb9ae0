#!/usr/bin/env bash
# Runs Tsunagi. Today that is the `tsunagi` command line; the desktop app
# comes with a later issue. Arguments go to tsunagi, e.g.
#   scripts/run.sh --home ~/tsunagi init --name '佐藤 花子' --profession nurse --org 'つばさ訪問看護ステーション'
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
cargo build --release --locked -q -p tsunagi-cli
exec "$CARGO_TARGET_DIR/release/tsunagi" "$@"
