// Slows down guessing: each address may fail a check `rate.burst` times in
// a row, then once per 1/`rate.per_second` seconds. The caller passes the
// time, so the throttle is deterministic. Any thread.
//
// Bounded: it remembers at most `max_addresses`; past that it forgets the
// addresses that have earned all their tries back, then the oldest.
#pragma once

#include "net/limits.hpp"
#include "net/net.hpp"
#include "net/token_bucket.hpp"

#include <chrono>
#include <cmath>
#include <cstddef>
#include <mutex>
#include <unordered_map>

namespace balint::net {

class FailureThrottle {
 public:
  using Clock = TokenBucket::Clock;

  FailureThrottle(Rate rate, std::size_t max_addresses) : rate_(rate), max_addresses_(max_addresses) {}

  // How long `address` must wait before it may be checked again; zero if
  // it may be now.
  std::chrono::seconds wait(const asio::ip::address& address, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    const auto it = failures_.find(address);
    if (it == failures_.end()) return std::chrono::seconds(0);
    const double tokens = it->second.tokens_at(now, rate_);
    if (tokens >= 1) return std::chrono::seconds(0);
    return std::chrono::seconds(static_cast<long>(std::ceil((1 - tokens) / rate_.per_second)));
  }

  // `address` failed the check; returns its failures since it last had
  // every try.
  std::uint32_t failed(const asio::ip::address& address, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    auto it = failures_.find(address);
    if (it == failures_.end()) {
      if (failures_.size() >= max_addresses_) forget_some(now);
      it = failures_.emplace(address, Entry{static_cast<double>(rate_.burst), now, 0}).first;
    }
    Entry& entry = it->second;
    entry.tokens = entry.tokens_at(now, rate_);
    entry.at = now;
    if (entry.tokens >= rate_.burst) entry.in_a_row = 0;
    entry.tokens = std::max(0.0, entry.tokens - 1);
    return ++entry.in_a_row;
  }

  std::size_t remembered() const {
    std::lock_guard lock(mutex_);
    return failures_.size();
  }

 private:
  struct Entry {
    double tokens;
    Clock::time_point at;  // When `tokens` was counted.
    std::uint32_t in_a_row;
    double tokens_at(Clock::time_point now, Rate rate) const {
      const std::chrono::duration<double> elapsed = now > at ? now - at : Clock::duration::zero();
      return std::min<double>(rate.burst, tokens + elapsed.count() * rate.per_second);
    }
  };

  void forget_some(Clock::time_point now) {
    std::erase_if(failures_, [&](const auto& item) { return item.second.tokens_at(now, rate_) >= rate_.burst; });
    if (failures_.size() < max_addresses_) return;
    auto oldest = failures_.begin();
    for (auto it = failures_.begin(); it != failures_.end(); ++it)
      if (it->second.at < oldest->second.at) oldest = it;
    failures_.erase(oldest);
  }

  const Rate rate_;
  const std::size_t max_addresses_;
  mutable std::mutex mutex_;
  std::unordered_map<asio::ip::address, Entry> failures_;
};

}  // namespace balint::net
