#!/usr/bin/env bash
# Runs Tsunagi on this machine (installs what is missing on a fresh Debian 12).
#
#   scripts/run.sh              the desktop app, against a local relay it starts
#                               (SQLite and a self-signed certificate kept in
#                               ~/.local/share/tsunagi-relay). On first run the
#                               app makes your profile and can load the sample
#                               station (サンプル).
#   scripts/run.sh cli ARGS     the `tsunagi` command line, e.g.
#                               scripts/run.sh cli --home ~/tsunagi status
#
# The app's profile is in $TSUNAGI_HOME if set (shared with the CLI), else in
# ~/.local/share/jp.tsunagi.app. The relay listens on $TSUNAGI_RELAY_LISTEN
# (default 127.0.0.1:7443) with its data in $TSUNAGI_RELAY_DATA.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
if [ "${1:-}" = cli ]; then
  shift
  cargo build --release --locked -q -p tsunagi-cli
  exec "$CARGO_TARGET_DIR/release/tsunagi" "$@"
fi
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "run: no display; start it from a desktop session (or under xvfb-run)" >&2
  exit 1
fi
npm --prefix app-ui run build
echo "run: building the app and the relay (the first release build takes about 10 minutes)" >&2
cargo build --release --locked -p tsunagi-app -p sync-server -p tsunagi-cli --features tsunagi-app/custom-protocol
data="${TSUNAGI_RELAY_DATA:-$HOME/.local/share/tsunagi-relay}"
mkdir -p "$data"
out="$data/last-start.txt"
# A relay for this one desktop: anyone who reaches it may start teams. A
# shared relay runs without --open-registration and enrols each laptop
# (`sync-server enrol`).
"$CARGO_TARGET_DIR/release/sync-server" --listen "${TSUNAGI_RELAY_LISTEN:-127.0.0.1:7443}" --data "$data" --open-registration >"$out" &
relay=$!
trap 'kill $relay 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q '^fingerprint ' "$out" && break; sleep 0.1; done
url=$(sed -n 's/^listening on //p' "$out")
fingerprint=$(sed -n 's/^fingerprint //p' "$out")
[ -n "$fingerprint" ] || { echo "run: the relay did not start; see above" >&2; exit 1; }
echo "relay: $url  fingerprint: $fingerprint" >&2
"$CARGO_TARGET_DIR/release/tsunagi-app" --relay "$url" --relay-fingerprint "$fingerprint"
