#!/usr/bin/env bash
# Installs the Debian 12 packages driftd needs to build, test and benchmark.
# Idempotent: packages already present are skipped by apt. Runs apt-get as root,
# or through sudo when invoked by another user.
#
#   scripts/install-deps.sh            build + test dependencies
#   scripts/install-deps.sh --extras   also the operator tools used by some tests
#                                      (promtool, docker-compose, chromium, wrk,
#                                      jsonschema for the OpenAPI check)
set -euo pipefail

build_packages=(
  build-essential cmake pkg-config git ca-certificates
  libcpp-httplib-dev nlohmann-json3-dev libsqlitecpp-dev libsqlite3-dev sqlite3
  libcurl4-openssl-dev libspdlog-dev libfmt-dev libyaml-cpp-dev doctest-dev
  libcli11-dev libsndfile1-dev libsamplerate0-dev libkissfft-dev
  libsystemd-dev libssl-dev zlib1g-dev libbrotli-dev
  curl jq python3 clang libclang-rt-14-dev
)
extra_packages=(
  wrk prometheus docker-compose chromium systemd libbenchmark-dev
  python3-yaml python3-jsonschema
)

packages=("${build_packages[@]}")
if [[ "${1:-}" == "--extras" || "${DRIFTD_INSTALL_EXTRAS:-0}" == "1" ]]; then
  packages+=("${extra_packages[@]}")
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
