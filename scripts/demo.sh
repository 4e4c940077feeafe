#!/usr/bin/env bash
# The whole driftd story in a few minutes, without Docker: builds what is missing, then runs
# the Edge Impulse/GitHub stand-ins, the daemon and a simulated fleet of baby monitors on
# loopback ports with state in a temp folder, and narrates: the reference is imported, the
# fleet sends, drift is switched on, drift rises to alarm, a retrain runs against the
# stand-ins, and the GitHub stand-in receives the repository_dispatch. Stops everything on
# exit (also on Ctrl-C). Exit 0 when the dispatch arrived, 1 otherwise.
#
#   scripts/demo.sh
#
# Environment (all optional):
#   DRIFTD_BUILD_DIR   build folder to use or create (default: build)
#   DEMO_DEVICES       simulated devices (default 20)
#   DEMO_SCENARIO      noise | mic | gain (default noise)
#   DEMO_DRIFT_AFTER   time before drift is switched on (default 60s)
#   DEMO_TIMEOUT       seconds before the demo gives up (default 600)
#   DEMO_KEEP=1        keep the temp state folder (logs, database) after the run
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${DRIFTD_BUILD_DIR:-build}
devices=${DEMO_DEVICES:-20}
scenario=${DEMO_SCENARIO:-noise}
drift_after=${DEMO_DRIFT_AFTER:-60s}
timeout_s=${DEMO_TIMEOUT:-600}
model_version=1
poll_s=5

say() { printf '%s  %s\n' "$(date +%H:%M:%S)" "$*"; }
fail() {
  say "FAILED: $*" >&2
  exit 1
}

# ---- build (if needed) -------------------------------------------------------------------
if [[ ! -x "$build_dir/driftd" || ! -x "$build_dir/driftd-sim" || ! -x "$build_dir/driftd-standins" ]]; then
  say "building driftd, driftd-standins and driftd-sim in $build_dir/ (first run takes a while)"
  scripts/install-deps.sh
  cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
cmake --build "$build_dir" -j"$(nproc)" --target driftd driftd-standins driftd-sim >/dev/null ||
  fail "the build failed (run: cmake --build $build_dir --target driftd driftd-standins driftd-sim)"
command -v jq >/dev/null || fail "jq is needed to read the API's JSON (scripts/install-deps.sh installs it)"
driftd=$PWD/$build_dir/driftd
standins=$PWD/$build_dir/driftd-standins
sim=$PWD/$build_dir/driftd-sim

# ---- state folder, secrets, cleanup ------------------------------------------------------
state=$(mktemp -d "${TMPDIR:-/tmp}/driftd-demo.XXXXXX")
pids=()
succeeded=0
# shellcheck disable=SC2317  # invoked by the EXIT trap
cleanup() {
  local pid
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    pid=${pids[i]}
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ "${DEMO_KEEP:-0}" == "1" || $succeeded -ne 1 ]]; then
    say "state, config and logs kept in $state"
  else
    rm -rf "$state"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

random_secret() { head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '='; }
EI_API_KEY="ei_demo_$(random_secret)"
GITHUB_TOKEN="ghp_demo_$(random_secret)"
DRIFTD_ADMIN_TOKEN=$(random_secret)
DRIFTD_CONFIG="$state/driftd.yaml"
export EI_API_KEY GITHUB_TOKEN DRIFTD_ADMIN_TOKEN DRIFTD_CONFIG

# Waits up to $3 seconds for a line matching regex $2 in file $1 and prints the first match.
wait_for_line() {
  local file=$1 pattern=$2 limit=$3 pid=$4 line
  for ((t = 0; t < limit * 10; t++)); do
    line=$(grep -m1 -oE "$pattern" "$file" 2>/dev/null || true)
    if [[ -n "$line" ]]; then
      echo "$line"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# ---- 1. stand-ins ------------------------------------------------------------------------
say "starting stand-ins for Edge Impulse (ingestion, Studio) and GitHub on a loopback port"
"$sim" --write-baseline "$state/reference" --clips-per-class 250 --seed 7 >/dev/null
"$standins" --listen 127.0.0.1:0 --project-id 1 --repository demo/firmware \
  --seed "$state/reference" --job-polls 2 --test-accuracy 0.92 >"$state/standins.log" 2>&1 &
pids+=($!)
standins_url=$(wait_for_line "$state/standins.log" 'http://127\.0\.0\.1:[0-9]+' 10 "${pids[-1]}") ||
  fail "the stand-ins did not start: $(tail -n 5 "$state/standins.log")"
say "stand-ins serve $standins_url (project 1 seeded with the reference clips, repository demo/firmware)"

# ---- 2. config and reference -------------------------------------------------------------
cat >"$DRIFTD_CONFIG" <<EOF
# driftd demo: everything on loopback, drift settings shortened so a retrain runs in minutes.
server:
  listen: 127.0.0.1:0
  rate_limit_per_device: 0
storage:
  database: $state/driftd.db
  clips_dir: $state/clips
drift:
  window: 90s
  evaluate_every: 10s
  min_windows: 100
  consecutive: 3
retrain:
  enabled: true
  dry_run: false
  cooldown: 30m
  poll_interval: 1s
  job_timeout: 5m
edge_impulse:
  project_id: 1
  studio_url: $standins_url
  ingestion_url: $standins_url
  model_version: "$model_version"
github:
  repository: demo/firmware
  api_url: $standins_url
logging:
  level: info
EOF
"$driftd" check-config >"$state/check-config.log" 2>&1 ||
  fail "the demo config is refused: $(cat "$state/check-config.log")"

clips=$(find "$state/reference" -name '*.wav' | wc -l)
say "importing the reference from $clips clips (crying, sleeping) for model version $model_version"
if ! "$driftd" baseline --help 2>&1 | grep -qE '^[[:space:]]+import([[:space:]]|$)'; then
  fail "this driftd has no 'baseline import' command yet (SPEC §2): the demo needs it to import the reference"
fi
"$driftd" baseline import --model-version "$model_version" "$state/reference" \
  >"$state/baseline.log" 2>&1 || fail "baseline import failed: $(tail -n 5 "$state/baseline.log")"

# ---- 3. daemon ---------------------------------------------------------------------------
say "starting driftd (drift window 90s, evaluated every 10s, alarm after 3 in a row)"
"$driftd" serve >"$state/driftd.log" 2>&1 &
pids+=($!)
port=$(wait_for_line "$state/driftd.log" 'listening on [^ ]*:[0-9]+' 30 "${pids[-1]}" | grep -oE '[0-9]+$') ||
  fail "driftd did not start: $(tail -n 5 "$state/driftd.log")"
url="http://127.0.0.1:$port"
(umask 077 && printf '%s/#token=%s\n' "$url" "$DRIFTD_ADMIN_TOKEN" >"$state/dashboard.url")
say "driftd listens on $url (dashboard link with the demo's admin token: cat $state/dashboard.url)"

driftd_pid=${pids[-1]}
# GET $1 with the admin token: the body into answer.json, the status (000: no answer) on stdout.
api() {
  curl -sS -o "$state/answer.json" -w '%{http_code}' -H "Authorization: Bearer $DRIFTD_ADMIN_TOKEN" \
    "$url$1" 2>/dev/null || true
}

# ---- 4. fleet ----------------------------------------------------------------------------
say "fleet of $devices devices sending results (2/s each) and a quarter of their clips"
"$sim" --url "$url" --devices "$devices" --rate 2/s --clip-fraction 0.25 \
  --model-version "$model_version" --scenario "$scenario" --drift-after "$drift_after" \
  --seed 11 --summary-every 10s >"$state/sim.log" 2>&1 &
pids+=($!)
sim_pid=${pids[-1]}

# ---- 5. watch drift and the retrain ------------------------------------------------------
deadline=$((SECONDS + timeout_s))
drift_said=0
last_run=""
polls=0
no_reference=0
alarm_since=""
sleep 2
while ((SECONDS < deadline)); do
  kill -0 "$driftd_pid" 2>/dev/null || fail "driftd exited: $(tail -n 5 "$state/driftd.log")"
  kill -0 "$sim_pid" 2>/dev/null || fail "the simulator stopped: $(tail -n 3 "$state/sim.log")"
  if ((drift_said == 0)) && grep -q 'drift switched on' "$state/sim.log"; then
    drift_said=1
    say "$(grep -m1 -oE 'drift switched on: .*' "$state/sim.log")"
  fi
  if ((polls++ % 6 == 0)); then
    fleet=$(grep -oE 'results [0-9]+ sent.*' "$state/sim.log" | tail -n 1 || true)
    if [[ -n $fleet ]]; then say "fleet: $fleet"; fi
  fi

  code=$(api "/api/v1/drift?model_version=$model_version")
  case $code in
  200)
    status=$(jq -r .status "$state/answer.json")
    say "$(jq -r '"drift: \(.status) — \(.current_windows) windows vs \(.reference_windows) in the reference" +
      if (.status == "insufficient_data" or .status == "no_reference") then "" else
        "; top PSI: " + ([.features[]? | select(.psi != null)] | sort_by(-.psi) | .[:3] |
          map("\(.name) \((.psi * 1000 | round) / 1000)") | join(", ")) end' "$state/answer.json")"
    if [[ $status == no_reference ]] && ((++no_reference >= 3)); then
      fail "driftd reports no reference for model version $model_version although the import succeeded"
    fi
    if [[ $status == alarm ]]; then alarm_since=${alarm_since:-$SECONDS}; else alarm_since=""; fi
    ;;
  404) fail "driftd does not serve GET /api/v1/drift yet (SPEC §4): the drift endpoints are missing" ;;
  *) say "GET /api/v1/drift answered $code: $(head -c 300 "$state/answer.json")" ;;
  esac

  code=$(api /api/v1/retrains)
  [[ $code == 404 ]] && fail "driftd does not serve GET /api/v1/retrains yet (SPEC §4)"
  runs=0
  [[ $code == 200 ]] && runs=$(jq '.retrains | length' "$state/answer.json")
  if ((runs == 0)) && [[ -n $alarm_since ]] && ((SECONDS - alarm_since > 120)); then
    fail "drift has been in alarm for 2 minutes but no retrain run was started (is the retrain trigger wired?)"
  fi
  if ((runs > 0)); then
    run=$(jq -c '.retrains[0] | {id, state, trigger, clips_uploaded, job_id, test_accuracy, error}' "$state/answer.json")
    if [[ "$run" != "$last_run" ]]; then
      last_run=$run
      say "retrain run: $(jq -r '"\(.id) \(.state) (trigger \(.trigger), clips uploaded \(.clips_uploaded // 0), job \(.job_id // "-"), test accuracy \(.test_accuracy // "-"))"' <<<"$run")"
    fi
    run_id=$(jq -r .id <<<"$run")
    case $(jq -r .state <<<"$run") in
    succeeded)
      api "/api/v1/retrains/$run_id" >/dev/null
      say "the run's steps:"
      jq -r '.steps[]? | "           \(.at)  \(.step): \(.detail)"' "$state/answer.json"
      dispatches=$(curl -sS "$standins_url/_standins/dispatches")
      if [[ $(jq 'if type == "array" then length else (.dispatches | length) end' <<<"$dispatches") -gt 0 ]]; then
        say "the GitHub stand-in received the repository_dispatch:"
        jq '.' <<<"$dispatches" | sed 's/^/           /'
        succeeded=1
        say "done: drift detected, model retrained and tested, firmware build dispatched"
        exit 0
      fi
      fail "the run succeeded but the GitHub stand-in recorded no dispatch"
      ;;
    failed | rejected) fail "the retrain run ended $(jq -r '"\(.state): \(.error)"' <<<"$run")" ;;
    esac
  fi
  sleep "$poll_s"
done
fail "no retrain succeeded within ${timeout_s}s; see $state/driftd.log"
