#!/usr/bin/env bash
# Sets up driftd on this machine and runs it in the foreground on the shipped config
# (config/driftd.yaml: SQLite under var/, listening on 127.0.0.1:8080, retrain in dry-run).
# Installs missing Debian packages, builds in build/, then `driftd serve`. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" --target driftd
exec ./build/driftd serve --config "${DRIFTD_CONFIG:-config/driftd.yaml}" "$@"
