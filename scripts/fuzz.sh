#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang (ASan + UBSan, every driftd library
# instrumented) and runs each one in turn for SECONDS (default 60) from its seed corpus.
# Exits non-zero when any target crashes, leaks, times out or runs out of memory; the
# input that did it is left in $BUILD_DIR/fuzz-artifacts/<target>/ (docs/security.md).
#
#   scripts/fuzz.sh [SECONDS]       build, then fuzz each target for SECONDS
#   scripts/fuzz.sh --check         exit 0 when clang and its libFuzzer runtime are present
#   FUZZ_TARGETS="fuzz_config" scripts/fuzz.sh 600    only some targets, for longer
#   BUILD_DIR=build-fuzz (default)  where the instrumented build and the corpora live
set -euo pipefail
cd "$(dirname "$0")/.."

cxx="${FUZZ_CXX:-clang++}"
build_dir="${BUILD_DIR:-build-fuzz}"
targets=(${FUZZ_TARGETS:-fuzz_audio_decode fuzz_result_json fuzz_config})

# clang and the libFuzzer runtime (Debian: libclang-rt-14-dev) must both be there.
have_toolchain() {
  command -v "$cxx" >/dev/null || return 1
  local probe
  probe=$(mktemp -d)
  printf '#include <cstdint>\n#include <cstddef>\nextern "C" int LLVMFuzzerTestOneInput(const uint8_t*, size_t) { return 0; }\n' \
    >"$probe/probe.cpp"
  "$cxx" -fsanitize=fuzzer,address,undefined "$probe/probe.cpp" -o "$probe/probe" >/dev/null 2>&1
  local ok=$?
  rm -rf "$probe"
  return $ok
}

if [[ "${1:-}" == "--check" ]]; then
  have_toolchain
  exit $?
fi
seconds="${1:-60}"
if ! have_toolchain; then
  echo "fuzz.sh: $cxx with a libFuzzer runtime is missing (apt-get install clang libclang-rt-14-dev)" >&2
  exit 2
fi

echo "== fuzz: build ($build_dir)"
CXX="$cxx" cmake -S . -B "$build_dir" -DDRIFTD_FUZZ=ON -DDRIFTD_BUILD_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS="-O1" >/dev/null
cmake --build "$build_dir" -j"$(nproc)" --target "${targets[@]}" driftd_fuzz_seeds
"$build_dir/driftd_fuzz_seeds" "$build_dir/fuzz-seeds/audio_decode"

# The longest input each target is given: a clip of a few KB reaches every chunk and
# encoding path; JSON and YAML bodies need a little more room for nesting and batches.
max_len_of() {
  case "$1" in
    fuzz_audio_decode) echo 4096 ;;
    fuzz_result_json) echo 16384 ;;
    fuzz_config) echo 8192 ;;
  esac
}

failed=()
for target in "${targets[@]}"; do
  name="${target#fuzz_}"
  work="$build_dir/fuzz-work/$name"       # grows as the fuzzer learns; kept between runs
  artifacts="$build_dir/fuzz-artifacts/$name"
  log="$build_dir/fuzz-logs/$name.log"
  mkdir -p "$work" "$artifacts" "$(dirname "$log")"
  corpora=("$work" "fuzz/corpus/$name")
  [[ -d "$build_dir/fuzz-seeds/$name" ]] && corpora+=("$build_dir/fuzz-seeds/$name")
  echo "== fuzz: $target for ${seconds}s (log: $log)"
  set +e
  ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:allocator_may_return_null=1" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    "$build_dir/$target" -max_total_time="$seconds" -max_len="$(max_len_of "$target")" \
      -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 -print_final_stats=1 \
      -artifact_prefix="$artifacts/" "${corpora[@]}" >"$log" 2>&1
  rc=$?
  set -e
  grep -E '^(#[0-9]+ *DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$log" || true
  if [[ $rc -ne 0 ]]; then
    echo "fuzz.sh: $target FAILED (exit $rc); inputs in $artifacts:" >&2
    ls -1 "$artifacts" >&2 || true
    grep -E 'ERROR|SUMMARY|broken promise|runtime error' "$log" | head -20 >&2 || true
    failed+=("$target")
  fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz.sh: failures in ${failed[*]}" >&2
  exit 1
fi
echo "fuzz.sh: ${#targets[@]} targets ran ${seconds}s each without a finding"
