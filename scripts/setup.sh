#!/usr/bin/env bash
# Installs what building and testing Tsunagi needs on a fresh Debian 12
# machine that has the Rust toolchain (cargo, rustfmt, clippy). Safe to rerun:
# it installs only what is missing. Sourced by run.sh and test.sh.
set -euo pipefail

need_apt=()
command -v cc >/dev/null 2>&1 || need_apt+=(build-essential)  # bundled SQLite is C
command -v mount >/dev/null 2>&1 || need_apt+=(mount)         # the full-disk test mounts a tmpfs
if ((${#need_apt[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: need apt packages ${need_apt[*]}; run as root or install them first" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo not found; install the Rust toolchain (rustup) first" >&2
  exit 1
fi

# A stable target directory, so reruns are incremental.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tsunagi-target}"
