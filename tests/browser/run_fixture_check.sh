#!/bin/sh
# Checks the dashboard in headless Chromium against the canned API of fixture_server.py:
# once with data, once as a fresh install. Screenshots go to OUT_DIR.
#
#   tests/browser/run_fixture_check.sh OUT_DIR
#
# Needs python3, node and `npm install` run in tests/browser (playwright-core), and Chromium at
# /usr/bin/chromium (or $CHROMIUM_PATH). Prints the checks and a closing
# "N passed, M failed" line per run; exits non-zero if any check failed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: run_fixture_check.sh OUT_DIR}
mkdir -p "$out"
token=fixture-viewer-token
pids=""
cleanup() {
  for p in $pids; do kill "$p" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM

# Waits until the fixture server logging to $1 listens; prints its port.
port_of() {
  i=0
  while :; do
    p=$(sed -n 's|^serving http://127.0.0.1:\([0-9][0-9]*\)/$|\1|p' "$1" 2>/dev/null)
    if [ -n "$p" ]; then echo "$p"; return; fi
    i=$((i + 1))
    if [ "$i" -gt 100 ]; then echo "fixture server did not start:" >&2; cat "$1" >&2; exit 1; fi
    sleep 0.1
  done
}

# Old logs go first: the background shells open (truncate) theirs only later.
rm -f "$out/fixture-data.log" "$out/fixture-empty.log"
python3 "$here/fixture_server.py" --port 0 --token "$token" --refusal-delay-ms 1500 \
  > "$out/fixture-data.log" 2>&1 &
pids="$pids $!"
python3 "$here/fixture_server.py" --port 0 --token "$token" --empty > "$out/fixture-empty.log" 2>&1 &
pids="$pids $!"
port=$(port_of "$out/fixture-data.log")
empty_port=$(port_of "$out/fixture-empty.log")
status=0
node "$here/check_dashboard.mjs" --url "http://127.0.0.1:$port/#token=$token" \
  --screenshot "$out/dashboard.png" || status=1
node "$here/check_dashboard.mjs" --url "http://127.0.0.1:$empty_port/#token=$token" \
  --screenshot "$out/dashboard-empty.png" --empty --no-unauthorized-check || status=1
exit "$status"
