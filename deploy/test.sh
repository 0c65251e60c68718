#!/usr/bin/env bash
# The newcomer's second command (and CI's): install, build, run every test
# suite, and end with one line "N passed, N failed" over all of them.
#
# Two builds: the ordinary one (build/), and a clang one with AddressSanitizer,
# UndefinedBehaviorSanitizer and the libFuzzer targets (build-sanitize/), in
# which the same suites run again and each fuzz target runs for
# BALINT_FUZZ_SECONDS (default 25). Then the TypeScript SDK's tests run with
# node's test runner, the web client is built, and the browser tests
# (tests/browser/) run in Chromium against it. Each test and each fuzz target
# counts once.
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

# Adds the "# pass N" / "# fail N" summary of a node test runner log (TAP) to
# the totals; a log without one (the runner never got to the end) is a failure.
count_node() {
  local log="$1" label="$2" pass fail
  pass=$(sed -nE 's/^# pass ([0-9]+)$/\1/p' "$log" | tail -n 1)
  fail=$(sed -nE 's/^# fail ([0-9]+)$/\1/p' "$log" | tail -n 1)
  if [ -z "$pass" ] || [ -z "$fail" ]; then
    echo "test: node's test runner printed no summary ($log)"
    failed=$((failed + 1))
  else
    echo "test: $label: $pass passed, $fail failed"
    passed=$((passed + pass))
    failed=$((failed + fail))
  fi
}

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
count_node "$ts_log" "TypeScript SDK"

# The web client, built after the TypeScript SDK (web/ uses it through
# file:../client-sdk/ts, so it needs its dist/). The browser tests serve
# web/dist, so without a build they do not run; the failed build counts once.
web_log="$BALINT_BUILD_DIR/web-build.log"
web_ok=1
if [ -f web/package.json ]; then
  if (cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build) < /dev/null > "$web_log" 2>&1; then
    echo "test: web client built (web/dist)"
    # Its pure parts (the view model, the jitter buffer, the mixer) with node's test runner.
    web_test_log="$BALINT_BUILD_DIR/web-test.log"
    (cd web && npm test) < /dev/null > "$web_test_log" 2>&1 || cat "$web_test_log"
    count_node "$web_test_log" "web client unit"
  else
    echo "test: the web client's build failed, so the browser tests do not run:"
    cat "$web_log"
    failed=$((failed + 1))
    web_ok=0
  fi
fi

# End-to-end tests in Debian's Chromium (playwright-core) against the real
# server serving web/dist, with C++ SDK peers (balint-cli). Only *.test.mjs
# files are tests; support/ holds the harness. The timeout is a backstop for
# a hang: it signals the process group (the servers, the CLI peers, and
# playwright, which then ends Chromium's own group).
if [ "$web_ok" -eq 1 ]; then
  browser_log="$BALINT_BUILD_DIR/browser-test.log"
  if [ -z "${BALINT_TEST_OUTPUT:-}" ]; then
    # Our own folder: emptied, so it holds only this run's screenshots.
    BALINT_TEST_OUTPUT="$(realpath -m "$BALINT_BUILD_DIR/browser-test-output")"
    rm -rf "$BALINT_TEST_OUTPUT"
  fi
  export BALINT_TEST_OUTPUT
  browser_started=$(date +%s)
  if (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error &&
    timeout 300 node --test --test-concurrency=1 --test-reporter=tap ./*.test.mjs) < /dev/null > "$browser_log" 2>&1; then
    echo "test: browser tests passed in $(($(date +%s) - browser_started)) s"
  else
    echo "test: browser tests failed:"
    cat "$browser_log"
  fi
  count_node "$browser_log" "browser"
  echo "test: browser screenshots in $BALINT_TEST_OUTPUT"
fi

# The benchmark's two peers (tests/bench/peers/): the relay contract they
# share, checked on both, so that the comparison is with working relays.
peers_log="$BALINT_BUILD_DIR/bench-peers-test.log"
if (cd tests/bench/peers/node-relay && npm ci --no-audit --no-fund --loglevel=error &&
  cd .. && node --test --test-reporter=tap peers.test.mjs) < /dev/null > "$peers_log" 2>&1; then
  echo "test: benchmark peers' tests passed"
else
  echo "test: benchmark peers' tests failed:"
  cat "$peers_log"
fi
count_node "$peers_log" "benchmark peers"

# WebSocket conformance (tests/conformance/): the case groups of
# Autobahn|Testsuite against the real server, one test per case; its report
# (a line per group and per case) is written to the build folder and shown.
conformance_log="$BALINT_BUILD_DIR/conformance-test.log"
conformance_report="$BALINT_BUILD_DIR/conformance-report.txt"
rm -f "$conformance_report"
if (cd tests/conformance && npm ci --no-audit --no-fund --loglevel=error &&
  timeout 300 node --test --test-reporter=tap conformance.test.mjs) < /dev/null > "$conformance_log" 2>&1; then
  echo "test: WebSocket conformance tests passed"
else
  echo "test: WebSocket conformance tests failed:"
  cat "$conformance_log"
fi
count_node "$conformance_log" "WebSocket conformance"
{ cat "$conformance_report" && echo; } 2>/dev/null || echo "test: no WebSocket conformance report ($conformance_report)"

echo "test: finished in $(($(date +%s) - started)) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
