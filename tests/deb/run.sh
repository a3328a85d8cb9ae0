#!/usr/bin/env bash
# The desktop app as a user installs it: the Tauri bundler builds the .deb
# (deb target only: the AppImage target downloads tools), apt installs it
# with its Depends, the desktop entry validates, the installed binary starts
# under a virtual display and stays up, and `apt-get purge` removes it all.
# Needs root (it installs a package) and the debug build of the workspace;
# scripts/test.sh runs it on a session bus.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
target="${CARGO_TARGET_DIR:-$root/target}"
if [ "$(id -u)" -ne 0 ]; then
  echo "deb: FAILED: installing a package needs root (run scripts/test.sh as root)" >&2
  exit 1
fi

# The debug profile: it reuses the test build instead of a second, release one.
(cd crates/tsunagi-app && "$root/app-ui/node_modules/.bin/tauri" build --debug --bundles deb --ci)
deb=$(ls -t "$target"/debug/bundle/deb/*.deb | head -1)
echo "deb: built $deb ($(du -h "$deb" | cut -f1))"

info=$(dpkg-deb -I "$deb")
for dep in libwebkit2gtk-4.1-0 libgtk-3-0 libssl3 fonts-ipaexfont-gothic xdg-utils; do
  grep -q "Depends:.*$dep" <<<"$info" || { echo "deb: Depends lacks $dep:"; echo "$info"; exit 1; } >&2
done
files=$(dpkg-deb -c "$deb")
for f in usr/bin/tsunagi-app usr/share/applications/Tsunagi.desktop; do
  grep -Eq " (\./)?$f\$" <<<"$files" || { echo "deb: $f is not in the package"; exit 1; } >&2
done

DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" >/dev/null
trap 'DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq tsunagi >/dev/null 2>&1 || true' EXIT
desktop-file-validate /usr/share/applications/Tsunagi.desktop
grep -q '^Exec=tsunagi-app' /usr/share/applications/Tsunagi.desktop
test -x /usr/bin/tsunagi-app

# Start it as installed, on its own display and a throwaway home: it must
# still be running after a few seconds (a missing library or asset kills it
# at once).
display=:${DEB_DISPLAY:-95}
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
home=$(mktemp -d)
for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X${display#:}" ] && break; sleep 0.1; done
DISPLAY=$display HOME=$home /usr/bin/tsunagi-app --home "$home/profile" >"$home/app.log" 2>&1 &
app=$!
sleep 6
if ! kill -0 "$app" 2>/dev/null; then
  echo "deb: the installed app exited at start:" >&2
  cat "$home/app.log" >&2
  kill "$xvfb"
  exit 1
fi
if ! grep -q "opening profile" "$home/app.log"; then
  echo "deb: the installed app did not reach its profile:" >&2
  cat "$home/app.log" >&2
  kill "$app" "$xvfb"
  exit 1
fi
kill "$app" "$xvfb" 2>/dev/null || true
wait "$app" 2>/dev/null || true
rm -rf "$home"

DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq tsunagi >/dev/null
trap - EXIT
if [ -e /usr/bin/tsunagi-app ] || [ -e /usr/share/applications/Tsunagi.desktop ] || dpkg -s tsunagi >/dev/null 2>&1; then
  echo "deb: purge left the app behind" >&2
  exit 1
fi
echo "deb: installed, validated, started and purged"
