// Scenarios 2 and 4: who may drive the session. A participant is refused and
// nothing moves; a co-facilitator drives only while the facilitator is away.

#include "harness.hpp"

#include <catch2/catch.hpp>

namespace balint::test {
namespace {

sdk::CreatedSession small_session(TestServer& server, const std::string& format = "balint") {
  sdk::SessionRequest request;
  request.name = "small group";
  request.format = format;
  request.invitees = {invitee("fac", "Dr Ada", "facilitator"), invitee("cof", "Dr Cole", "co_facilitator"),
                      invitee("p1", "Ben", "participant"), invitee("p2", "Cy", "presenter")};
  return server.admin().create_session(request);
}

}  // namespace

TEST_CASE("A participant cannot change the phase and the version does not move", "[control]") {
  TestServer server;
  const auto created = small_session(server);
  Member fac("facilitator"), cof("co-facilitator"), ben("participant"), cy("presenter");
  std::vector<Member*> all{&fac, &cof, &ben, &cy};
  for (std::size_t i = 0; i < all.size(); ++i) all[i]->join(created.invites[i]);
  // The last to join has the newest state; everyone else catches up to it.
  const auto joined = cy.client().state().version();
  wait_all(all, joined);
  const auto states_before = fac.states_received();

  for (const auto& command : {sdk::cmd::next_phase(), sdk::cmd::jump_to_phase(2), sdk::cmd::end_session(),
                              sdk::cmd::build_go_around(), sdk::cmd::start_go_around(), sdk::cmd::mute("cy")}) {
    const auto result = ben.client().send(command);
    INFO(command.ShortDebugString() << " from a participant: " << sdk::describe(result));
    CHECK(result.code() == v1::ERROR_CODE_PERMISSION_DENIED);
    CHECK_FALSE(result.message().empty());
    CHECK(result.state_version() == joined);
  }
  CHECK(ben.client().state().version() == joined);

  // Another member's round trip comes after any broadcast a change would
  // have caused: nothing arrived, nothing moved.
  const auto probe = fac.client().send(sdk::cmd::lower_hand());
  CHECK(probe.code() == v1::ERROR_CODE_NO_CHANGE);
  CHECK(probe.state_version() == joined);
  CHECK(fac.client().state().version() == joined);
  CHECK(fac.client().state().phase_index() == -1);
  CHECK(fac.states_received() == states_before);

  // The facilitator can.
  const auto version = must(fac, sdk::cmd::next_phase());
  CHECK(version == joined + 1);
  wait_all(all, version);
  CHECK(ben.client().state().phase_index() == 0);
}

TEST_CASE("The co-facilitator takes over when the facilitator drops", "[control]") {
  TestServer server;
  const auto created = small_session(server);
  Member fac("facilitator"), cof("co-facilitator"), ben("participant");
  fac.join(created.invites[0]);
  cof.join(created.invites[1]);
  ben.join(created.invites[2]);

  const auto version = must(fac, sdk::cmd::next_phase());
  wait_all({&fac, &cof, &ben}, version);
  CHECK(cof.client().state().controller_id() == "fac");

  const auto refused = cof.client().send(sdk::cmd::next_phase());
  INFO("co-facilitator while the facilitator is here: " << sdk::describe(refused));
  CHECK(refused.code() == v1::ERROR_CODE_PERMISSION_DENIED);
  CHECK(refused.state_version() == version);

  fac.client().close();
  CHECK(fac.client().close_info().has_value());
  CHECK_FALSE(fac.client().close_info()->by_server);
  // The facilitator keeps their place for the reconnect grace, but control
  // passes at once.
  const auto away = cof.client().wait_for_state(
      [](const v1::SessionState& s) {
        const auto* f = sdk::find_member(s, "fac");
        return f && f->connection() == v1::CONNECTION_STATUS_RECONNECTING;
      },
      kWait);
  REQUIRE(away.has_value());
  CHECK(away->controller_id() == "cof");

  const auto moved = must(cof, sdk::cmd::next_phase());
  wait_all({&cof, &ben}, moved);
  CHECK(ben.client().state().phase_index() == 1);

  // The facilitator comes back (same client object, new connection) and is
  // in control again; the co-facilitator steps back.
  REQUIRE(fac.try_join(created.invites[0]).ok());
  const auto back = cof.client().wait_for_state(
      [](const v1::SessionState& s) { return s.controller_id() == "fac"; }, kWait);
  REQUIRE(back.has_value());
  CHECK(fac.client().state().phase_index() == 1);
  CHECK(cof.client().send(sdk::cmd::next_phase()).code() == v1::ERROR_CODE_PERMISSION_DENIED);
  CHECK(fac.client().send(sdk::cmd::next_phase()).code() == v1::ERROR_CODE_OK);
}

TEST_CASE("A removed member is told goodbye and the rest carry on", "[control]") {
  TestServer server;
  const auto created = small_session(server);
  Member fac("facilitator"), ben("participant");
  fac.join(created.invites[0]);
  ben.join(created.invites[2]);

  const auto version = must(fac, sdk::cmd::remove_member("p1"));
  REQUIRE(ben.client().wait_closed(kWait));
  const auto info = ben.client().close_info();
  REQUIRE(info.has_value());
  CHECK(info->goodbye == v1::GOODBYE_REASON_REMOVED);
  CHECK_FALSE(info->reason.empty());
  // After the close nothing can be sent, and that is said plainly.
  const auto late = ben.client().send(sdk::cmd::raise_hand());
  CHECK(late.code() == sdk::kErrorConnectionClosed);
  CHECK_FALSE(ben.client().send_media(0, "x"));

  const auto state = fac.client().wait_for_version(version, kWait);
  REQUIRE(state.has_value());
  CHECK(sdk::find_member(*state, "p1") == nullptr);
  CHECK(fac.client().send(sdk::cmd::next_phase()).code() == v1::ERROR_CODE_OK);
}

}  // namespace balint::test

namespace balint::test {

TEST_CASE("A callback that throws ends the connection with a reason instead of a hang", "[control][sdk]") {
  TestServer server;
  const auto created = small_session(server);
  Member fac("facilitator");
  fac.join(created.invites[0]);

  sdk::Client ben;
  ben.on_state([](const v1::SessionState& s) {
    if (s.phase_index() == 0) throw std::runtime_error("the screen broke");
  });
  REQUIRE(ben.connect(sdk::parse_join_link(created.invites[2].link)).ok());
  must(fac, sdk::cmd::next_phase());
  REQUIRE(ben.wait_closed(kWait));
  const auto info = ben.close_info();
  REQUIRE(info.has_value());
  CHECK(info->reason.find("the screen broke") != std::string::npos);
  CHECK_FALSE(info->by_server);
  CHECK(ben.send(sdk::cmd::raise_hand()).code() == sdk::kErrorConnectionClosed);

  // The server sees a drop and the session goes on.
  const auto away = fac.client().wait_for_state(
      [](const v1::SessionState& s) {
        const auto* b = sdk::find_member(s, "p1");
        return b && b->connection() == v1::CONNECTION_STATUS_RECONNECTING;
      },
      kWait);
  CHECK(away.has_value());
}

}  // namespace balint::test
