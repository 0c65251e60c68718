#!/usr/bin/env bash
# Runs each fuzz target for a while and prints one line per target:
#
#   fuzz: fuzz_token: 812345 runs in 25 s, ok
#   fuzz: fuzz_client_message: 4567 runs in 25 s, CRASHED (input ..., log ...)
#
#   bash tests/fuzz/run.sh SECONDS_PER_TARGET [BUILD_DIR]
#
# BUILD_DIR (default build-sanitize) is a build configured with
# -DBALINT_FUZZ=ON, best together with -DBALINT_SANITIZE=ON. Each target works
# in BUILD_DIR/fuzz-runs/TARGET/: corpus/ starts as a fresh copy of
# tests/fuzz/corpus/TARGET (so the committed seeds stay as they are) plus the
# reproducers of fixed bugs in tests/fuzz/crashes/TARGET, which therefore run
# first, and gathers what the fuzzer finds; the log (fuzz.log) and any
# crashing input land there too. Exits non-zero if any target crashed or
# could not run.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

seconds="${1:?usage: bash tests/fuzz/run.sh SECONDS_PER_TARGET [BUILD_DIR]}"
build_dir="${2:-build-sanitize}"
targets=(fuzz_client_message fuzz_token fuzz_ws_frames)

# Any report stops the run; UBSan shows where it happened.
export ASAN_OPTIONS="${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

failed=0
for target in "${targets[@]}"; do
  binary="$build_dir/tests/fuzz/$target"
  work="$build_dir/fuzz-runs/$target"
  if [ ! -x "$binary" ]; then
    echo "fuzz: $target: not built ($binary); configure with -DBALINT_FUZZ=ON"
    failed=1
    continue
  fi
  rm -rf "$work"
  mkdir -p "$work/corpus"
  cp tests/fuzz/corpus/"$target"/* "$work/corpus/"
  if [ -d tests/fuzz/crashes/"$target" ]; then cp tests/fuzz/crashes/"$target"/* "$work/corpus/"; fi

  "$binary" -max_total_time="$seconds" -timeout=30 -print_final_stats=1 -artifact_prefix="$work/" \
    "$work/corpus" > "$work/fuzz.log" 2>&1
  status=$?
  runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$work/fuzz.log" | tail -n 1)
  found=$(find "$work" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
    -o -name 'oom-*' \) | head -n 1)
  if [ "$status" -eq 0 ] && [ -z "$found" ]; then
    echo "fuzz: $target: ${runs:-0} runs in $seconds s, ok"
  else
    echo "fuzz: $target: ${runs:-0} runs in $seconds s, CRASHED (exit $status, input ${found:-none}, log $work/fuzz.log)"
    grep -E "ERROR:|runtime error|fuzz check failed|SUMMARY" "$work/fuzz.log" | head -n 5 | sed 's/^/  /'
    failed=1
  fi
done
exit "$failed"
