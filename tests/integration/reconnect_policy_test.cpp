// The client's reconnect rules on their own (client-sdk/cpp/src/
// reconnect_policy.hpp): every scenario of client-sdk/RECONNECT.md, with a
// clock the test moves and no sleeping.
#include "reconnect_policy.hpp"

#include <catch2/catch.hpp>

namespace {

using balint::sdk::detail::ReconnectPolicy;
using balint::sdk::detail::reconnects_after;
using Credential = ReconnectPolicy::Credential;
using namespace std::chrono_literals;
namespace v1 = balint::v1;

const ReconnectPolicy::Clock::time_point t0{std::chrono::hours(1)};

// No jitter (a factor of exactly 1) unless a test asks for it.
ReconnectPolicy policy(double random = 0.5) {
  return ReconnectPolicy({500ms, 1000ms, 2000ms, 4000ms, 8000ms, 10000ms}, [random] { return random; });
}

TEST_CASE("Reconnect policy: which endings are made again", "[reconnect_policy]") {
  CHECK(reconnects_after(std::nullopt, false, false));                      // The network dropped it.
  CHECK(reconnects_after(v1::GOODBYE_REASON_RESTARTING, false, false));     // The server restarts.
  CHECK_FALSE(reconnects_after(v1::GOODBYE_REASON_REMOVED, false, false));  // Any other Goodbye is final.
  CHECK_FALSE(reconnects_after(v1::GOODBYE_REASON_SIGNED_IN_ELSEWHERE, false, false));
  CHECK_FALSE(reconnects_after(v1::GOODBYE_REASON_SESSION_ENDED, false, false));
  CHECK_FALSE(reconnects_after(std::nullopt, true, false));  // close() by the application.
  CHECK_FALSE(reconnects_after(std::nullopt, false, true));  // A protocol error.
}

TEST_CASE("Reconnect policy: attempts follow the delays, the last one repeating, and start over once up",
          "[reconnect_policy]") {
  auto p = policy();
  p.welcomed(true);
  auto next = p.dropped(t0);
  CHECK(next.at == t0 + 500ms);
  CHECK(next.credential == Credential::resume);
  std::vector<std::chrono::milliseconds> waits;
  auto now = next.at;
  for (int i = 0; i < 7; ++i) {
    const auto again = p.failed(now, 0);  // Unreachable: no answer.
    REQUIRE(again.has_value());
    waits.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(again->at - now));
    now = again->at;
  }
  CHECK(waits == std::vector<std::chrono::milliseconds>{1000ms, 2000ms, 4000ms, 8000ms, 10000ms, 10000ms, 10000ms});
  p.reconnected();
  CHECK(p.dropped(now).at == now + 500ms);
}

TEST_CASE("Reconnect policy: each wait is stretched or shrunk by at most a quarter", "[reconnect_policy]") {
  CHECK(policy(0.0).dropped(t0).at == t0 + 375ms);
  CHECK(policy(0.999999).dropped(t0).at > t0 + 624ms);
  CHECK(policy(0.999999).dropped(t0).at < t0 + 625ms);
}

TEST_CASE("Reconnect policy: a refused resume credential gives way to the token, a refused token ends the attempts, "
          "and a 503 is tried again",
          "[reconnect_policy]") {
  auto p = policy();
  p.welcomed(true);
  auto next = p.dropped(t0);
  REQUIRE(next.credential == Credential::resume);
  auto after_503 = p.failed(next.at, 503);  // Restarting: again, still resuming.
  REQUIRE(after_503.has_value());
  CHECK(after_503->credential == Credential::resume);
  const auto after_401 = p.failed(after_503->at, 401);  // The credential is spent: the token, at once.
  REQUIRE(after_401.has_value());
  CHECK(after_401->credential == Credential::token);
  CHECK(after_401->at == after_503->at);
  CHECK_FALSE(p.failed(after_401->at, 409).has_value());  // The session ended: the link is refused.
}

TEST_CASE("Reconnect policy: without a resume credential the token goes, and a new Welcome's credential is used",
          "[reconnect_policy]") {
  auto p = policy();
  auto next = p.dropped(t0);
  CHECK(next.credential == Credential::token);
  p.welcomed(true);  // The attempt came up and was given one, then dropped before its keys were taken.
  const auto again = p.failed(next.at, 0);
  REQUIRE(again.has_value());
  CHECK(again->credential == Credential::resume);
}

}  // namespace
