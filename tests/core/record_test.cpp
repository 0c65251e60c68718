// What a session keeps across a restart: Session::record() and
// Session::restore().
#include "../lasting_state.hpp"
#include "session_fixture.hpp"

namespace core_test {
namespace {

namespace record = balint::record::v1;
using balint::test::lasting_fields;

v1::Command announce(int n) {
  v1::Command c;
  auto* keys = c.mutable_announce_keys()->mutable_keys();
  keys->set_identity_key(std::string(32, static_cast<char>('a' + n)));
  keys->set_exchange_key(std::string(32, static_cast<char>('A' + n)));
  keys->set_signature(std::string(64, 's'));
  return c;
}

Session restored(const record::SessionRecord& r, TimeMs now) {
  std::string error;
  auto s = Session::restore(r, now, error);
  INFO(error);
  REQUIRE(s.has_value());
  return std::move(*s);
}


// A CCDG go-around under way: p1 finished, p2 holds the turn, hands up,
// p3 muted, an in-room attendee added, keys announced, pres reconnecting.
Group mid_go_around() {
  Group g;
  g.go_to(2);
  g.ok("fac", cmd::build());
  g.ok("fac", cmd::start());
  g.ok("p1", cmd::finish());
  g.ok("p3", cmd::raise());
  g.ok("room", cmd::raise("room.1"));
  g.ok("fac", cmd::mute("p3"));
  g.ok("fac", cmd::extend(120));
  g.ok("fac", announce(0));
  g.ok("p2", announce(1));
  g.now += 5'000;
  REQUIRE(g.s.disconnect("pres", g.now).ok());
  return g;
}

TEST_CASE("A record holds the whole state but no keys", "[record]") {
  Group g = mid_go_around();
  const record::SessionRecord r = g.s.record();
  CHECK(r.state().version() == g.s.version());
  CHECK(r.reconnect_grace_ms() == kGrace);
  CHECK(r.attendee_counter() == 2);
  CHECK(r.state().phase_index() == 2);
  CHECK(r.state().go_around().turn_holder_id() == "p2");
  CHECK(r.state().hand_queue_size() == 2);
  CHECK(r.state().roster_size() == 9);
  for (const v1::Member& m : r.state().roster()) {
    INFO(m.participant_id());
    CHECK_FALSE(m.has_keys());
  }
  // The engine still holds its keys: a record takes nothing away.
  CHECK(g.member("fac").has_keys());
}

TEST_CASE("A record from before rounds were started by hand comes back with its round started", "[record]") {
  Group g = mid_go_around();
  record::SessionRecord old = g.s.record();
  old.mutable_state()->mutable_go_around()->clear_started();  // As such a record was written.
  Session s = restored(old, g.now + 1'000);
  CHECK(s.snapshot(g.now + 1'000).go_around().started());

  // One with an order nobody has spoken in yet waits for its start, as a new one does.
  Group fresh;
  fresh.go_to(2);
  Session waiting = restored(fresh.s.record(), fresh.now + 1'000);
  CHECK_FALSE(waiting.snapshot(fresh.now + 1'000).go_around().started());
  CHECK(waiting.snapshot(fresh.now + 1'000).go_around().turn_holder_id().empty());
}

TEST_CASE("A restored session is the same session, everyone reconnecting with a fresh deadline", "[record]") {
  Group g = mid_go_around();
  const v1::SessionState before = g.state();
  const TimeMs restart = g.now + 30'000;

  Session s = restored(g.s.record(), restart);
  const v1::SessionState after = s.snapshot(restart);

  CHECK(lasting_fields(after) == lasting_fields(before));
  CHECK(after.version() == before.version() + 1);
  CHECK(after.go_around().turn_holder_id() == "p2");
  CHECK(after.go_around().paused());  // Its holder is away until they resume.
  CHECK(after.controller_id().empty());
  for (const v1::Member& m : after.roster()) {
    INFO(m.participant_id());
    CHECK(m.connection() == v1::CONNECTION_STATUS_RECONNECTING);
    CHECK(m.reconnect_deadline_ms() == restart + kGrace);
    CHECK_FALSE(m.has_keys());
  }
  CHECK(s.next_deadline() == restart + kGrace);

  // Members come back and carry on where they were.
  REQUIRE(s.join("fac", "Fay", v1::ROLE_FACILITATOR, restart).ok());
  REQUIRE(s.join("p2", "Ben", v1::ROLE_PARTICIPANT, restart).ok());
  CHECK(s.snapshot(restart).controller_id() == "fac");
  REQUIRE(s.apply("p2", cmd::finish(), restart).ok());
  CHECK(s.snapshot(restart).go_around().turn_holder_id() == "p3");
  // The attendee counter goes on: no id is handed out twice.
  REQUIRE(s.join("room", "Room 4B", v1::ROLE_ROOM, restart).ok());
  REQUIRE(s.apply("room", cmd::add_attendee("Fox"), restart).ok());
  CHECK(s.member("room.3") != nullptr);
}

TEST_CASE("After a restart, whoever does not come back is removed at the deadline", "[record]") {
  Group g = mid_go_around();
  const TimeMs restart = g.now + 1'000;
  Session s = restored(g.s.record(), restart);
  REQUIRE(s.join("fac", "Fay", v1::ROLE_FACILITATOR, restart).ok());
  REQUIRE(s.tick(restart + kGrace - 1).events.empty());
  const Outcome o = s.tick(restart + kGrace);
  CHECK_FALSE(o.events.empty());
  const v1::SessionState after = s.snapshot(restart + kGrace);
  REQUIRE(after.roster_size() == 1);
  CHECK(after.roster(0).participant_id() == "fac");
}

TEST_CASE("A restart gives at least a minute, even with a reconnect grace of 0", "[record]") {
  Group g(balint::core::ccdg_format(), false, 0);
  Session s = restored(g.s.record(), kStart + 10);
  const v1::SessionState after = s.snapshot(kStart + 10);
  REQUIRE(after.roster_size() == 6);
  for (const v1::Member& m : after.roster())
    CHECK(m.reconnect_deadline_ms() == kStart + 10 + Session::kRestartGraceMs);
}

TEST_CASE("An ended session is restored as it ended", "[record]") {
  Group g;
  g.go_to(1);
  g.ok("fac", cmd::end());
  const v1::SessionState before = g.state();
  Session s = restored(g.s.record(), g.now + 1'000);
  const v1::SessionState after = s.snapshot(g.now + 1'000);
  CHECK(after.ended());
  CHECK(lasting_fields(after) == lasting_fields(before));
  for (const v1::Member& m : after.roster()) CHECK(m.connection() == v1::CONNECTION_STATUS_DISCONNECTED);
  CHECK_FALSE(s.next_deadline().has_value());
  CHECK(s.check_join("p1", "Ann", v1::ROLE_PARTICIPANT).code == v1::ERROR_CODE_SESSION_ENDED);
}

TEST_CASE("A record that does not hold together is refused with the reason", "[record]") {
  Group g;
  const auto refused = [&](const std::function<void(record::SessionRecord&)>& damage, const std::string& expected) {
    record::SessionRecord r = g.s.record();
    damage(r);
    std::string error;
    CHECK_FALSE(Session::restore(r, kStart, error).has_value());
    CHECK(error.find(expected) != std::string::npos);
  };
  refused([](record::SessionRecord& r) { r.mutable_state()->clear_session_id(); }, "session id");
  refused([](record::SessionRecord& r) { r.mutable_state()->mutable_format()->clear_phases(); }, "format");
  refused([](record::SessionRecord& r) { r.mutable_state()->set_phase_index(99); }, "phase index");
  refused([](record::SessionRecord& r) { r.set_reconnect_grace_ms(-1); }, "grace");
}

}  // namespace
}  // namespace core_test
