#!/usr/bin/env bash
# Prints the benchmark's table from its raw results (one line per
# measurement, as tests/bench/run.sh writes them) and plots W-audio's p99
# latency against offered load with gnuplot:
#
#   bash tests/bench/table.sh build/bench/results.txt build/bench
#
# Writes table.txt, one .dat file per implementation and latency.png to the
# folder.
set -euo pipefail
results="$1"
out="$2"
impls="$(sed -n 's/^impl=\([a-z]*\) .*/\1/p' "$results" | awk '!seen[$0]++' | tr '\n' ' ')"

# The table: medians over the repeats, by implementation and load.
awk -v impls="$impls" '
  function field(name,   i, kv) {
    for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == name) return kv[2] }
    return ""
  }
  function median(key,   n, i, j, t, a) {
    n = split(values[key], a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n ? a[int((n + 1) / 2)] : ""
  }
  function add(key, value) { values[key] = values[key] " " value }
  {
    impl = field("impl"); w = field("workload"); rooms = field("rooms")
    if (impl ~ /callgrind/) next
    if (w == "audio") {
      k = impl SUBSEP rooms
      seen_rooms[rooms] = 1
      add(k SUBSEP "cpu", field("server_cpu_us_per_delivery"))
      add(k SUBSEP "p50", field("p50_us")); add(k SUBSEP "p99", field("p99_us")); add(k SUBSEP "p999", field("p999_us"))
      add(k SUBSEP "offered", field("offered_per_s"))
      delivered[k] += field("delivered"); expected[k] += field("expected")
      if (field("void") == "yes") void[k] = 1
    } else if (w == "video") {
      k = impl SUBSEP rooms
      video_rooms_seen[rooms] = 1
      add("video" SUBSEP k SUBSEP "cpu", field("server_cpu_us_per_delivery"))
      add("video" SUBSEP k SUBSEP "p50", field("p50_us")); add("video" SUBSEP k SUBSEP "p99", field("p99_us"))
      add("video" SUBSEP k SUBSEP "offered", field("offered_per_s"))
      video_delivered[k] += field("delivered"); video_expected[k] += field("expected")
    } else if (w == "state") {
      k = impl SUBSEP rooms
      state_rooms_seen[rooms] = 1
      add("state" SUBSEP k SUBSEP "cpu", field("server_cpu_us_per_delivery"))
      add("state" SUBSEP k SUBSEP "p50", field("p50_us")); add("state" SUBSEP k SUBSEP "p99", field("p99_us"))
      add("state" SUBSEP k SUBSEP "offered", field("offered_per_s"))
      state_delivered[k] += field("delivered"); state_expected[k] += field("expected")
    } else if (w == "join" && field("joins_per_s_kept_up") != "") {
      add(impl SUBSEP "join", field("joins_per_s_kept_up"))
    } else if (w == "idle") {
      add(impl SUBSEP "idle", field("kib_per_connection")); idle_conns[impl] = field("connections")
    }
  }
  END {
    n = split(impls, names, " ")
    printf "\n%-5s %6s %10s %12s %8s %8s %8s %14s %s\n", "impl", "rooms", "offered/s", "cpu us/msg", "p50 ms", "p99 ms", "p99.9 ms", "delivered", ""
    for (r in seen_rooms) room_list[++nr] = r + 0
    for (i = 1; i <= nr; i++) for (j = i + 1; j <= nr; j++) if (room_list[j] < room_list[i]) { t = room_list[i]; room_list[i] = room_list[j]; room_list[j] = t }
    for (ri = 1; ri <= nr; ri++) {
      rooms = room_list[ri]
      for (x = 1; x <= n; x++) {
        k = names[x] SUBSEP rooms
        if (!(k SUBSEP "cpu" in values)) continue
        printf "%-5s %6d %10.0f %12.2f %8.2f %8.2f %8.2f %14s %s\n", names[x], rooms, median(k SUBSEP "offered"),
          median(k SUBSEP "cpu"), median(k SUBSEP "p50") / 1000, median(k SUBSEP "p99") / 1000,
          median(k SUBSEP "p999") / 1000, delivered[k] "/" expected[k], (k in void) ? "VOID: generator saturated" : ""
        plot[names[x]] = plot[names[x]] sprintf("%s %s\n", median(k SUBSEP "offered"), median(k SUBSEP "p99") / 1000)
      }
      ours = median("ours" SUBSEP rooms SUBSEP "cpu")
      for (x = 1; x <= n; x++) if (names[x] != "ours" && ours != "" && median(names[x] SUBSEP rooms SUBSEP "cpu") > 0)
        printf "      ours/%s CPU per delivery at %d rooms: %.2f\n", names[x], rooms, ours / median(names[x] SUBSEP rooms SUBSEP "cpu")
    }
    printf "\nW-video (6 cameras in each room of 10, 15 chunks a second of 1,250 bytes; each to the other 9):\n"
    for (r in video_rooms_seen) {
      for (x = 1; x <= n; x++) {
        k = names[x] SUBSEP r
        if (!(("video" SUBSEP k SUBSEP "cpu") in values)) continue
        printf "%-5s %6d %10.0f %12.2f %8.2f %8.2f %23s\n", names[x], r, median("video" SUBSEP k SUBSEP "offered"),
          median("video" SUBSEP k SUBSEP "cpu"), median("video" SUBSEP k SUBSEP "p50") / 1000,
          median("video" SUBSEP k SUBSEP "p99") / 1000, video_delivered[k] "/" video_expected[k]
      }
      ours = median("video" SUBSEP "ours" SUBSEP r SUBSEP "cpu")
      for (x = 1; x <= n; x++) if (names[x] != "ours" && ours != "" && median("video" SUBSEP names[x] SUBSEP r SUBSEP "cpu") > 0)
        printf "      ours/%s CPU per delivery at %d rooms: %.2f\n", names[x], r, ours / median("video" SUBSEP names[x] SUBSEP r SUBSEP "cpu")
    }
    printf "\nW-state (every client changes the state 5 times a second; each change to the whole room):\n"
    for (r in state_rooms_seen) for (x = 1; x <= n; x++) {
      k = names[x] SUBSEP r
      if (!(("state" SUBSEP k SUBSEP "cpu") in values)) continue
      printf "%-5s %6d %10.0f %12.2f %8.2f %8.2f %23s\n", names[x], r, median("state" SUBSEP k SUBSEP "offered"),
        median("state" SUBSEP k SUBSEP "cpu"), median("state" SUBSEP k SUBSEP "p50") / 1000,
        median("state" SUBSEP k SUBSEP "p99") / 1000, state_delivered[k] "/" state_expected[k]
    }
    printf "\nW-join (joins per second kept up with: 99%% done, p99 under 100 ms; rising by 100 a second):\n"
    for (x = 1; x <= n; x++) if ((names[x] SUBSEP "join") in values)
      printf "%-5s %8d joins/s\n", names[x], median(names[x] SUBSEP "join")
    printf "\nW-idle (memory per idle connection):\n"
    for (x = 1; x <= n; x++) if ((names[x] SUBSEP "idle") in values)
      printf "%-5s %8.2f KiB per connection (%s connections)\n", names[x], median(names[x] SUBSEP "idle"), idle_conns[names[x]]
    for (x = 1; x <= n; x++) { f = out "/" names[x] ".dat"; printf "%s", plot[names[x]] > f; close(f) }
  }
' out="$out" "$results" | tee "$out/table.txt"


# The callgrind figure, if the run made one.
sed -n 's/^impl=ours-callgrind .* delivered=\([0-9]*\) .* instructions=\([0-9]*\)$/\2 \1/p' "$results" |
  awk '{ printf "callgrind: %d instructions per delivered frame (%s over %s deliveries, 5 rooms)\n", $1 / $2, $1, $2 }' |
  tee -a "$out/table.txt"

if command -v gnuplot > /dev/null; then
  {
    echo "set terminal png size 900,560"
    echo "set output '$out/latency.png'"
    echo "set title 'W-audio: p99 latency against offered load (deliveries per second)'"
    echo "set xlabel 'offered deliveries per second'"
    echo "set ylabel 'p99 latency (ms)'"
    echo "set logscale y"
    echo "set key top left"
    printf "plot "
    sep=""
    for impl in $impls; do
      printf "%s'%s' using 1:2 with linespoints title '%s'" "$sep" "$out/$impl.dat" "$impl"
      sep=", "
    done
    echo
  } > "$out/latency.gp"
  gnuplot "$out/latency.gp" && echo "bench: plot in $out/latency.png"
else
  echo "bench: gnuplot is not installed (bash deploy/install-deps.sh installs it); no plot"
fi
