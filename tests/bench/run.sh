#!/usr/bin/env bash
# The benchmark: Balint Room and its two peers (a Node relay on `ws`, a
# minimal C epoll relay), each started afresh for every measurement, in turn,
# BENCH_REPEATS times (default 3), under the same load generator. Prints one
# table of medians and the ratios ours/peer, writes every raw result to
# build/bench/results.txt and plots latency against offered load to
# build/bench/latency.png (with gnuplot).
#
#   bash tests/bench/run.sh            # everything, about 30 minutes
#   BENCH_SECONDS=5 BENCH_REPEATS=1 BENCH_LOADS="25 100" bash tests/bench/run.sh
#
# Loopback only; the generator and the server under test share the machine,
# so the generator reports its own CPU: a line marked void=yes is not to be
# trusted.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

seconds="${BENCH_SECONDS:-10}"
repeats="${BENCH_REPEATS:-3}"
loads="${BENCH_LOADS:-10 25 50 75 100}"    # Rooms of 10 for W-audio.
state_rooms="${BENCH_STATE_ROOMS:-50}"     # Rooms of 10 for W-state, every client at 5 Hz.
video_rooms="${BENCH_VIDEO_ROOMS:-20}"     # Rooms of 10 for W-video, 6 cameras at 15 fps.
idle_connections="${BENCH_IDLE:-10000}"    # W-idle, in rooms of 100.
impls="${BENCH_IMPLS:-ours node c}"
out="$root/build/bench"

bash deploy/build.sh > /dev/null
mkdir -p "$out"
cc -O2 -Wall -Wextra -o "$out/c-relay" tests/bench/peers/c-relay/relay.c
(cd tests/bench/peers/node-relay && npm ci --silent --no-audit --no-fund)
loadgen="$root/build/tests/bench/balint-loadgen"
results="$out/results.txt"
: > "$results"

server_pid=""
server_port=""
admin_secret=""
work=""

stop_server() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2> /dev/null || true
    wait "$server_pid" 2> /dev/null || true
  fi
  server_pid=""
  [ -n "$work" ] && rm -rf "$work"
  work=""
}
trap stop_server EXIT

# Starts a fresh server of one kind; sets server_pid, server_port and, for
# ours, admin_secret. `ours-callgrind` is ours under valgrind, counting
# instructions only when told to (callgrind_control -i on).
start_server() {
  work="$(mktemp -d)"
  printf '{"max_connections_per_ip": 100000, "max_sessions": 100000, "log_level": "warn"}\n' > "$work/config.json"
  case "$1" in
    ours)
      build/server/app/balint-server --config "$work/config.json" --port 0 --data-dir "$work/data" \
        > "$work/out" 2> "$work/err" &
      ;;
    ours-callgrind)
      valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out/callgrind.out" \
        build/server/app/balint-server --config "$work/config.json" --port 0 --data-dir "$work/data" \
        > "$work/out" 2> "$work/err" &
      ;;
    node) node tests/bench/peers/node-relay/relay.mjs --port 0 > "$work/out" 2> "$work/err" & ;;
    c) "$out/c-relay" --port 0 > "$work/out" 2> "$work/err" & ;;
  esac
  server_pid=$!
  for _ in $(seq 1 300); do
    if [ "$1" != node ] && [ "$1" != c ]; then
      server_port="$(sed -n 's|.*Server: *http://127.0.0.1:\([0-9]*\).*|\1|p' "$work/out")"
    else
      server_port="$(sed -n 's|^listening on \([0-9]*\)$|\1|p' "$work/out")"
    fi
    [ -n "$server_port" ] && break
    sleep 0.1
  done
  if [ -z "$server_port" ]; then
    echo "bench: $1 did not start:" >&2
    cat "$work/out" "$work/err" >&2
    exit 1
  fi
  admin_secret=""
  [ -f "$work/data/admin.secret" ] && admin_secret="$(cat "$work/data/admin.secret")"
  return 0
}

# One measurement on a fresh server: impl, then the generator's arguments.
measure() {
  local impl="$1" rep="$2"
  shift 2
  start_server "$impl"
  local kind=peer
  [ "${impl#ours}" != "$impl" ] && kind=ours
  local lines
  lines="$("$loadgen" --server "$kind" --port "$server_port" --pid "$server_pid" ${admin_secret:+--admin-secret "$admin_secret"} "$@")"
  stop_server
  echo "$lines" | sed "s/^/impl=$impl rep=$rep /" | tee -a "$results"
}

started=$(date +%s)
for rep in $(seq 1 "$repeats"); do
  for rooms in $loads; do
    for impl in $impls; do
      measure "$impl" "$rep" --workload audio --rooms "$rooms" --clients 10 --speakers 2 --rate 50 --bytes 100 \
        --seconds "$seconds" --warmup 2
    done
  done
  for rooms in $video_rooms; do
    for impl in $impls; do
      measure "$impl" "$rep" --workload video --rooms "$rooms" --clients 10 --speakers 6 --rate 15 --bytes 1250 \
        --seconds "$seconds" --warmup 2
    done
  done
  for rooms in $state_rooms; do
    for impl in $impls; do
      measure "$impl" "$rep" --workload state --rooms "$rooms" --clients 10 --rate 5 --bytes 32 \
        --seconds "$seconds" --warmup 2
    done
  done
  for impl in $impls; do
    measure "$impl" "$rep" --workload idle --rooms $((idle_connections / 100)) --clients 100
    measure "$impl" "$rep" --workload join --clients 10 --rate 100 --seconds 2
  done
done
echo "bench: $(( $(date +%s) - started )) s of measurements; raw results in $results"

# A deterministic figure: instructions the server executes per delivered
# frame, counted by callgrind over a small W-audio window.
if command -v valgrind > /dev/null; then
  rm -f "$out/callgrind.out"
  start_server ours-callgrind
  line="$("$loadgen" --server ours --port "$server_port" --pid "$server_pid" --admin-secret "$admin_secret" \
    --workload audio --rooms 5 --clients 10 --speakers 2 --rate 50 --bytes 100 --seconds 5 --warmup 2 \
    --on-window-start "callgrind_control -i on $server_pid > /dev/null" \
    --on-window-end "callgrind_control -i off $server_pid > /dev/null")"
  stop_server
  delivered="$(echo "$line" | sed -n 's/.* delivered=\([0-9]*\).*/\1/p')"
  instructions="$(callgrind_annotate "$out/callgrind.out" 2> /dev/null | sed -n 's/^ *\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p' | tr -d ,)"
  if [ -n "$delivered" ] && [ "$delivered" -gt 0 ] && [ -n "$instructions" ]; then
    echo "impl=ours-callgrind $line instructions=$instructions" >> "$results"
    echo "callgrind: $((instructions / delivered)) instructions per delivered frame"
  else
    echo "callgrind: no figure (delivered=$delivered, instructions=$instructions)"
  fi
else
  echo "bench: valgrind is not installed (bash deploy/install-deps.sh installs it); no instruction count"
fi

bash tests/bench/table.sh "$results" "$out"
