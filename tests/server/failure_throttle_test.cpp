// The throttle on failed checks, step by step with a clock of its own.
#include "net/failure_throttle.hpp"

#include <catch2/catch.hpp>

using balint::net::FailureThrottle;
using namespace std::chrono_literals;

namespace {
const auto kOne = boost::asio::ip::make_address("192.0.2.1");
const auto kTwo = boost::asio::ip::make_address("192.0.2.2");
}  // namespace

TEST_CASE("Failure throttle: a burst of failures, then one per interval", "[throttle]") {
  FailureThrottle throttle({0.1, 3}, 100);  // Three in a row, then one every 10 s.
  const auto t0 = FailureThrottle::Clock::time_point{} + 1h;
  CHECK(throttle.wait(kOne, t0) == 0s);
  CHECK(throttle.failed(kOne, t0) == 1);
  CHECK(throttle.failed(kOne, t0) == 2);
  CHECK(throttle.wait(kOne, t0) == 0s);
  CHECK(throttle.failed(kOne, t0) == 3);
  CHECK(throttle.wait(kOne, t0) == 10s);
  CHECK(throttle.wait(kOne, t0 + 4s) == 6s);
  CHECK(throttle.wait(kOne, t0 + 10s) == 0s);
  CHECK(throttle.failed(kOne, t0 + 10s) == 4);  // Still in a row: it never got its tries back.
  CHECK(throttle.wait(kOne, t0 + 10s) == 10s);
  // Another address is not held back.
  CHECK(throttle.wait(kTwo, t0 + 10s) == 0s);
  // Every try back (3 intervals): the count starts again.
  CHECK(throttle.failed(kOne, t0 + 40s) == 1);
}

TEST_CASE("Failure throttle: it remembers a bounded number of addresses", "[throttle]") {
  FailureThrottle throttle({0.1, 2}, 50);
  const auto t0 = FailureThrottle::Clock::time_point{} + 1h;
  for (int i = 0; i < 1000; ++i) {
    const auto address = boost::asio::ip::make_address_v4(0x0A000000u + static_cast<unsigned>(i));
    throttle.failed(address, t0 + std::chrono::milliseconds(i));
    throttle.failed(address, t0 + std::chrono::milliseconds(i));
    REQUIRE(throttle.remembered() <= 50);
  }
  // The latest one is still held back.
  CHECK(throttle.wait(boost::asio::ip::make_address_v4(0x0A000000u + 999u), t0 + 1s) > 0s);
}

TEST_CASE("Clients are counted by IPv4 address, IPv4 mapped into IPv6 alike, and by IPv6 /64", "[throttle]") {
  using balint::net::client_key;
  namespace ip = boost::asio::ip;
  CHECK(client_key(ip::make_address("192.0.2.7")) == ip::make_address("192.0.2.7"));
  CHECK(client_key(ip::make_address("::ffff:192.0.2.7")) == ip::make_address("192.0.2.7"));
  CHECK(client_key(ip::make_address("2001:db8:1:2:aaaa:bbbb:cccc:dddd")) == ip::make_address("2001:db8:1:2::"));
  CHECK(client_key(ip::make_address("2001:db8:1:2::1")) == client_key(ip::make_address("2001:db8:1:2:ffff::9")));
  CHECK(client_key(ip::make_address("2001:db8:1:3::1")) != client_key(ip::make_address("2001:db8:1:2::1")));
}
