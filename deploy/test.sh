#!/usr/bin/env bash
# The newcomer's second command (and CI's): install, build, run every test
# suite, and end with one line "N passed, N failed" over all of them.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export BALINT_BUILD_DIR="${BALINT_BUILD_DIR:-build}"

started=$(date +%s)
bash deploy/build.sh || { echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0

# C++ suites (engine, integration) through ctest.
ctest_log="$BALINT_BUILD_DIR/ctest.log"
(cd "$BALINT_BUILD_DIR" && ctest --output-on-failure -j2 --timeout 300) 2>&1 | tee "$ctest_log"
summary=$(grep -E "tests passed, [0-9]+ tests? failed out of [0-9]+" "$ctest_log" | tail -n 1)
if [ -n "$summary" ]; then
  total=$(sed -E 's/.* out of ([0-9]+).*/\1/' <<<"$summary")
  bad=$(sed -E 's/.*passed, ([0-9]+) tests? failed.*/\1/' <<<"$summary")
  passed=$((passed + total - bad))
  failed=$((failed + bad))
else
  echo "test: ctest printed no summary"
  failed=$((failed + 1))
fi

echo "test: finished in $(( $(date +%s) - started )) s"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
