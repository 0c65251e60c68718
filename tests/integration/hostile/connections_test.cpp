// Hostile use of connections: the same join token on a second connection.
// The newer connection wins, the older one is told why before it is closed,
// and the session carries on with the member still in it.

#include "hostile_session.hpp"

#include <catch2/catch.hpp>

namespace balint::test {

TEST_CASE("Connections: a second connection with the same token replaces the first, which is told why",
          "[hostile][connections]") {
  HostileSession s;
  auto first = s.join_raw("p2");
  const auto before = s.snapshot();

  RawClient second(s.server.port());
  const bool joined = second.join(s.token("p2"), TokenPlace::query);
  INFO(second.last_error());
  REQUIRE(joined);

  const auto& ending = first->wait_end();
  INFO("the first connection ended with: " << ending.describe());
  CHECK(ending.saw_goodbye);
  CHECK_FALSE(ending.goodbye.empty());
  CHECK(ending.goodbye_reason == v1::GOODBYE_REASON_SIGNED_IN_ELSEWHERE);
  expect_close(ending, 1000);

  // Coming in again is one change (p2 joined again); p2 is still in the
  // roster, connected, and nothing else moved.
  s.expect_unchanged(before, {.version_steps = 1, .disconnected = {}});
  // The new connection speaks for p2.
  REQUIRE(second.send_command(81, sdk::cmd::raise_hand()));
  const auto raised = second.wait_result(81);
  REQUIRE(raised.has_value());
  CHECK(raised->code() == v1::ERROR_CODE_OK);
  s.expect_others_served();
}

TEST_CASE("Connections: a facilitator's token used twice leaves the session in the newest connection's hands",
          "[hostile][connections]") {
  HostileSession s;
  const auto before = s.snapshot();

  // Someone else with the facilitator's link: the SDK facilitator is
  // replaced, told why, and the session stays driven from the new place.
  RawClient thief(s.server.port());
  const bool joined = thief.join(s.token("fac"));
  INFO(thief.last_error());
  REQUIRE(joined);
  REQUIRE(s.fac.client().wait_closed(kWait));
  const auto info = s.fac.client().close_info();
  REQUIRE(info.has_value());
  CHECK(info->goodbye);
  CHECK(info->by_server);
  CHECK_FALSE(info->reason.empty());

  // Seen from p1 and the admin API: still the same people, phase and
  // controller; only the rejoin's version.
  const auto after = s.p1.client().wait_for_version(before.version() + 1, kWait);
  REQUIRE(after.has_value());
  auto admin_view = s.server.admin().get_session(s.session.session_id);
  CHECK(admin_view.version() == before.version() + 1);
  CHECK(admin_view.controller_id() == "fac");
  CHECK(admin_view.phase_index() == before.phase_index());
  CHECK(admin_view.roster_size() == before.roster_size());
  // p1 is served, and so is the facilitator's new connection.
  const auto version = must(s.p1, sdk::cmd::raise_hand());
  REQUIRE(thief.send_command(82, sdk::cmd::next_phase()));
  const auto moved = thief.wait_result(82);
  REQUIRE(moved.has_value());
  CHECK(moved->code() == v1::ERROR_CODE_OK);
  CHECK(moved->state_version() == version + 1);
}

}  // namespace balint::test
