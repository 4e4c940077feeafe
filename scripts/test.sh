#!/usr/bin/env bash
# Builds driftd and runs the whole test suite: the normal build, then the same tests
# under AddressSanitizer + UndefinedBehaviorSanitizer, then the integration tests under
# ThreadSanitizer. Installs missing Debian packages first.
#
#   scripts/test.sh            everything (what CI runs)
#   SKIP_SANITIZERS=1 scripts/test.sh   the normal build only (no ASan, no TSan)
#   SKIP_FUZZ=1 scripts/test.sh         without the short fuzzing step
#   SKIP_TSAN=1 scripts/test.sh         without the ThreadSanitizer run of the integration tests
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

scripts/install-deps.sh --extras
# The browser check drives Debian's Chromium through playwright-core (no browser download).
if command -v npm >/dev/null && [[ ! -d tests/browser/node_modules/playwright-core ]]; then
  npm install --prefix tests/browser --no-audit --no-fund --loglevel=error || \
    echo "test.sh: npm install failed; the browser check will be skipped"
fi

# Each libFuzzer target for a short bound under ASan + UBSan (scripts/fuzz.sh; run it with
# a larger SECONDS to fuzz for real). Run first so that the test runner's summary stays the
# last thing printed; a finding fails the run at the end, after the tests.
fuzz_failed=0
if [[ "${SKIP_FUZZ:-0}" != "1" ]]; then
  if scripts/fuzz.sh --check; then
    scripts/fuzz.sh "${FUZZ_SECONDS:-15}" || fuzz_failed=1
  else
    echo "== fuzz: skipped (clang++ with a libFuzzer runtime is not installed)"
  fi
fi

echo "== build (RelWithDebInfo)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
echo "== tests"
(cd build && ctest --output-on-failure -j"$jobs")

if [[ "${SKIP_SANITIZERS:-0}" != "1" ]]; then
  echo "== build (ASan + UBSan)"
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DDRIFTD_SANITIZE=address \
        -DCMAKE_CXX_FLAGS="-O1" >/dev/null
  cmake --build build-asan -j"$jobs"
  echo "== tests under ASan + UBSan"
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
     UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j"$jobs")
fi

# ThreadSanitizer over the integration tests, once per run: the daemon they start is the
# instrumented binary, so its request threads, writer, evaluator and retrain worker run
# under TSan while real clients drive them. The soak is left out (its minutes of traffic
# would take far longer instrumented; it runs in both builds above).
if [[ "${SKIP_SANITIZERS:-0}" != "1" && "${SKIP_TSAN:-0}" != "1" ]]; then
  echo "== build (ThreadSanitizer)"
  cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDRIFTD_SANITIZE=thread >/dev/null
  cmake --build build-tsan -j"$jobs" --target driftd driftd_tests driftd-standins driftd-sim
  echo "== integration tests under ThreadSanitizer"
  tsan_suppressions="$PWD/tests/tsan.supp"
  (cd build-tsan && \
   TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$tsan_suppressions" \
     ./driftd_tests --source-file='*/integration/*' --test-case-exclude='soak*' --duration=true)
fi

if [[ $fuzz_failed -ne 0 ]]; then
  echo "test.sh: the fuzzing step found a crash (see above; inputs in build-fuzz/fuzz-artifacts/)" >&2
  exit 1
fi
