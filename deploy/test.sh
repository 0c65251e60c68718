#!/usr/bin/env bash
# The newcomer's second command (and CI's): install, build, run every test
# suite, and end with one line "N passed, N failed" over all of them.
#
# Two builds: the ordinary one (build/), and a clang one with AddressSanitizer,
# UndefinedBehaviorSanitizer and the libFuzzer targets (build-sanitize/), in
# which the same suites run again and each fuzz target runs for
# BALINT_FUZZ_SECONDS (default 25). Then the TypeScript SDK's tests run with
# node's test runner. Each test and each fuzz target counts once.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export BALINT_BUILD_DIR="${BALINT_BUILD_DIR:-build}"
sanitize_dir="${BALINT_SANITIZE_BUILD_DIR:-build-sanitize}"
fuzz_seconds="${BALINT_FUZZ_SECONDS:-25}"

started=$(date +%s)
bash deploy/build.sh || { echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0

# Adds the summary line of a ctest log to the totals.
count_ctest() {
  local summary total bad
  summary=$(grep -E "tests passed, [0-9]+ tests? failed out of [0-9]+" "$1" | tail -n 1)
  if [ -z "$summary" ]; then
    echo "test: ctest printed no summary ($1)"
    failed=$((failed + 1))
    return
  fi
  total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$summary")
  bad=$(sed -E 's/.*passed, ([0-9]+) tests? failed.*/\1/' <<<"$summary")
  passed=$((passed + total - bad))
  failed=$((failed + bad))
}

# C++ suites (engine, server, integration) through ctest.
ctest_log="$BALINT_BUILD_DIR/ctest.log"
(cd "$BALINT_BUILD_DIR" && ctest --output-on-failure -j2 --timeout 300) 2>&1 | tee "$ctest_log"
count_ctest "$ctest_log"

# The same suites under the sanitizers: any report fails its test (ASan and
# LeakSanitizer exit non-zero, UBSan aborts). Then each fuzz target briefly.
sanitize_started=$(date +%s)
if BALINT_BUILD_DIR="$sanitize_dir" bash deploy/build.sh -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DBALINT_SANITIZE=ON -DBALINT_FUZZ=ON; then
  sanitize_log="$sanitize_dir/ctest.log"
  (cd "$sanitize_dir" &&
    ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1" \
    UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" \
    ctest --output-on-failure -j2 --timeout 600) 2>&1 | tee "$sanitize_log"
  count_ctest "$sanitize_log"
  echo "test: sanitizer suites finished in $(($(date +%s) - sanitize_started)) s (build included)"

  fuzz_log="$sanitize_dir/fuzz.log"
  bash tests/fuzz/run.sh "$fuzz_seconds" "$sanitize_dir" 2>&1 | tee "$fuzz_log"
  fuzz_ok=$(grep -cE "^fuzz: .*, ok$" "$fuzz_log")
  fuzz_bad=$(grep -cE "^fuzz: " "$fuzz_log")
  fuzz_bad=$((fuzz_bad - fuzz_ok))
  [ $((fuzz_ok + fuzz_bad)) -gt 0 ] || fuzz_bad=1
  passed=$((passed + fuzz_ok))
  failed=$((failed + fuzz_bad))
else
  echo "test: the sanitizer build ($sanitize_dir) failed"
  failed=$((failed + 1))
fi

# The TypeScript SDK: its end-to-end encryption against the same golden and
# negative vectors as the C++ one, with node's test runner.
ts_log="$BALINT_BUILD_DIR/ts-test.log"
if (cd client-sdk/ts && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build &&
  node --test --test-reporter=tap dist/test/) > "$ts_log" 2>&1; then
  echo "test: TypeScript SDK tests passed"
else
  echo "test: TypeScript SDK tests failed:"
  cat "$ts_log"
fi
ts_pass=$(sed -nE 's/^# pass ([0-9]+)$/\1/p' "$ts_log" | tail -n 1)
ts_fail=$(sed -nE 's/^# fail ([0-9]+)$/\1/p' "$ts_log" | tail -n 1)
if [ -z "$ts_pass" ] || [ -z "$ts_fail" ]; then
  echo "test: node's test runner printed no summary ($ts_log)"
  failed=$((failed + 1))
else
  echo "test: TypeScript SDK: $ts_pass passed, $ts_fail failed"
  passed=$((passed + ts_pass))
  failed=$((failed + ts_fail))
fi

echo "test: finished in $(($(date +%s) - started)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
