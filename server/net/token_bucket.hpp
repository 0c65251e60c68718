// A token bucket: allows `rate.per_second` on average and bursts of up to
// `rate.burst`. The caller passes the time, so the bucket is deterministic.
#pragma once

#include "net/limits.hpp"

#include <algorithm>
#include <chrono>

namespace balint::net {

class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;

  TokenBucket(Rate rate, Clock::time_point now) : rate_(rate), tokens_(rate.burst), last_(now) {}

  // Takes one token if there is one.
  bool take(Clock::time_point now) {
    if (now > last_) {
      const std::chrono::duration<double> elapsed = now - last_;
      tokens_ = std::min<double>(rate_.burst, tokens_ + elapsed.count() * rate_.per_second);
      last_ = now;
    }
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }

 private:
  Rate rate_;
  double tokens_;
  Clock::time_point last_;
};

}  // namespace balint::net
