#include "net/token_bucket.hpp"

#include <catch2/catch.hpp>

using balint::net::TokenBucket;
using namespace std::chrono_literals;

TEST_CASE("a token bucket allows a burst, then the steady rate", "[limits]") {
  const auto start = TokenBucket::Clock::time_point{} + 1h;
  TokenBucket bucket({10, 5}, start);
  for (int i = 0; i < 5; ++i) CHECK(bucket.take(start));
  CHECK_FALSE(bucket.take(start));

  // 10 a second: one token every 100 ms, never more than the burst.
  CHECK_FALSE(bucket.take(start + 50ms));
  CHECK(bucket.take(start + 100ms));
  CHECK_FALSE(bucket.take(start + 100ms));
  const auto later = start + 1h;
  int taken = 0;
  while (bucket.take(later)) ++taken;
  CHECK(taken == 5);
}

TEST_CASE("a clock that steps back gives no tokens", "[limits]") {
  const auto start = TokenBucket::Clock::time_point{} + 1h;
  TokenBucket bucket({1, 1}, start);
  CHECK(bucket.take(start));
  CHECK_FALSE(bucket.take(start - 10s));
  CHECK_FALSE(bucket.take(start));
  CHECK(bucket.take(start + 1s));
}
