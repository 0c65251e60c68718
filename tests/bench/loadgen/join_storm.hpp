// W-join: people arriving faster and faster. Each step offers joins at a
// fixed rate for a few seconds, open loop (a join is due at its time
// whether or not the earlier ones are done), and measures each from its due
// time until the server's first state arrived (ours) or the upgrade was
// answered (a peer). The connections of a step stay open until the step
// ends. The storm stops at the first step the server fell behind in.
#pragma once

#include "histogram.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace balint::bench {

struct JoinStep {
  int rate = 0;  // Joins offered per second.
  std::uint64_t offered = 0;
  std::uint64_t completed = 0;
  std::uint64_t failed = 0;  // Refused, reset, or not done by the step's end plus a second.
  Histogram latency;         // Microseconds, due time to done.
};

struct JoinStormOptions {
  std::uint16_t port = 0;
  int first_rate = 50;
  int rate_step = 50;
  int last_rate = 2000;
  double step_seconds = 2;
  // A step the server falls behind in: fewer than this share completed, or
  // a p99 above this many microseconds.
  double min_completed = 0.99;
  std::uint64_t max_p99_us = 100'000;
};

// What the storm asks of the server's kind: `prepare(n)` readies the next
// n joins (minting tokens takes time that is not measured), `target(i)` is
// the request target of the i-th join ("/ws?token=..." or "/ws?room=..."),
// and `joined(message)` says whether a binary message from the server
// completes a join (null: the 101 alone does).
struct JoinTargets {
  std::function<void(std::size_t)> prepare;
  std::function<std::string(std::size_t)> target;
  std::function<bool(std::string_view)> joined;
};

std::vector<JoinStep> join_storm(const JoinStormOptions& options, const JoinTargets& targets);

}  // namespace balint::bench
