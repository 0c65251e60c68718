// The go-around: building and reordering, the one turn, passing, finishing,
// skipping, completing, and in-room attendees taking their own turns.
#include "session_fixture.hpp"

using namespace core_test;
using balint::core::balint_format;

namespace {

constexpr int kCheckIn = 0, kPresentation = 1, kGoAround = 2, kOpen = 3;

using Ids = std::vector<std::string>;

int speaking_count(const v1::SessionState& st) {
  int n = 0;
  for (const v1::GoAroundEntry& e : st.go_around().order()) {
    if (e.status() == v1::TURN_STATUS_SPEAKING) ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("BuildGoAround orders the roster's people, leaving out presenter and leaders", "[go-around]") {
  Group g;
  REQUIRE_REFUSED(g, g.apply("p1", cmd::build()), v1::ERROR_CODE_PERMISSION_DENIED);
  REQUIRE_REFUSED(g, g.apply("cof", cmd::build()), v1::ERROR_CODE_PERMISSION_DENIED);
  const std::uint64_t v = g.s.version();
  Outcome o = g.apply("fac", cmd::build());
  REQUIRE(o.ok());
  CHECK(o.events.empty());  // nobody holds the turn outside a go-around phase
  CHECK(g.s.version() == v + 1);
  CHECK(g.order_ids() == Ids{"p1", "p2", "p3", "room.1", "room.2"});
  const v1::SessionState snap = g.state();
  for (const v1::GoAroundEntry& e : snap.go_around().order()) {
    CHECK(e.status() == v1::TURN_STATUS_WAITING);
  }
  CHECK(g.holder().empty());
  CHECK_FALSE(g.state().go_around().complete());
}

TEST_CASE("reconnecting people keep their place when the order is built", "[go-around][reconnect]") {
  Group g;
  REQUIRE(g.s.disconnect("p2", g.now).ok());
  REQUIRE(g.s.disconnect("room", g.now).ok());
  g.ok("fac", cmd::build());
  CHECK(g.order_ids() == Ids{"p1", "p2", "p3", "room.1", "room.2"});
}

TEST_CASE("entering the go-around phase builds the order, and the round waits for Start", "[go-around]") {
  Group g;
  g.go_to(kPresentation);
  REQUIRE_REFUSED(g, g.apply("fac", cmd::start()), v1::ERROR_CODE_PHASE_FORBIDS);
  Outcome o = g.apply("fac", cmd::next());
  REQUIRE(o.ok());
  REQUIRE(o.events.size() == 1);  // the phase changed; no turn moved
  CHECK(o.events[0].phase_changed().to_index() == kGoAround);
  CHECK(g.order_ids() == Ids{"p1", "p2", "p3", "room.1", "room.2"});
  CHECK(g.holder().empty());
  CHECK_FALSE(g.state().go_around().started());
  CHECK_FALSE(g.s.may_speak("p1"));

  // Reviewed and reordered with no turn moving, then started.
  o = g.apply("fac", cmd::order({"p2", "p1", "p3", "room.1", "room.2"}));
  REQUIRE(o.ok());
  CHECK(o.events.empty());
  CHECK(g.holder().empty());
  REQUIRE_REFUSED(g, g.apply("p1", cmd::start()), v1::ERROR_CODE_PERMISSION_DENIED);
  REQUIRE_REFUSED(g, g.apply("cof", cmd::start()), v1::ERROR_CODE_PERMISSION_DENIED);
  const std::uint64_t v = g.s.version();
  o = g.apply("fac", cmd::start());
  REQUIRE(o.ok());
  CHECK(g.s.version() == v + 1);
  REQUIRE(o.events.size() == 1);
  CHECK(o.events[0].turn_moved().from_id().empty());
  CHECK(o.events[0].turn_moved().to_id() == "p2");
  CHECK(o.events[0].state_version() == g.s.version());
  CHECK(g.state().go_around().started());
  CHECK(g.holder() == "p2");
  CHECK(g.status("p2") == v1::TURN_STATUS_SPEAKING);
  CHECK(g.status("p1") == v1::TURN_STATUS_WAITING);
  REQUIRE_REFUSED(g, g.apply("fac", cmd::start()), v1::ERROR_CODE_NO_CHANGE);
}

TEST_CASE("a round with nobody waiting cannot start", "[go-around]") {
  Group g;
  g.go_to(kGoAround);
  g.ok("fac", cmd::order({}));
  REQUIRE_REFUSED(g, g.apply("fac", cmd::start()), v1::ERROR_CODE_INVALID_ARGUMENT);
  CHECK(g.apply("fac", cmd::start()).message == "nobody in the go-around order is waiting for a turn");
  CHECK_FALSE(g.state().go_around().started());
}

TEST_CASE("the turn holder alone may speak in a turn-holder phase", "[go-around]") {
  Group g;
  g.start_round_in(kGoAround);
  CHECK(g.s.may_speak("p1"));
  CHECK(g.s.may_chat("p1"));
  for (const char* who : {"p2", "p3", "pres", "room", "room.1", "room.2"}) {
    INFO(who);
    CHECK_FALSE(g.s.may_speak(who));
    CHECK_FALSE(g.s.may_chat(who));
  }
  CHECK(g.s.may_speak("fac"));
  CHECK(g.s.may_speak("cof"));
  g.ok("p1", cmd::pass());
  CHECK(g.s.may_speak("p2"));
  CHECK_FALSE(g.s.may_speak("p1"));
}

TEST_CASE("passing and finishing move the turn along the order", "[go-around]") {
  Group g;
  g.start_round_in(kGoAround);
  const std::uint64_t v = g.s.version();
  Outcome o = g.apply("p1", cmd::pass());
  REQUIRE(o.ok());
  CHECK(g.s.version() == v + 1);
  REQUIRE(o.events.size() == 1);
  CHECK(o.events[0].turn_moved().from_id() == "p1");
  CHECK(o.events[0].turn_moved().to_id() == "p2");
  CHECK(g.status("p1") == v1::TURN_STATUS_PASSED);
  CHECK(g.status("p2") == v1::TURN_STATUS_SPEAKING);
  CHECK(g.holder() == "p2");

  REQUIRE_REFUSED(g, g.apply("p3", cmd::finish()), v1::ERROR_CODE_NOT_YOUR_TURN);
  REQUIRE_REFUSED(g, g.apply("p1", cmd::pass()), v1::ERROR_CODE_NOT_YOUR_TURN);
  REQUIRE_REFUSED(g, g.apply("fac", cmd::finish()), v1::ERROR_CODE_NOT_YOUR_TURN);
  REQUIRE_REFUSED(g, g.apply("room", cmd::finish()), v1::ERROR_CODE_NOT_YOUR_TURN);

  g.ok("p2", cmd::finish());
  CHECK(g.status("p2") == v1::TURN_STATUS_FINISHED);
  CHECK(g.holder() == "p3");
}

TEST_CASE("in-room attendees take their own turns through the room device", "[go-around][room]") {
  Group g;
  g.start_round_in(kGoAround);
  g.ok("p1", cmd::finish());
  g.ok("p2", cmd::finish());
  CHECK_FALSE(g.s.may_speak("room"));
  g.ok("p3", cmd::finish());
  CHECK(g.holder() == "room.1");
  CHECK(g.s.may_speak("room.1"));
  CHECK_FALSE(g.s.may_speak("room.2"));
  CHECK(g.s.may_speak("room"));  // the room's microphone carries room.1
  CHECK(g.member("room").may_speak());

  Outcome o = g.apply("room", cmd::pass());  // the device passes for its attendee
  REQUIRE(o.ok());
  CHECK(o.events[0].turn_moved().from_id() == "room.1");
  CHECK(o.events[0].turn_moved().to_id() == "room.2");
  CHECK(g.status("room.1") == v1::TURN_STATUS_PASSED);
  CHECK(g.s.may_speak("room"));

  REQUIRE(g.s.join("room2", "Room 2", v1::ROLE_ROOM, g.now).ok());
  REQUIRE_REFUSED(g, g.apply("room2", cmd::finish()), v1::ERROR_CODE_NOT_YOUR_TURN);
  g.ok("room", cmd::finish());
  CHECK_FALSE(g.s.may_speak("room"));
}

TEST_CASE("a facilitator skips the turn", "[go-around]") {
  Group g;
  g.start_round_in(kGoAround);
  REQUIRE_REFUSED(g, g.apply("p2", cmd::skip()), v1::ERROR_CODE_PERMISSION_DENIED);
  REQUIRE_REFUSED(g, g.apply("cof", cmd::skip()), v1::ERROR_CODE_PERMISSION_DENIED);
  Outcome o = g.apply("fac", cmd::skip());
  REQUIRE(o.ok());
  CHECK(o.events[0].turn_moved().from_id() == "p1");
  CHECK(o.events[0].turn_moved().to_id() == "p2");
  CHECK(g.status("p1") == v1::TURN_STATUS_SKIPPED);
  CHECK(g.holder() == "p2");

  REQUIRE(g.s.disconnect("fac", g.now).ok());
  g.ok("cof", cmd::skip());  // the co-facilitator, while the facilitator is away
  CHECK(g.status("p2") == v1::TURN_STATUS_SKIPPED);
  CHECK(g.holder() == "p3");
}

TEST_CASE("the go-around completes when everyone has had a turn", "[go-around]") {
  Group g;
  g.start_round_in(kGoAround);
  g.ok("p1", cmd::finish());
  g.ok("p2", cmd::pass());
  g.ok("fac", cmd::skip());
  g.ok("room", cmd::finish());
  CHECK_FALSE(g.state().go_around().complete());
  Outcome o = g.apply("room", cmd::finish());
  REQUIRE(o.ok());
  CHECK(o.events[0].turn_moved().from_id() == "room.2");
  CHECK(o.events[0].turn_moved().to_id().empty());
  CHECK(g.state().go_around().complete());
  CHECK(g.holder().empty());
  CHECK(speaking_count(g.state()) == 0);
  for (const char* who : {"p1", "p2", "p3", "room", "room.1", "room.2", "pres"}) {
    CHECK_FALSE(g.s.may_speak(who));
  }
  REQUIRE_REFUSED(g, g.apply("room", cmd::finish()), v1::ERROR_CODE_NOT_YOUR_TURN);
  REQUIRE_REFUSED(g, g.apply("fac", cmd::skip()), v1::ERROR_CODE_INVALID_ARGUMENT);
  CHECK(g.apply("fac", cmd::skip()).message == "nobody holds the turn");
}

TEST_CASE("turns belong to turn-holder phases", "[go-around]") {
  Group g;
  g.ok("fac", cmd::build());
  REQUIRE_REFUSED(g, g.apply("p1", cmd::pass()), v1::ERROR_CODE_PHASE_FORBIDS);  // lobby
  g.go_to(kCheckIn);
  REQUIRE_REFUSED(g, g.apply("p1", cmd::pass()), v1::ERROR_CODE_PHASE_FORBIDS);
  REQUIRE_REFUSED(g, g.apply("p1", cmd::finish()), v1::ERROR_CODE_PHASE_FORBIDS);
  REQUIRE_REFUSED(g, g.apply("fac", cmd::skip()), v1::ERROR_CODE_PHASE_FORBIDS);
}

TEST_CASE("leaving the go-around phase keeps the turn for coming back", "[go-around]") {
  Group g;
  g.start_round_in(kGoAround);
  g.ok("p1", cmd::finish());
  Outcome o = g.apply("fac", cmd::next());  // open discussion
  REQUIRE(o.ok());
  CHECK(o.events.size() == 1);  // no turn event
  CHECK(g.holder() == "p2");
  CHECK(g.status("p2") == v1::TURN_STATUS_SPEAKING);
  CHECK(g.s.may_speak("p3"));  // everyone may speak now
  REQUIRE_REFUSED(g, g.apply("p2", cmd::pass()), v1::ERROR_CODE_PHASE_FORBIDS);

  o = g.apply("fac", cmd::previous());  // back to the go-around
  REQUIRE(o.ok());
  CHECK(o.events.size() == 1);  // the turn did not move
  CHECK(g.holder() == "p2");
  CHECK(g.status("p1") == v1::TURN_STATUS_FINISHED);
  CHECK(g.s.may_speak("p2"));
  CHECK_FALSE(g.s.may_speak("p3"));
}

TEST_CASE("an order set before the go-around phase is used as it is", "[go-around]") {
  Group g;
  g.go_to(kPresentation);
  g.ok("fac", cmd::order({"p3", "room.2", "p1"}));
  g.ok("fac", cmd::next());
  CHECK(g.order_ids() == Ids{"p3", "room.2", "p1"});
  CHECK(g.holder().empty());
  g.ok("fac", cmd::start());
  CHECK(g.holder() == "p3");
}

TEST_CASE("SetGoAroundOrder reorders, adds and drops people", "[go-around]") {
  Group g;
  g.start_round_in(kGoAround);
  g.ok("p1", cmd::pass());  // p2 holds the turn

  SECTION("refusals") {
    REQUIRE_REFUSED(g, g.apply("p1", cmd::order({"p2"})), v1::ERROR_CODE_PERMISSION_DENIED);
    REQUIRE_REFUSED(g, g.apply("fac", cmd::order({"p2", "room"})), v1::ERROR_CODE_INVALID_ARGUMENT);
    REQUIRE_REFUSED(g, g.apply("fac", cmd::order({"p2", "ghost"})), v1::ERROR_CODE_UNKNOWN_PARTICIPANT);
    REQUIRE_REFUSED(g, g.apply("fac", cmd::order({"p2", "p3", "p2"})), v1::ERROR_CODE_INVALID_ARGUMENT);
    REQUIRE_REFUSED(g, g.apply("fac", cmd::order({"p2", ""})), v1::ERROR_CODE_INVALID_ARGUMENT);
    REQUIRE_REFUSED(g, g.apply("fac", cmd::order({"p1", "p2", "p3", "room.1", "room.2"})), v1::ERROR_CODE_NO_CHANGE);
  }
  SECTION("people keep their progress; newcomers wait; the presenter and leaders may be added") {
    Outcome o = g.apply("fac", cmd::order({"room.2", "p2", "pres", "p1", "fac"}));
    REQUIRE(o.ok());
    CHECK(o.events.empty());  // the holder stayed
    CHECK(g.order_ids() == Ids{"room.2", "p2", "pres", "p1", "fac"});
    CHECK(g.status("room.2") == v1::TURN_STATUS_WAITING);
    CHECK(g.status("p2") == v1::TURN_STATUS_SPEAKING);
    CHECK(g.status("pres") == v1::TURN_STATUS_WAITING);
    CHECK(g.status("p1") == v1::TURN_STATUS_PASSED);
    CHECK(g.status("fac") == v1::TURN_STATUS_WAITING);
    CHECK(g.holder() == "p2");

    // The turn goes to the first waiting entry from the start of the order.
    g.ok("p2", cmd::finish());
    CHECK(g.holder() == "room.2");
    g.ok("room", cmd::finish());
    CHECK(g.holder() == "pres");
    CHECK(g.s.may_speak("pres"));
    g.ok("pres", cmd::finish());
    CHECK(g.holder() == "fac");
    g.ok("fac", cmd::pass());  // a facilitator in the order takes a turn too
    CHECK(g.state().go_around().complete());
  }
  SECTION("dropping the turn holder moves the turn on") {
    Outcome o = g.apply("fac", cmd::order({"p1", "p3", "room.1"}));
    REQUIRE(o.ok());
    REQUIRE(o.events.size() == 1);
    CHECK(o.events[0].turn_moved().from_id() == "p2");
    CHECK(o.events[0].turn_moved().to_id() == "p3");
    CHECK(g.holder() == "p3");
    CHECK(speaking_count(g.state()) == 1);
  }
  SECTION("an empty order stops the go-around") {
    Outcome o = g.apply("fac", cmd::order({}));
    REQUIRE(o.ok());
    CHECK(o.events[0].turn_moved().to_id().empty());
    CHECK(g.holder().empty());
    CHECK_FALSE(g.state().go_around().complete());  // an empty order is not complete
  }
  SECTION("someone added after the round is complete gets the turn") {
    g.ok("p2", cmd::finish());
    g.ok("p3", cmd::finish());
    g.ok("room", cmd::finish());
    g.ok("room", cmd::finish());
    CHECK(g.state().go_around().complete());
    REQUIRE(g.s.join("p4", "Dan", v1::ROLE_PARTICIPANT, g.now).ok());
    Outcome o = g.apply("fac", cmd::order({"p1", "p2", "p3", "room.1", "room.2", "p4"}));
    REQUIRE(o.ok());
    REQUIRE(o.events.size() == 1);
    CHECK(o.events[0].turn_moved().from_id().empty());
    CHECK(o.events[0].turn_moved().to_id() == "p4");
    CHECK_FALSE(g.state().go_around().complete());
  }
}

TEST_CASE("rebuilding during the go-around stops the round until it is started again", "[go-around]") {
  Group g;
  g.start_round_in(kGoAround);
  g.ok("p1", cmd::finish());
  g.ok("p2", cmd::finish());
  Outcome o = g.apply("fac", cmd::build());
  REQUIRE(o.ok());
  REQUIRE(o.events.size() == 1);
  CHECK(o.events[0].turn_moved().from_id() == "p3");
  CHECK(o.events[0].turn_moved().to_id().empty());
  CHECK(g.holder().empty());
  CHECK_FALSE(g.state().go_around().started());
  CHECK(g.status("p1") == v1::TURN_STATUS_WAITING);
  CHECK(speaking_count(g.state()) == 0);
  g.ok("fac", cmd::start());
  CHECK(g.holder() == "p1");

  // Members who joined meanwhile are in the new order; the presenter is not.
  REQUIRE(g.s.join("p4", "Dan", v1::ROLE_PARTICIPANT, g.now).ok());
  g.ok("fac", cmd::presenter("p1"));
  g.ok("fac", cmd::build());
  CHECK(g.order_ids() == Ids{"pres", "p2", "p3", "room.1", "room.2", "p4"});
  CHECK(g.holder().empty());
  g.ok("fac", cmd::start());
  CHECK(g.holder() == "pres");
}

TEST_CASE("the new presenter keeps their place in the order", "[go-around]") {
  Group g;
  g.start_round_in(kGoAround);
  g.ok("fac", cmd::presenter("p2"));
  CHECK(g.order_ids() == Ids{"p1", "p2", "p3", "room.1", "room.2"});
}

TEST_CASE("members who leave are dropped from the order, a drop pauses the turn", "[go-around][reconnect]") {
  Group g;
  g.start_round_in(kGoAround);
  CHECK_FALSE(g.state().go_around().paused());
  SECTION("the holder drops and comes back") {
    REQUIRE(g.s.disconnect("p1", g.now).ok());
    CHECK(g.holder() == "p1");
    CHECK(g.status("p1") == v1::TURN_STATUS_SPEAKING);
    CHECK(g.state().go_around().paused());
    CHECK_FALSE(g.s.may_speak("p1"));
    CHECK_FALSE(g.member("p1").may_speak());
    CHECK_FALSE(g.s.may_speak("p2"));
    REQUIRE(g.s.join("p1", "Ann", v1::ROLE_PARTICIPANT, g.now).ok());
    CHECK_FALSE(g.state().go_around().paused());
    CHECK(g.holder() == "p1");
    CHECK(g.s.may_speak("p1"));
    g.ok("p1", cmd::finish());
    CHECK(g.holder() == "p2");
  }
  SECTION("the holder drops and a facilitator skips them") {
    REQUIRE(g.s.disconnect("p1", g.now).ok());
    REQUIRE_REFUSED(g, g.apply("room", cmd::finish()), v1::ERROR_CODE_NOT_YOUR_TURN);
    Outcome o = g.apply("fac", cmd::skip());
    REQUIRE(o.ok());
    REQUIRE(o.events.size() == 1);
    CHECK(o.events[0].turn_moved().from_id() == "p1");
    CHECK(o.events[0].turn_moved().to_id() == "p2");
    CHECK(g.status("p1") == v1::TURN_STATUS_SKIPPED);
    CHECK_FALSE(g.state().go_around().paused());
    CHECK(g.s.may_speak("p2"));
    // The skipped member keeps their place and comes back to it.
    REQUIRE(g.s.join("p1", "Ann", v1::ROLE_PARTICIPANT, g.now).ok());
    CHECK(g.order_ids() == Ids{"p1", "p2", "p3", "room.1", "room.2"});
    CHECK(g.status("p1") == v1::TURN_STATUS_SKIPPED);
  }
  SECTION("someone else drops: the turn goes on") {
    REQUIRE(g.s.disconnect("p2", g.now).ok());
    CHECK_FALSE(g.state().go_around().paused());
    CHECK(g.s.may_speak("p1"));
  }
  SECTION("the turn reaches someone who is reconnecting: it waits for them") {
    REQUIRE(g.s.disconnect("p2", g.now).ok());
    g.ok("p1", cmd::finish());
    CHECK(g.holder() == "p2");
    CHECK(g.state().go_around().paused());
  }
  SECTION("a room device drops while its attendee holds the turn") {
    g.ok("fac", cmd::order({"room.1", "p1"}));
    REQUIRE(g.s.disconnect("room", g.now).ok());
    g.ok("fac", cmd::skip());  // p1's turn was kept; skip it
    CHECK(g.holder() == "room.1");
    CHECK(g.state().go_around().paused());
    CHECK_FALSE(g.s.may_speak("room.1"));
    REQUIRE(g.s.tick(g.now + kGrace).ok());  // the device times out
    CHECK(g.order_ids() == Ids{"p1"});
    CHECK(g.holder().empty());
    CHECK_FALSE(g.state().go_around().paused());
  }
  SECTION("leave") {
    Outcome o = g.apply("p1", cmd::leave());
    REQUIRE(o.ok());
    REQUIRE(o.events.size() == 2);
    CHECK(o.events[1].turn_moved().from_id() == "p1");
    CHECK(o.events[1].turn_moved().to_id() == "p2");
    CHECK(g.order_ids() == Ids{"p2", "p3", "room.1", "room.2"});
  }
  SECTION("removing the room device drops its attendees at once") {
    g.ok("fac", cmd::order({"room.1", "room.2", "p1"}));
    g.ok("fac", cmd::skip());  // p1's turn was kept; skip it
    CHECK(g.holder() == "room.1");
    Outcome o = g.apply("fac", cmd::remove("room"));
    REQUIRE(o.ok());
    REQUIRE(o.events.size() == 4);
    CHECK(o.events[3].turn_moved().from_id() == "room.1");
    CHECK(o.events[3].turn_moved().to_id().empty());  // p1 was skipped: nobody waits
    CHECK(g.order_ids() == Ids{"p1"});
    CHECK(g.state().go_around().complete());
  }
}

TEST_CASE("the presenter is silent in the Balint observation whatever the turn", "[go-around]") {
  // A go-around built in one format and reordered does not give the presenter
  // a voice in an all-but-presenter phase.
  Group g(balint_format());
  g.ok("fac", cmd::order({"pres", "p1"}));
  g.go_to(2);  // observation
  CHECK_FALSE(g.s.may_speak("pres"));
  CHECK(g.s.may_speak("p1"));
  CHECK(g.holder().empty());  // no turns outside a turn-holder phase
}

TEST_CASE("at most one entry speaks through a whole round", "[go-around]") {
  Group g;
  g.start_round_in(kGoAround);
  while (!g.holder().empty()) {
    CHECK(speaking_count(g.state()) == 1);
    const std::string holder = g.holder();
    const std::string actor = g.member(holder).room_device_id().empty() ? holder : g.member(holder).room_device_id();
    g.ok(actor, cmd::finish());
  }
  CHECK(speaking_count(g.state()) == 0);
  CHECK(g.state().go_around().complete());
  g.go_to(kOpen);
  CHECK(g.holder().empty());
}
