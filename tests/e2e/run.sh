#!/usr/bin/env bash
# Runs the end-to-end tests of the real app under a virtual display:
#   dbus-run-session -- tests/e2e/run.sh  (scripts/test.sh runs it with GNOME Keyring)
# Needs: the debug binaries (tsunagi-app, tsunagi, sync-server, seed-profile),
# Xvfb, WebKitWebDriver (webkit2gtk-driver), tauri-driver, dunst, dbus-monitor
# and node_modules.
set -euo pipefail
cd "$(dirname "$0")"
export DISPLAY=:${E2E_DISPLAY:-97}
Xvfb "$DISPLAY" -screen 0 1366x768x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb ${monitor:-} ${dunst:-} 2>/dev/null || true; pkill -f WebKitWebDriver 2>/dev/null || true' EXIT
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X${DISPLAY#:}" ] && break; sleep 0.1; done
# The desktop's notification service (a real daemon on this session bus), and
# a log of every notification the apps ask it to show, for the tests to read.
export TSUNAGI_E2E_NOTIFICATIONS=${TSUNAGI_E2E_NOTIFICATIONS:-$(mktemp)}
dbus-monitor --session "type='method_call',interface='org.freedesktop.Notifications',member='Notify'" \
  >"$TSUNAGI_E2E_NOTIFICATIONS" 2>/dev/null &
monitor=$!
dunst -config /dev/null >/dev/null 2>&1 &
dunst=$!
for _ in $(seq 50); do
  dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.NameHasOwner \
    string:org.freedesktop.Notifications 2>/dev/null | grep -q true && break
  sleep 0.1
done
# Extra arguments go to node, e.g. --test-name-pattern=figures;
# E2E_FILES="clock.test.mjs" runs one file.
# shellcheck disable=SC2086
node --test --test-concurrency=1 --test-timeout=300000 --test-force-exit "$@" ${E2E_FILES:-app.test.mjs daily.test.mjs clock.test.mjs paper.test.mjs people.test.mjs interop.test.mjs relays.test.mjs}
