// A dropped connection: the member keeps their place for the reconnect
// grace. The member who drops is a raw client whose socket is closed without
// a WebSocket close frame (what a lost Wi-Fi looks like to the server); the
// others are SDK clients that watch what the server tells them.

#include "harness.hpp"
#include "raw_client.hpp"
#include "server_process.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <thread>

namespace balint::test {
namespace {

constexpr int kGoAroundPhase = 2;  // CCDG: check-in, presentation, go-around, ...

// A CCDG session for the facilitator, a presenter, and p1, p2, p3; the
// go-around is built from the roster, in the order people joined.
struct Ccdg {
  explicit Ccdg(sdk::AdminClient admin) {
    sdk::SessionRequest request;
    request.name = "ward group";
    request.format = "ccdg";
    request.invitees = {invitee("fac", "Dr Ada", "facilitator"), invitee("pres", "Dr Pia", "presenter"),
                        invitee("p1", "Ben", "participant"), invitee("p2", "Cy", "participant"),
                        invitee("p3", "Di", "participant")};
    created = admin.create_session(request);
  }
  const sdk::Invite& invite(const std::string& id) const {
    const auto it = std::find_if(created.invites.begin(), created.invites.end(),
                                 [&](const sdk::Invite& i) { return i.participant_id == id; });
    REQUIRE(it != created.invites.end());
    return *it;
  }
  sdk::CreatedSession created;
};

// Joins `id` on a raw connection and waits until `watcher` has seen it.
std::unique_ptr<RawClient> join_raw(TestServer& server, const Ccdg& group, const std::string& id, Member& watcher) {
  auto raw = std::make_unique<RawClient>(server.port());
  INFO("raw client joining as " << id);
  const bool joined = raw->join(group.invite(id).token);
  INFO(raw->last_error());
  REQUIRE(joined);
  REQUIRE(watcher.client().wait_for_version(raw->state().version(), kWait).has_value());
  return raw;
}

// Commands from a raw client, answered OK.
void raw_must(RawClient& raw, std::uint64_t request_id, const v1::Command& command) {
  REQUIRE(raw.send_command(request_id, command));
  const auto result = raw.wait_result(request_id);
  REQUIRE(result.has_value());
  INFO(sdk::describe(*result));
  REQUIRE(result->code() == v1::ERROR_CODE_OK);
}

// Waits until `watcher` sees `id` with this connection status.
v1::SessionState wait_connection(Member& watcher, const std::string& id, v1::ConnectionStatus status) {
  const auto state = watcher.client().wait_for_state(
      [&](const v1::SessionState& s) {
        const auto* m = sdk::find_member(s, id);
        return m && m->connection() == status;
      },
      kWait);
  INFO(watcher.label() << " waiting for " << id << " to be " << v1::ConnectionStatus_Name(status));
  REQUIRE(state.has_value());
  return *state;
}

int place_in_order(const v1::SessionState& s, const std::string& id) {
  for (int i = 0; i < s.go_around().order_size(); ++i)
    if (s.go_around().order(i).participant_id() == id) return i;
  return -1;
}

v1::TurnStatus turn_status(const v1::SessionState& s, const std::string& id) {
  const int i = place_in_order(s, id);
  return i < 0 ? v1::TURN_STATUS_UNSPECIFIED : s.go_around().order(i).status();
}

int place_in_roster(const v1::SessionState& s, const std::string& id) {
  for (int i = 0; i < s.roster_size(); ++i)
    if (s.roster(i).participant_id() == id) return i;
  return -1;
}

// The events `member` received about `id` leaving or reconnecting, after a
// round trip: its answer comes after every event already sent.
std::vector<v1::Event> events_about(Member& member, const std::string& id) {
  REQUIRE(member.client().send(member.harmless_command()).code() == v1::ERROR_CODE_NO_CHANGE);
  std::vector<v1::Event> found;
  for (const auto& e : member.events()) {
    if ((e.has_member_left() && e.member_left().participant_id() == id) ||
        (e.has_member_reconnecting() && e.member_reconnecting().participant_id() == id))
      found.push_back(e);
  }
  return found;
}

}  // namespace

TEST_CASE("Reconnect: a dropped member is reconnecting and gets hand, mute and place back with the same link",
          "[reconnect]") {
  TestServer server([](app::Config& c) { c.reconnect_grace = std::chrono::seconds(30); });
  const Ccdg group(server.admin());
  Member fac("facilitator"), ben("p1");
  fac.join(group.invite("fac"));
  ben.join(group.invite("p1"));
  auto cy = join_raw(server, group, "p2", fac);

  must(fac, sdk::cmd::jump_to_phase(kGoAroundPhase));
  wait_all({&fac, &ben}, must(fac, sdk::cmd::start_go_around()));
  raw_must(*cy, 1, sdk::cmd::raise_hand());
  wait_all({&fac, &ben}, must(fac, sdk::cmd::mute("p2")));
  const auto before = fac.client().state();
  REQUIRE(before.go_around().turn_holder_id() == "p1");
  const int place = place_in_order(before, "p2");
  const int row = place_in_roster(before, "p2");
  REQUIRE(place == 1);

  cy.reset();  // The socket goes without a close frame.
  for (Member* watcher : {&fac, &ben}) {
    const auto away = wait_connection(*watcher, "p2", v1::CONNECTION_STATUS_RECONNECTING);
    const auto* m = sdk::find_member(away, "p2");
    INFO(watcher->label());
    CHECK(away.version() == before.version() + 1);
    // The deadline is the drop's time, on the server's clock, plus the grace.
    CHECK(m->reconnect_deadline_ms() >= before.server_time_ms() + 30'000);
    CHECK(m->reconnect_deadline_ms() <= away.server_time_ms() + 30'000);
    CHECK(m->hand_raised());
    CHECK(m->muted());
    CHECK_FALSE(m->may_speak());
    CHECK_FALSE(m->may_chat());
    CHECK(place_in_order(away, "p2") == place);
    CHECK(turn_status(away, "p2") == v1::TURN_STATUS_WAITING);
    CHECK_FALSE(away.go_around().paused());  // p1 holds the turn, and is here.
    const auto events = events_about(*watcher, "p2");
    REQUIRE(events.size() == 1);
    CHECK(events[0].member_reconnecting().deadline_ms() == m->reconnect_deadline_ms());
  }

  // Back within the grace, with the same link, on a well-behaved client.
  Member cy_again("p2 again");
  cy_again.join(group.invite("p2"));
  const auto back = wait_connection(fac, "p2", v1::CONNECTION_STATUS_CONNECTED);
  const auto* m = sdk::find_member(back, "p2");
  CHECK(m->reconnect_deadline_ms() == 0);
  CHECK(m->hand_raised());
  CHECK(m->muted());
  CHECK(place_in_order(back, "p2") == place);
  CHECK(turn_status(back, "p2") == v1::TURN_STATUS_WAITING);
  CHECK(place_in_roster(back, "p2") == row);
  CHECK(back.hand_queue_size() == 1);
  // The returning member's own view says the same.
  const auto own_view = cy_again.client().state();
  const auto* own = sdk::find_member(own_view, "p2");
  REQUIRE(own != nullptr);
  CHECK(own->connection() == v1::CONNECTION_STATUS_CONNECTED);
  CHECK(own->hand_raised());
  CHECK(own->muted());
  // And the turn comes to them in their place.
  wait_all({&fac, &cy_again}, must(ben, sdk::cmd::finish_turn()));
  CHECK(cy_again.client().state().go_around().turn_holder_id() == "p2");
}

TEST_CASE("Reconnect: a member who stays away past the grace is removed and the go-around moves on",
          "[reconnect]") {
  TestServer server([](app::Config& c) { c.reconnect_grace = std::chrono::seconds(1); });
  const Ccdg group(server.admin());
  Member fac("facilitator"), cy("p2");
  fac.join(group.invite("fac"));
  auto ben = join_raw(server, group, "p1", fac);  // Before p2: the order follows the roster.
  cy.join(group.invite("p2"));
  must(fac, sdk::cmd::jump_to_phase(kGoAroundPhase));
  wait_all({&fac, &cy}, must(fac, sdk::cmd::start_go_around()));
  raw_must(*ben, 1, sdk::cmd::raise_hand());
  REQUIRE(fac.client().wait_for_state([](const v1::SessionState& s) { return s.hand_queue_size() == 1; }, kWait));

  ben.reset();
  const auto away = wait_connection(fac, "p1", v1::CONNECTION_STATUS_RECONNECTING);
  CHECK(away.go_around().turn_holder_id() == "p1");
  CHECK(away.go_around().paused());
  const auto deadline = sdk::find_member(away, "p1")->reconnect_deadline_ms();

  // Nobody acts: the server's own timer removes them when the grace is over.
  const auto gone = fac.client().wait_for_state(
      [](const v1::SessionState& s) { return sdk::find_member(s, "p1") == nullptr; }, kWait);
  REQUIRE(gone.has_value());
  CHECK(gone->server_time_ms() >= deadline);
  CHECK(gone->version() == away.version() + 1);
  CHECK(gone->go_around().turn_holder_id() == "p2");
  CHECK_FALSE(gone->go_around().paused());
  CHECK(place_in_order(*gone, "p1") == -1);
  CHECK(gone->hand_queue_size() == 0);
  const auto cy_view = cy.client().wait_for_version(gone->version(), kWait);
  REQUIRE(cy_view.has_value());
  CHECK(sdk::find_member(*cy_view, "p2")->may_speak());

  const auto events = events_about(fac, "p1");  // First: the round trip.
  REQUIRE(events.size() == 2);
  CHECK(events[0].has_member_reconnecting());
  CHECK(events[1].member_left().reason() == v1::LEAVE_REASON_TIMED_OUT);
  const auto all = fac.events();
  CHECK(std::any_of(all.begin(), all.end(), [](const v1::Event& e) {
    return e.has_turn_moved() && e.turn_moved().from_id() == "p1" && e.turn_moved().to_id() == "p2";
  }));

  // The same link still works, but as a newcomer: nothing was kept.
  Member ben_later("p1 later");
  ben_later.join(group.invite("p1"));
  const auto rejoined = fac.client().wait_for_state(
      [](const v1::SessionState& s) { return sdk::find_member(s, "p1") != nullptr; }, kWait);
  REQUIRE(rejoined.has_value());
  CHECK_FALSE(sdk::find_member(*rejoined, "p1")->hand_raised());
  CHECK(place_in_order(*rejoined, "p1") == -1);
}

TEST_CASE("Reconnect: the turn holder drops, the go-around pauses and the facilitator skips the turn",
          "[reconnect]") {
  TestServer server;  // The default grace, a minute: nothing times out here.
  const Ccdg group(server.admin());
  Member fac("facilitator"), cy("p2");
  fac.join(group.invite("fac"));
  auto ben = join_raw(server, group, "p1", fac);  // Before p2: the order follows the roster.
  cy.join(group.invite("p2"));
  must(fac, sdk::cmd::jump_to_phase(kGoAroundPhase));
  wait_all({&fac, &cy}, must(fac, sdk::cmd::start_go_around()));
  CHECK_FALSE(fac.client().state().go_around().paused());

  ben.reset();
  const auto away = wait_connection(cy, "p1", v1::CONNECTION_STATUS_RECONNECTING);
  CHECK(away.go_around().paused());
  CHECK(away.go_around().turn_holder_id() == "p1");
  CHECK_FALSE(sdk::find_member(away, "p1")->may_speak());
  CHECK_FALSE(sdk::find_member(away, "p2")->may_speak());  // The turn waits; nobody else is heard.
  CHECK(sdk::find_member(away, "p1")->reconnect_deadline_ms() >= away.server_time_ms() + 59'000);

  // p2 may not take the turn; the facilitator may move it on.
  CHECK(cy.client().send(sdk::cmd::finish_turn()).code() == v1::ERROR_CODE_NOT_YOUR_TURN);
  const auto skipped = must(fac, sdk::cmd::skip_turn());
  const auto after = cy.client().wait_for_version(skipped, kWait);
  REQUIRE(after.has_value());
  CHECK(after->go_around().turn_holder_id() == "p2");
  CHECK_FALSE(after->go_around().paused());
  CHECK(turn_status(*after, "p1") == v1::TURN_STATUS_SKIPPED);
  CHECK(sdk::find_member(*after, "p1")->connection() == v1::CONNECTION_STATUS_RECONNECTING);
  CHECK(sdk::find_member(*after, "p2")->may_speak());

  // Back within the grace, p1 keeps the place the skip left them.
  Member ben_again("p1 again");
  ben_again.join(group.invite("p1"));
  const auto back = wait_connection(fac, "p1", v1::CONNECTION_STATUS_CONNECTED);
  CHECK(place_in_order(back, "p1") == 0);
  CHECK(turn_status(back, "p1") == v1::TURN_STATUS_SKIPPED);
  CHECK(back.go_around().turn_holder_id() == "p2");
}

}  // namespace balint::test

namespace balint::test {

TEST_CASE("Reconnect: --reconnect-grace 0 removes a member whose connection drops at once", "[reconnect]") {
  ServerProcess server({"--reconnect-grace", "0"});
  const Ccdg group(server.admin());
  auto ben = std::make_unique<RawClient>(server.port());
  REQUIRE(ben->join(group.invite("p1").token));
  const auto joined = server.admin().get_session(group.created.session_id);
  REQUIRE(sdk::find_member(joined, "p1") != nullptr);

  ben.reset();
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  v1::SessionState state;
  do {
    std::this_thread::sleep_for(20ms);
    state = server.admin().get_session(group.created.session_id);
  } while (sdk::find_member(state, "p1") != nullptr && std::chrono::steady_clock::now() < deadline);
  CHECK(sdk::find_member(state, "p1") == nullptr);
}

}  // namespace balint::test
