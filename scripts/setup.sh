#!/usr/bin/env bash
# Installs what building and testing Tsunagi needs on a fresh Debian 12
# machine that has the Rust toolchain (cargo, rustfmt, clippy) and Node 20
# with npm. Safe to rerun: it installs only what is missing. Sourced by
# run.sh and test.sh.
set -euo pipefail

need_apt=()
command -v cc >/dev/null 2>&1 || need_apt+=(build-essential)  # bundled SQLite is C
command -v mount >/dev/null 2>&1 || need_apt+=(mount)         # the full-disk test mounts a tmpfs
command -v pkg-config >/dev/null 2>&1 || need_apt+=(pkg-config)
# The desktop app: WebKitGTK and GTK (research/tauri.md, section 1).
if ! pkg-config --exists webkit2gtk-4.1 2>/dev/null; then
  need_apt+=(libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libayatana-appindicator3-dev libxdo-dev libssl-dev file)
fi
# Encryption at rest: SQLCipher links libcrypto (libssl-dev to build); the
# keychain in tests is GNOME Keyring's Secret Service.
pkg-config --exists openssl 2>/dev/null || need_apt+=(libssl-dev)
command -v gnome-keyring-daemon >/dev/null 2>&1 || need_apt+=(gnome-keyring)
# End-to-end tests of the real app: a virtual display, WebKit's WebDriver, a session bus.
command -v WebKitWebDriver >/dev/null 2>&1 || need_apt+=(webkit2gtk-driver)
command -v Xvfb >/dev/null 2>&1 || need_apt+=(xvfb xauth)
command -v dbus-launch >/dev/null 2>&1 || need_apt+=(dbus-x11)
# A real notification daemon, and dbus-monitor to see what the app asked it to show.
command -v dunst >/dev/null 2>&1 || need_apt+=(dunst)
command -v dbus-monitor >/dev/null 2>&1 || need_apt+=(dbus-bin)
# A Japanese font, so the interface (and the tests' screenshots) show kanji.
fc-list :lang=ja 2>/dev/null | grep -q . || need_apt+=(fonts-ipafont-gothic)
# The printed sheets: IPAex Gothic is the font they embed; poppler reads the
# PDFs back in the tests; desktop-file-validate checks the .deb's entry.
[ -e /usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf ] || need_apt+=(fonts-ipaexfont-gothic)
command -v pdftotext >/dev/null 2>&1 || need_apt+=(poppler-utils)
command -v desktop-file-validate >/dev/null 2>&1 || need_apt+=(desktop-file-utils)
# The relay's PostgreSQL engine is tested against a throwaway PostgreSQL 15
# cluster the tests start themselves (initdb + pg_ctl, as the postgres user).
[ -x /usr/lib/postgresql/15/bin/initdb ] || need_apt+=(postgresql-15)
# FHIR export tests validate every Bundle with Python's fhir.resources in a
# virtual environment of our own (Debian's Python refuses system-wide pip).
command -v python3 >/dev/null 2>&1 || need_apt+=(python3)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need_apt+=(python3-venv)
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
if ! command -v npm >/dev/null 2>&1 || ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) < 20 ? 1 : 0)'; then
  echo "setup: Node.js 20 or newer with npm is needed for the app's front end" >&2
  exit 1
fi

# A stable target directory, so reruns are incremental.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tsunagi-target}"

# tauri-driver bridges WebDriver to the app's WebKitWebDriver (pinned to 2.x:
# 3.0 alphas exist).
if ! command -v tauri-driver >/dev/null 2>&1; then
  cargo install tauri-driver --locked --version "^2"
fi

# Front-end packages, exactly as locked.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
for dir in app-ui tests/e2e; do
  if [ ! -d "$root/$dir/node_modules" ] || [ "$root/$dir/package-lock.json" -nt "$root/$dir/node_modules/.package-lock.json" ]; then
    npm --prefix "$root/$dir" ci --no-audit --no-fund
  fi
done

# fhir.resources 6.4.0 is the last release whose models are FHIR R4 (6.5 is
# R4B, 7.x R5); it needs pydantic 1.
venv="$HOME/.cache/tsunagi-venv"
if ! "$venv/bin/python" -c 'import fhir.resources, pydantic; assert fhir.resources.__version__ == "6.4.0"' >/dev/null 2>&1; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "fhir.resources==6.4.0" "pydantic>=1.10,<2"
fi
export TSUNAGI_PYTHON="$venv/bin/python"
