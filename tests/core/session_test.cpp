// The session engine, rule by rule (the go-around has its own file).
#include "session_fixture.hpp"

#include <algorithm>

using namespace core_test;
using balint::core::balint_format;
using balint::core::ccdg_format;

namespace {

constexpr int kCheckIn = 0, kPresentation = 1, kGoAround = 2, kOpen = 3, kWrapUp = 4;
constexpr int kBPresentation = 0, kBQuestions = 1, kBObservation = 2, kBReEntry = 3, kBClose = 4;

bool has_warning(const v1::SessionState& st, v1::WarningKind kind) {
  return std::any_of(st.warnings().begin(), st.warnings().end(),
                     [&](const v1::Warning& w) { return w.kind() == kind; });
}

}  // namespace

// --- Creation --------------------------------------------------------------

TEST_CASE("create validates the config", "[session][create]") {
  SessionConfig good;
  good.session_id = "s1";
  good.format = ccdg_format();
  std::string error;

  SECTION("a good config makes a session that has not started") {
    std::optional<Session> s = Session::create(good, error);
    REQUIRE(s.has_value());
    CHECK(error.empty());
    const v1::SessionState st = s->snapshot(kStart);
    CHECK(st.version() == 1);
    CHECK(s->version() == 1);
    CHECK(st.phase_index() == -1);
    CHECK(st.server_time_ms() == kStart);
    CHECK(st.session_id() == "s1");
    CHECK(s->id() == "s1");
    CHECK(st.format().id() == "ccdg");
    CHECK(st.format().phases_size() == 5);
    CHECK(st.presenter_id().empty());
    CHECK(st.max_members() == 12);
    CHECK(st.roster_size() == 0);
    CHECK_FALSE(s->ended());
    CHECK_FALSE(s->next_deadline().has_value());
  }
  SECTION("missing session id") {
    good.session_id.clear();
    CHECK_FALSE(Session::create(good, error).has_value());
    CHECK(error == "session id is missing");
  }
  SECTION("invalid format") {
    good.format.mutable_phases(2)->set_rule(v1::SPEAKING_RULE_UNSPECIFIED);
    CHECK_FALSE(Session::create(good, error).has_value());
    CHECK(error.find("phase 3 (\"go-around\"): rule is missing") != std::string::npos);
  }
  SECTION("max_members 0") {
    good.max_members = 0;
    CHECK_FALSE(Session::create(good, error).has_value());
    CHECK(error.find("max_members") != std::string::npos);
  }
  SECTION("max_members 101") {
    good.max_members = 101;
    CHECK_FALSE(Session::create(good, error).has_value());
    CHECK(error.find("max_members") != std::string::npos);
  }
  SECTION("a negative reconnect grace") {
    CHECK(good.reconnect_grace_ms == 60'000);  // The default.
    good.reconnect_grace_ms = -1;
    CHECK_FALSE(Session::create(good, error).has_value());
    CHECK(error.find("reconnect_grace_ms") != std::string::npos);
  }
  SECTION("max_members 100 and a presenter who has not joined are fine") {
    good.max_members = 100;
    good.presenter_id = "later";
    good.ground_rules = "Confidential.";
    std::optional<Session> s = Session::create(good, error);
    REQUIRE(s.has_value());
    const v1::SessionState st = s->snapshot(kStart);
    CHECK(st.presenter_id() == "later");
    CHECK(st.max_members() == 100);
    CHECK(st.ground_rules() == "Confidential.");
  }
}

// --- Roster ----------------------------------------------------------------

TEST_CASE("joining adds members in order, connected and remote", "[session][roster]") {
  Session s = make_session(ccdg_format());
  Outcome o = s.join("fac", "Fay", v1::ROLE_FACILITATOR, kStart);
  REQUIRE(o.ok());
  CHECK(s.version() == 2);
  REQUIRE(o.events.size() == 1);
  CHECK(o.events[0].member_joined().participant_id() == "fac");
  CHECK(o.events[0].state_version() == 2);
  REQUIRE(s.join("p1", "Ann", v1::ROLE_PARTICIPANT, kStart).ok());
  REQUIRE(s.join("room", "Room", v1::ROLE_ROOM, kStart).ok());
  CHECK(s.version() == 4);

  const v1::SessionState st = s.snapshot(kStart);
  REQUIRE(st.roster_size() == 3);
  CHECK(st.roster(0).participant_id() == "fac");
  CHECK(st.roster(0).role() == v1::ROLE_FACILITATOR);
  CHECK(st.roster(1).participant_id() == "p1");
  CHECK(st.roster(1).display_name() == "Ann");
  CHECK(st.roster(1).location() == v1::LOCATION_REMOTE);
  CHECK(st.roster(1).connection() == v1::CONNECTION_STATUS_CONNECTED);
  CHECK(st.roster(2).role() == v1::ROLE_ROOM);
  CHECK(s.member("p1") != nullptr);
  CHECK(s.member("p2") == nullptr);
}

TEST_CASE("joining is refused for bad ids, names and roles", "[session][roster]") {
  Session s = make_session(ccdg_format());
  for (v1::Role role : {v1::ROLE_UNSPECIFIED, static_cast<v1::Role>(9)}) {
    Outcome o = s.join("p1", "Ann", role, kStart);
    CHECK(o.code == v1::ERROR_CODE_INVALID_ARGUMENT);
    CHECK(o.message.find("role") != std::string::npos);
  }
  Outcome no_id = s.join("", "Ann", v1::ROLE_PARTICIPANT, kStart);
  CHECK(no_id.code == v1::ERROR_CODE_INVALID_ARGUMENT);
  Outcome no_name = s.join("p1", "", v1::ROLE_PARTICIPANT, kStart);
  CHECK(no_name.code == v1::ERROR_CODE_INVALID_ARGUMENT);
  CHECK(no_name.message.find("display name") != std::string::npos);
  CHECK(s.version() == 1);
  CHECK(s.snapshot(kStart).roster_size() == 0);
}

TEST_CASE("a drop keeps the member as reconnecting, a re-join within the grace keeps everything",
          "[session][roster][reconnect]") {
  Group g;
  g.start_round_in(kGoAround);  // p1 holds the turn
  g.ok("p2", cmd::raise());
  g.ok("fac", cmd::mute("p2"));
  const std::uint64_t v = g.s.version();
  CHECK(g.member("p2").reconnect_deadline_ms() == 0);

  g.now += 1000;
  Outcome o = g.s.disconnect("p2", g.now);
  REQUIRE(o.ok());
  CHECK(g.s.version() == v + 1);
  REQUIRE(o.events.size() == 1);
  CHECK(o.events[0].member_reconnecting().participant_id() == "p2");
  CHECK(o.events[0].member_reconnecting().deadline_ms() == g.now + kGrace);
  CHECK(o.events[0].state_version() == v + 1);
  v1::Member m = g.member("p2");
  CHECK(m.connection() == v1::CONNECTION_STATUS_RECONNECTING);
  CHECK(m.reconnect_deadline_ms() == g.now + kGrace);
  CHECK(m.hand_raised());
  CHECK(m.muted());
  CHECK(g.hands() == std::vector<std::string>{"p2"});
  CHECK(g.status("p2") == v1::TURN_STATUS_WAITING);
  CHECK(g.state().roster(4).participant_id() == "p2");
  CHECK_FALSE(g.s.may_speak("p2"));
  CHECK_FALSE(g.s.may_chat("p2"));
  CHECK(*g.s.next_deadline() == g.now + kGrace);  // before the phase's warning

  REQUIRE_REFUSED(g, g.s.disconnect("p2", g.now), v1::ERROR_CODE_NO_CHANGE);
  REQUIRE_REFUSED(g, g.s.disconnect("nobody", g.now), v1::ERROR_CODE_UNKNOWN_PARTICIPANT);
  REQUIRE_REFUSED(g, g.apply("p2", cmd::lower()), v1::ERROR_CODE_PERMISSION_DENIED);

  g.now += kGrace - 1;  // the last millisecond of the grace
  o = g.s.join("p2", "Benjamin", v1::ROLE_FACILITATOR, g.now);
  REQUIRE(o.ok());
  CHECK(g.s.version() == v + 2);
  REQUIRE(o.events.size() == 1);
  CHECK(o.events[0].member_joined().participant_id() == "p2");
  m = g.member("p2");
  CHECK(m.connection() == v1::CONNECTION_STATUS_CONNECTED);
  CHECK(m.reconnect_deadline_ms() == 0);
  CHECK(m.display_name() == "Benjamin");
  CHECK(m.role() == v1::ROLE_PARTICIPANT);  // the role stays as it was
  CHECK(m.hand_raised());
  CHECK(m.muted());
  CHECK(g.status("p2") == v1::TURN_STATUS_WAITING);
  CHECK(g.state().roster(4).participant_id() == "p2");  // same place in the roster
  CHECK(*g.s.next_deadline() == kStart + 900'000 - 60'000);  // only the phase's warning again
  CHECK(g.s.tick(g.now + kGrace).events.empty());
  CHECK(g.s.member("p2") != nullptr);
}

TEST_CASE("a member who stays away past the grace is removed by the tick", "[session][roster][reconnect]") {
  Group g;
  g.start_round_in(kGoAround);  // p1 holds the turn
  g.ok("p2", cmd::raise());
  g.ok("p1", cmd::raise());
  g.ok("fac", cmd::floor("p3"));
  g.ok("fac", cmd::mute("p1"));
  REQUIRE(g.s.disconnect("p1", g.now).ok());
  const TimeMs deadline = g.now + kGrace;
  REQUIRE(g.s.next_deadline() == deadline);

  // Before the deadline a tick changes nothing, not even the version.
  const std::string before = g.s.snapshot(deadline - 1).SerializeAsString();
  const std::uint64_t v = g.s.version();
  const Outcome early = g.s.tick(deadline - 1);
  CHECK(early.ok());
  CHECK(early.events.empty());
  CHECK(g.s.version() == v);
  CHECK(g.s.snapshot(deadline - 1).SerializeAsString() == before);

  const Outcome due = g.s.tick(deadline);
  REQUIRE(due.ok());
  CHECK(g.s.version() == v + 1);
  REQUIRE(due.events.size() == 2);
  CHECK(due.events[0].member_left().participant_id() == "p1");
  CHECK(due.events[0].member_left().reason() == v1::LEAVE_REASON_TIMED_OUT);
  CHECK(due.events[1].turn_moved().from_id() == "p1");
  CHECK(due.events[1].turn_moved().to_id() == "p2");
  for (const v1::Event& e : due.events) CHECK(e.state_version() == v + 1);
  CHECK(g.s.member("p1") == nullptr);
  CHECK(g.hands() == std::vector<std::string>{"p2"});
  CHECK(g.status("p1") == v1::TURN_STATUS_UNSPECIFIED);
  CHECK(g.holder() == "p2");
  CHECK_FALSE(g.state().go_around().paused());
  CHECK(g.state().floor_holder_id() == "p3");  // somebody else's floor stays
  CHECK(*g.s.next_deadline() == kStart + 900'000 - 60'000);
  CHECK(g.s.tick(deadline).events.empty());

  // Coming back later is joining afresh: nothing is kept.
  g.now = deadline + 1;
  REQUIRE(g.s.join("p1", "Ann", v1::ROLE_PARTICIPANT, g.now).ok());
  const v1::Member m = g.member("p1");
  CHECK_FALSE(m.muted());
  CHECK_FALSE(m.hand_raised());
  CHECK(g.state().roster(g.state().roster_size() - 1).participant_id() == "p1");
  CHECK(g.status("p1") == v1::TURN_STATUS_UNSPECIFIED);
}

TEST_CASE("a facilitator may remove a reconnecting member at once", "[session][roster][reconnect]") {
  Group g;
  REQUIRE(g.s.disconnect("p2", g.now).ok());
  const Outcome o = g.apply("fac", cmd::remove("p2"));
  REQUIRE(o.ok());
  REQUIRE(o.events.size() == 1);
  CHECK(o.events[0].member_left().reason() == v1::LEAVE_REASON_REMOVED);
  CHECK(g.s.member("p2") == nullptr);
  CHECK_FALSE(g.s.next_deadline().has_value());
}

TEST_CASE("with a grace of 0 a drop removes the member at once", "[session][roster][reconnect]") {
  Group g(ccdg_format(), true, 0);
  g.start_round_in(kGoAround);  // p1 holds the turn
  g.ok("p1", cmd::raise());
  const std::uint64_t v = g.s.version();
  Outcome o = g.s.disconnect("p1", g.now);
  REQUIRE(o.ok());
  CHECK(g.s.version() == v + 1);
  REQUIRE(o.events.size() == 2);
  CHECK(o.events[0].member_left().participant_id() == "p1");
  CHECK(o.events[0].member_left().reason() == v1::LEAVE_REASON_DISCONNECTED);
  CHECK(o.events[1].turn_moved().to_id() == "p2");
  CHECK(g.s.member("p1") == nullptr);
  CHECK(g.hands().empty());
  CHECK(g.holder() == "p2");

  o = g.s.disconnect("room", g.now);
  REQUIRE(o.ok());
  CHECK(o.events.size() == 3);  // the device and both attendees
  CHECK(g.s.member("room.1") == nullptr);
  CHECK(g.order_ids() == std::vector<std::string>{"p2", "p3"});
}

TEST_CASE("ending the session stops waiting for dropped members", "[session][roster][reconnect]") {
  Group g;
  REQUIRE(g.s.disconnect("p2", g.now).ok());
  REQUIRE(g.s.disconnect("room", g.now).ok());
  g.ok("fac", cmd::end());
  for (const char* id : {"p2", "room", "room.1"}) {
    const v1::Member m = g.member(id);
    INFO(id);
    CHECK(m.connection() == v1::CONNECTION_STATUS_DISCONNECTED);
    CHECK(m.reconnect_deadline_ms() == 0);
  }
  CHECK(g.member("p1").connection() == v1::CONNECTION_STATUS_CONNECTED);
  CHECK_FALSE(g.s.next_deadline().has_value());
  const std::uint64_t v = g.s.version();
  CHECK(g.s.tick(g.now + kGrace).events.empty());
  CHECK(g.s.version() == v);
  CHECK(g.s.member("p2") != nullptr);
}

TEST_CASE("in-room attendees follow their room device's connection", "[session][roster][room][reconnect]") {
  Group g;
  CHECK(g.member("room.1").connection() == v1::CONNECTION_STATUS_CONNECTED);
  g.ok("room", cmd::raise("room.2"));
  const Outcome o = g.s.disconnect("room", g.now);
  REQUIRE(o.ok());
  REQUIRE(o.events.size() == 1);  // the device's; its attendees follow it
  CHECK(o.events[0].member_reconnecting().participant_id() == "room");
  for (const char* id : {"room", "room.1", "room.2"}) {
    INFO(id);
    CHECK(g.member(id).connection() == v1::CONNECTION_STATUS_RECONNECTING);
    CHECK(g.member(id).reconnect_deadline_ms() == g.now + kGrace);
  }
  CHECK_FALSE(g.s.may_speak("room.1"));
  CHECK_FALSE(g.s.may_chat("room.1"));
  g.now += 30'000;
  REQUIRE(g.s.join("room", "Room 4B", v1::ROLE_ROOM, g.now).ok());
  CHECK(g.member("room.2").connection() == v1::CONNECTION_STATUS_CONNECTED);
  CHECK(g.member("room.2").reconnect_deadline_ms() == 0);
  CHECK(g.member("room.2").hand_raised());
  CHECK(g.s.may_speak("room.2"));

  // An attendee has no connection of their own.
  REQUIRE_REFUSED(g, g.s.disconnect("room.1", g.now), v1::ERROR_CODE_INVALID_ARGUMENT);
  REQUIRE_REFUSED(g, g.s.join("room.1", "Dee", v1::ROLE_PARTICIPANT, g.now), v1::ERROR_CODE_INVALID_ARGUMENT);
  REQUIRE_REFUSED(g, g.apply("room.1", cmd::raise()), v1::ERROR_CODE_PERMISSION_DENIED);
}

TEST_CASE("the member cap counts participants and in-room attendees only", "[session][roster]") {
  Session s = make_session(ccdg_format(), "pres", 3);
  TimeMs now = kStart;
  REQUIRE(s.join("fac", "Fay", v1::ROLE_FACILITATOR, now).ok());
  REQUIRE(s.join("cof", "Cole", v1::ROLE_CO_FACILITATOR, now).ok());
  REQUIRE(s.join("room", "Room", v1::ROLE_ROOM, now).ok());
  REQUIRE(s.join("p1", "Ann", v1::ROLE_PARTICIPANT, now).ok());
  REQUIRE(s.apply("room", cmd::add_attendee("Dee"), now).ok());
  REQUIRE(s.join("p2", "Ben", v1::ROLE_PARTICIPANT, now).ok());
  const std::uint64_t v = s.version();

  Outcome full = s.join("p3", "Cy", v1::ROLE_PARTICIPANT, now);
  CHECK(full.code == v1::ERROR_CODE_SESSION_FULL);
  CHECK(full.message.find("full") != std::string::npos);
  CHECK(s.apply("room", cmd::add_attendee("Eve"), now).code == v1::ERROR_CODE_SESSION_FULL);
  CHECK(s.version() == v);
  CHECK(s.member("p3") == nullptr);

  // Leaders and room devices do not count.
  CHECK(s.join("fac2", "Fred", v1::ROLE_FACILITATOR, now).ok());
  CHECK(s.join("room2", "Room 2", v1::ROLE_ROOM, now).ok());
  // A known member comes back even when full.
  REQUIRE(s.disconnect("p2", now).ok());
  CHECK(s.join("p2", "Ben", v1::ROLE_PARTICIPANT, now).ok());
  // A removal makes room.
  REQUIRE(s.apply("fac", cmd::remove("p1"), now).ok());
  CHECK(s.join("p3", "Cy", v1::ROLE_PARTICIPANT, now).ok());
}

TEST_CASE("check_join answers what join would, and changes nothing", "[session][roster]") {
  Session s = make_session(ccdg_format(), "pres", 2);
  const TimeMs now = kStart;
  // Checks, then joins with the same arguments: the check changed nothing
  // and agreed with the join, code and message.
  const auto check_then_join = [&](const std::string& id, const std::string& name, v1::Role role) {
    const std::string before = s.snapshot(now).SerializeAsString();
    const std::uint64_t version = s.version();
    const Outcome check = s.check_join(id, name, role);
    INFO(id << ": " << check.message);
    CHECK(check.events.empty());
    CHECK(s.version() == version);
    CHECK(s.snapshot(now).SerializeAsString() == before);
    const Outcome join = s.join(id, name, role, now);
    CHECK(join.code == check.code);
    CHECK(join.message == check.message);
    return check.code;
  };
  CHECK(check_then_join("fac", "Fay", v1::ROLE_FACILITATOR) == v1::ERROR_CODE_OK);
  CHECK(check_then_join("cof", "Cole", v1::ROLE_CO_FACILITATOR) == v1::ERROR_CODE_OK);
  CHECK(check_then_join("room", "Room 4B", v1::ROLE_ROOM) == v1::ERROR_CODE_OK);
  CHECK(check_then_join("p1", "Ann", v1::ROLE_PARTICIPANT) == v1::ERROR_CODE_OK);
  REQUIRE(s.apply("room", cmd::add_attendee("Dee"), now).ok());  // The cap of 2 is reached.
  CHECK(check_then_join("p2", "Ben", v1::ROLE_PARTICIPANT) == v1::ERROR_CODE_SESSION_FULL);
  CHECK(check_then_join("fac2", "Fred", v1::ROLE_FACILITATOR) == v1::ERROR_CODE_OK);  // Leaders do not count.
  CHECK(check_then_join("fac", "Fay", v1::ROLE_FACILITATOR) == v1::ERROR_CODE_OK);    // Connected: signs in again.
  CHECK(check_then_join("room.1", "Dee", v1::ROLE_PARTICIPANT) == v1::ERROR_CODE_INVALID_ARGUMENT);  // An attendee.
  CHECK(check_then_join("", "Ann", v1::ROLE_PARTICIPANT) == v1::ERROR_CODE_INVALID_ARGUMENT);
  CHECK(check_then_join("p 3", "Cy", v1::ROLE_PARTICIPANT) == v1::ERROR_CODE_INVALID_ARGUMENT);
  CHECK(check_then_join("p3", "", v1::ROLE_PARTICIPANT) == v1::ERROR_CODE_INVALID_ARGUMENT);
  CHECK(check_then_join("p3", "Cy\n", v1::ROLE_PARTICIPANT) == v1::ERROR_CODE_INVALID_ARGUMENT);
  CHECK(check_then_join("p3", "Cy", v1::ROLE_UNSPECIFIED) == v1::ERROR_CODE_INVALID_ARGUMENT);
  // A known member comes back to a full session.
  REQUIRE(s.disconnect("p1", now).ok());
  CHECK(check_then_join("p1", "Ann", v1::ROLE_PARTICIPANT) == v1::ERROR_CODE_OK);

  REQUIRE(s.end(now).ok());
  CHECK(check_then_join("p1", "Ann", v1::ROLE_PARTICIPANT) == v1::ERROR_CODE_SESSION_ENDED);
  CHECK(check_then_join("p9", "Nia", v1::ROLE_PARTICIPANT) == v1::ERROR_CODE_SESSION_ENDED);
}

// --- Control ---------------------------------------------------------------

TEST_CASE("only a facilitator in control changes the phase", "[session][control]") {
  Group g;
  SECTION("participants, the presenter and room devices are refused") {
    for (const char* who : {"p1", "pres", "room"}) {
      REQUIRE_REFUSED(g, g.apply(who, cmd::next()), v1::ERROR_CODE_PERMISSION_DENIED);
      REQUIRE_REFUSED(g, g.apply(who, cmd::jump(2)), v1::ERROR_CODE_PERMISSION_DENIED);
      REQUIRE_REFUSED(g, g.apply(who, cmd::end()), v1::ERROR_CODE_PERMISSION_DENIED);
    }
    Outcome o = g.apply("p1", cmd::next());
    CHECK(o.message == "only a facilitator can change the phase");
    CHECK(g.state().phase_index() == -1);
  }
  SECTION("the co-facilitator drives only while the facilitator is away") {
    CHECK(g.state().controller_id() == "fac");
    REQUIRE_REFUSED(g, g.apply("cof", cmd::next()), v1::ERROR_CODE_PERMISSION_DENIED);
    Outcome o = g.apply("cof", cmd::next());
    CHECK(o.message.find("facilitator is connected") != std::string::npos);
    CHECK(o.message.find("only while the facilitator is away") != std::string::npos);

    REQUIRE(g.s.disconnect("fac", g.now).ok());
    CHECK(g.member("fac").connection() == v1::CONNECTION_STATUS_RECONNECTING);
    CHECK(g.state().controller_id() == "cof");  // at once, not when the grace runs out
    g.ok("cof", cmd::next());
    CHECK(g.state().phase_index() == 0);
    g.ok("cof", cmd::mute("p1"));

    g.now += kGrace / 2;
    REQUIRE(g.s.join("fac", "Fay", v1::ROLE_FACILITATOR, g.now).ok());
    CHECK(g.state().controller_id() == "fac");
    REQUIRE_REFUSED(g, g.apply("cof", cmd::next()), v1::ERROR_CODE_PERMISSION_DENIED);
    g.ok("fac", cmd::next());
    CHECK(g.state().phase_index() == 1);
  }
  SECTION("nobody controls when no leader is connected") {
    REQUIRE(g.s.disconnect("fac", g.now).ok());
    REQUIRE(g.s.disconnect("cof", g.now).ok());
    CHECK(g.state().controller_id().empty());
  }
  SECTION("a second facilitator also drives") {
    REQUIRE(g.s.join("fac2", "Fred", v1::ROLE_FACILITATOR, g.now).ok());
    g.ok("fac2", cmd::next());
    CHECK(g.state().controller_id() == "fac");
  }
}

TEST_CASE("commands from unknown, disconnected or carried actors are refused", "[session][control]") {
  Group g;
  REQUIRE_REFUSED(g, g.apply("ghost", cmd::next()), v1::ERROR_CODE_UNKNOWN_PARTICIPANT);
  CHECK(g.apply("ghost", cmd::next()).message == "ghost is not in the roster");
  REQUIRE(g.s.disconnect("fac", g.now).ok());
  REQUIRE_REFUSED(g, g.apply("fac", cmd::next()), v1::ERROR_CODE_PERMISSION_DENIED);
  REQUIRE_REFUSED(g, g.apply("room.1", cmd::leave()), v1::ERROR_CODE_PERMISSION_DENIED);
  REQUIRE_REFUSED(g, g.apply("cof", v1::Command{}), v1::ERROR_CODE_INVALID_ARGUMENT);
}

// --- Phases ----------------------------------------------------------------

TEST_CASE("NextPhase starts the session and walks the phases", "[session][phases]") {
  Group g;
  const std::uint64_t v = g.s.version();
  Outcome o = g.apply("fac", cmd::next());
  REQUIRE(o.ok());
  CHECK(g.s.version() == v + 1);
  REQUIRE(o.events.size() == 1);
  CHECK(o.events[0].phase_changed().from_index() == -1);
  CHECK(o.events[0].phase_changed().to_index() == 0);
  CHECK(o.events[0].state_version() == v + 1);

  v1::SessionState st = g.state();
  CHECK(st.phase_index() == 0);
  CHECK(st.session_started_ms() == kStart);
  CHECK(st.session_planned_end_ms() == kStart + 3600 * 1000);
  CHECK(st.phase_started_ms() == kStart);
  CHECK(st.phase_planned_end_ms() == kStart + 300 * 1000);

  g.now += 200'000;
  g.ok("fac", cmd::next());
  st = g.state();
  CHECK(st.phase_index() == 1);
  CHECK(st.phase_started_ms() == kStart + 200'000);
  CHECK(st.phase_planned_end_ms() == kStart + 200'000 + 600'000);
  CHECK(st.session_started_ms() == kStart);  // unchanged by later phases

  g.ok("fac", cmd::next());
  g.ok("fac", cmd::next());
  g.ok("fac", cmd::next());
  CHECK(g.state().phase_index() == kWrapUp);
  REQUIRE_REFUSED(g, g.apply("fac", cmd::next()), v1::ERROR_CODE_INVALID_ARGUMENT);
  CHECK(g.apply("fac", cmd::next()).message == "already at the last phase; end the session instead");
}

TEST_CASE("PreviousPhase goes back one phase", "[session][phases]") {
  Group g;
  REQUIRE_REFUSED(g, g.apply("fac", cmd::previous()), v1::ERROR_CODE_NOT_STARTED);
  g.ok("fac", cmd::next());
  REQUIRE_REFUSED(g, g.apply("fac", cmd::previous()), v1::ERROR_CODE_INVALID_ARGUMENT);
  g.ok("fac", cmd::next());
  g.now += 5000;
  Outcome o = g.apply("fac", cmd::previous());
  REQUIRE(o.ok());
  CHECK(o.events[0].phase_changed().from_index() == 1);
  CHECK(o.events[0].phase_changed().to_index() == 0);
  CHECK(g.state().phase_index() == 0);
  CHECK(g.state().phase_started_ms() == g.now);
  CHECK(g.state().phase_planned_end_ms() == g.now + 300'000);
  REQUIRE_REFUSED(g, g.apply("p1", cmd::previous()), v1::ERROR_CODE_PERMISSION_DENIED);
}

TEST_CASE("JumpToPhase moves to any other phase", "[session][phases]") {
  Group g;
  REQUIRE_REFUSED(g, g.apply("fac", cmd::jump(-1)), v1::ERROR_CODE_INVALID_ARGUMENT);
  REQUIRE_REFUSED(g, g.apply("fac", cmd::jump(5)), v1::ERROR_CODE_INVALID_ARGUMENT);
  CHECK(g.apply("fac", cmd::jump(5)).message.find("out of range") != std::string::npos);

  Outcome o = g.apply("fac", cmd::jump(kOpen));  // from before the start
  REQUIRE(o.ok());
  CHECK(o.events[0].phase_changed().from_index() == -1);
  CHECK(o.events[0].phase_changed().to_index() == kOpen);
  CHECK(g.state().session_started_ms() == kStart);
  CHECK(g.state().session_planned_end_ms() == kStart + 3600'000);
  CHECK(g.state().phase_planned_end_ms() == kStart + 1500'000);

  REQUIRE_REFUSED(g, g.apply("fac", cmd::jump(kOpen)), v1::ERROR_CODE_NO_CHANGE);
  g.now += 1000;
  g.ok("fac", cmd::jump(kCheckIn));
  CHECK(g.state().phase_index() == kCheckIn);
  CHECK(g.state().session_started_ms() == kStart);
  REQUIRE_REFUSED(g, g.apply("p2", cmd::jump(kWrapUp)), v1::ERROR_CODE_PERMISSION_DENIED);
}

TEST_CASE("ExtendPhase moves the phase's planned end", "[session][phases]") {
  Group g;
  REQUIRE_REFUSED(g, g.apply("fac", cmd::extend(60)), v1::ERROR_CODE_NOT_STARTED);
  g.ok("fac", cmd::next());
  REQUIRE_REFUSED(g, g.apply("fac", cmd::extend(0)), v1::ERROR_CODE_INVALID_ARGUMENT);
  REQUIRE_REFUSED(g, g.apply("fac", cmd::extend(3601)), v1::ERROR_CODE_INVALID_ARGUMENT);
  REQUIRE_REFUSED(g, g.apply("p1", cmd::extend(60)), v1::ERROR_CODE_PERMISSION_DENIED);
  const std::uint64_t v = g.s.version();
  g.ok("fac", cmd::extend(120));
  CHECK(g.s.version() == v + 1);
  CHECK(g.state().phase_planned_end_ms() == kStart + 420'000);
  g.ok("fac", cmd::extend(3600));
  CHECK(g.state().phase_planned_end_ms() == kStart + 4'020'000);
  CHECK(g.state().session_planned_end_ms() == kStart + 3600'000);  // the session's plan stays
}

TEST_CASE("ending the session refuses everything afterwards", "[session][phases]") {
  Group g;
  g.ok("fac", cmd::next());
  g.ok("p1", cmd::raise());
  Outcome o = g.apply("fac", cmd::end());
  REQUIRE(o.ok());
  REQUIRE(o.events.size() == 1);
  CHECK(o.events[0].has_session_ended());
  CHECK(g.s.ended());
  CHECK(g.state().ended());

  const std::vector<v1::Command> all = {cmd::next(),
                                        cmd::previous(),
                                        cmd::jump(2),
                                        cmd::extend(60),
                                        cmd::end(),
                                        cmd::presenter("p1"),
                                        cmd::build(),
                                        cmd::order({"p1"}),
                                        cmd::start(),
                                        cmd::pass(),
                                        cmd::finish(),
                                        cmd::skip(),
                                        cmd::raise(),
                                        cmd::lower(),
                                        cmd::floor("p1"),
                                        cmd::mute("p1"),
                                        cmd::unmute("p1"),
                                        cmd::remove("p1"),
                                        cmd::add_attendee("Zed"),
                                        cmd::remove_attendee("room.1"),
                                        cmd::leave()};
  for (const v1::Command& c : all) {
    for (const char* who : {"fac", "p1", "room", "ghost"}) {
      REQUIRE_REFUSED(g, g.apply(who, c), v1::ERROR_CODE_SESSION_ENDED);
    }
  }
  REQUIRE_REFUSED(g, g.s.join("p9", "New", v1::ROLE_PARTICIPANT, g.now), v1::ERROR_CODE_SESSION_ENDED);
  REQUIRE_REFUSED(g, g.s.join("p1", "Ann", v1::ROLE_PARTICIPANT, g.now), v1::ERROR_CODE_SESSION_ENDED);
  REQUIRE_REFUSED(g, g.s.disconnect("p1", g.now), v1::ERROR_CODE_SESSION_ENDED);

  const v1::SessionState snap = g.state();
  for (const v1::Member& m : snap.roster()) {
    CHECK_FALSE(m.may_speak());
    CHECK_FALSE(m.may_chat());
    CHECK_FALSE(g.s.may_speak(m.participant_id()));
    CHECK_FALSE(g.s.may_chat(m.participant_id()));
  }
  g.now += 3600'000;
  const std::uint64_t v = g.s.version();
  Outcome t = g.s.tick(g.now);
  CHECK(t.ok());
  CHECK(t.events.empty());
  CHECK(g.s.version() == v);
  CHECK_FALSE(g.s.next_deadline().has_value());
  CHECK(g.state().warnings_size() == 0);
}

TEST_CASE("the session can be ended before it starts", "[session][phases]") {
  Group g;
  REQUIRE_REFUSED(g, g.apply("p1", cmd::end()), v1::ERROR_CODE_PERMISSION_DENIED);
  g.ok("fac", cmd::end());
  CHECK(g.s.ended());
  CHECK(g.state().phase_index() == -1);
}

// --- Presenter -------------------------------------------------------------

TEST_CASE("a facilitator names the presenter", "[session][presenter]") {
  Group g;
  CHECK(g.state().presenter_id() == "pres");
  REQUIRE_REFUSED(g, g.apply("p1", cmd::presenter("p1")), v1::ERROR_CODE_PERMISSION_DENIED);
  REQUIRE_REFUSED(g, g.apply("fac", cmd::presenter("pres")), v1::ERROR_CODE_NO_CHANGE);
  REQUIRE_REFUSED(g, g.apply("fac", cmd::presenter("room")), v1::ERROR_CODE_INVALID_ARGUMENT);
  REQUIRE_REFUSED(g, g.apply("fac", cmd::presenter("ghost")), v1::ERROR_CODE_UNKNOWN_PARTICIPANT);
  REQUIRE_REFUSED(g, g.apply("fac", cmd::presenter("")), v1::ERROR_CODE_INVALID_ARGUMENT);

  g.ok("fac", cmd::presenter("p1"));
  CHECK(g.state().presenter_id() == "p1");
  g.ok("fac", cmd::presenter("room.2"));  // an in-room attendee can present
  CHECK(g.state().presenter_id() == "room.2");
  g.ok("fac", cmd::presenter("cof"));  // and so can a leader
  CHECK(g.state().presenter_id() == "cof");
}

TEST_CASE("a presenter named before joining is the presenter on arrival", "[session][presenter]") {
  Session s = make_session(balint_format(), "late");
  REQUIRE(s.join("fac", "Fay", v1::ROLE_FACILITATOR, kStart).ok());
  REQUIRE(s.join("p1", "Ann", v1::ROLE_PARTICIPANT, kStart).ok());
  REQUIRE(s.apply("fac", cmd::next(), kStart).ok());  // presentation: presenter only
  CHECK_FALSE(s.may_speak("p1"));
  CHECK_FALSE(s.may_speak("late"));
  REQUIRE(s.join("late", "Lou", v1::ROLE_PARTICIPANT, kStart).ok());
  CHECK(s.may_speak("late"));
  CHECK(s.snapshot(kStart).presenter_id() == "late");
}

// --- Speaking rule ---------------------------------------------------------

TEST_CASE("in the lobby everyone connected may speak", "[session][speaking]") {
  Group g;
  for (const char* who : {"fac", "cof", "pres", "p1", "room", "room.1"}) {
    CHECK(g.s.may_speak(who));
    CHECK(g.s.may_chat(who));
  }
  REQUIRE(g.s.disconnect("p1", g.now).ok());
  CHECK_FALSE(g.s.may_speak("p1"));
  CHECK_FALSE(g.s.may_speak("ghost"));
  CHECK_FALSE(g.s.may_chat("ghost"));
}

TEST_CASE("each speaking rule lets the right people speak", "[session][speaking]") {
  SECTION("everyone") {
    Group g;
    g.go_to(kCheckIn);
    for (const char* who : {"fac", "cof", "pres", "p1", "p3", "room", "room.2"}) {
      CHECK(g.s.may_speak(who));
    }
  }
  SECTION("presenter only") {
    Group g;
    g.go_to(kPresentation);
    CHECK(g.s.may_speak("pres"));
    CHECK(g.s.may_chat("pres"));
    CHECK(g.s.may_speak("fac"));
    CHECK(g.s.may_speak("cof"));
    CHECK_FALSE(g.s.may_speak("p1"));
    CHECK_FALSE(g.s.may_chat("p1"));
    CHECK_FALSE(g.s.may_speak("room"));
    CHECK_FALSE(g.s.may_speak("room.1"));
    g.ok("fac", cmd::presenter("room.1"));
    CHECK(g.s.may_speak("room.1"));
    CHECK_FALSE(g.s.may_speak("room.2"));
    CHECK(g.s.may_speak("room"));  // the room's microphone carries the presenter
    CHECK_FALSE(g.s.may_speak("pres"));
  }
  SECTION("all but the presenter: silent for audio and chat") {
    Group g(balint_format());
    g.go_to(kBObservation);
    CHECK_FALSE(g.s.may_speak("pres"));
    CHECK_FALSE(g.s.may_chat("pres"));
    CHECK(g.s.may_speak("p1"));
    CHECK(g.s.may_chat("p1"));
    CHECK(g.s.may_speak("room"));
    CHECK(g.s.may_speak("fac"));
    const v1::Member m = g.member("pres");
    CHECK_FALSE(m.may_speak());
    CHECK_FALSE(m.may_chat());
  }
  SECTION("the presenter is not silenced outside observation") {
    Group g(balint_format());
    for (int phase : {kBPresentation, kBQuestions, kBReEntry}) {
      g.go_to(phase);
      CHECK(g.s.may_speak("pres"));
      CHECK(g.s.may_chat("pres"));
    }
  }
  SECTION("facilitators only") {
    Group g(balint_format());
    g.go_to(kBClose);
    CHECK(g.s.may_speak("fac"));
    CHECK(g.s.may_speak("cof"));
    CHECK_FALSE(g.s.may_speak("pres"));
    CHECK_FALSE(g.s.may_speak("p1"));
    CHECK_FALSE(g.s.may_chat("p1"));
    CHECK_FALSE(g.s.may_speak("room"));
  }
  SECTION("a facilitator who presents also observes in silence") {
    Group g(balint_format());
    g.ok("fac", cmd::presenter("cof"));
    g.go_to(kBObservation);
    CHECK_FALSE(g.s.may_speak("cof"));
    CHECK_FALSE(g.s.may_chat("cof"));
    CHECK(g.s.may_speak("fac"));
  }
}

TEST_CASE("the snapshot's may_speak and may_chat agree with the queries", "[session][speaking]") {
  Group g(balint_format());
  g.ok("fac", cmd::mute("p2"));
  for (int phase : {kBPresentation, kBQuestions, kBObservation, kBReEntry, kBClose}) {
    g.go_to(phase);
    const v1::SessionState snap = g.state();
    for (const v1::Member& m : snap.roster()) {
      INFO(m.participant_id() << " in phase " << phase);
      CHECK(m.may_speak() == g.s.may_speak(m.participant_id()));
      CHECK(m.may_chat() == g.s.may_chat(m.participant_id()));
    }
  }
}

TEST_CASE("a room device speaks only for its attendees", "[session][speaking][room]") {
  Group g;
  g.go_to(kOpen);
  CHECK(g.s.may_speak("room"));
  g.ok("fac", cmd::mute("room.1"));
  CHECK_FALSE(g.s.may_speak("room.1"));
  CHECK(g.s.may_speak("room"));  // room.2 still may
  g.ok("fac", cmd::mute("room.2"));
  CHECK_FALSE(g.s.may_speak("room"));
  CHECK(g.s.may_chat("room"));  // mutes do not stop chat
  g.ok("fac", cmd::unmute("room.1"));
  CHECK(g.s.may_speak("room"));
  g.ok("fac", cmd::mute("room"));
  CHECK_FALSE(g.s.may_speak("room"));
  CHECK(g.s.may_chat("room"));

  SECTION("a room with nobody in it is silent") {
    REQUIRE(g.s.join("room2", "Room 2", v1::ROLE_ROOM, g.now).ok());
    CHECK_FALSE(g.s.may_speak("room2"));
    CHECK_FALSE(g.s.may_chat("room2"));
    g.ok("room2", cmd::add_attendee("Gil"));
    CHECK(g.s.may_speak("room2"));
  }
}

// --- Hands and floor -------------------------------------------------------

TEST_CASE("the hand queue is first come, first served", "[session][hands]") {
  Group g;
  g.go_to(kOpen);
  g.ok("p2", cmd::raise());
  g.ok("p1", cmd::raise(""));
  g.ok("room", cmd::raise("room.2"));
  g.ok("fac", cmd::raise("fac"));
  CHECK(g.hands() == std::vector<std::string>{"p2", "p1", "room.2", "fac"});
  CHECK(g.member("p2").hand_raised());
  CHECK(g.member("room.2").hand_raised());
  CHECK_FALSE(g.member("room.1").hand_raised());
  CHECK_FALSE(g.member("p3").hand_raised());

  REQUIRE_REFUSED(g, g.apply("p2", cmd::raise()), v1::ERROR_CODE_NO_CHANGE);
  REQUIRE_REFUSED(g, g.apply("p3", cmd::raise("p1")), v1::ERROR_CODE_PERMISSION_DENIED);
  REQUIRE_REFUSED(g, g.apply("room", cmd::raise()), v1::ERROR_CODE_INVALID_ARGUMENT);
  REQUIRE_REFUSED(g, g.apply("room", cmd::raise("p3")), v1::ERROR_CODE_PERMISSION_DENIED);
  REQUIRE_REFUSED(g, g.apply("room", cmd::raise("ghost")), v1::ERROR_CODE_UNKNOWN_PARTICIPANT);

  // Lowering: one's own, a room device's attendee, or anyone's by a facilitator.
  g.ok("p1", cmd::lower());
  g.ok("room", cmd::lower("room.2"));
  REQUIRE_REFUSED(g, g.apply("p3", cmd::lower("p2")), v1::ERROR_CODE_PERMISSION_DENIED);
  REQUIRE_REFUSED(g, g.apply("p3", cmd::lower()), v1::ERROR_CODE_NO_CHANGE);
  REQUIRE_REFUSED(g, g.apply("fac", cmd::lower("ghost")), v1::ERROR_CODE_UNKNOWN_PARTICIPANT);
  g.ok("fac", cmd::lower("p2"));
  CHECK(g.hands() == std::vector<std::string>{"fac"});
  CHECK_FALSE(g.member("p2").hand_raised());
  g.ok("p2", cmd::raise());
  CHECK(g.hands() == std::vector<std::string>{"fac", "p2"});  // back of the queue
}

TEST_CASE("the presenter cannot raise a hand while observing", "[session][hands]") {
  Group g(balint_format());
  g.go_to(kBObservation);
  REQUIRE_REFUSED(g, g.apply("pres", cmd::raise()), v1::ERROR_CODE_PHASE_FORBIDS);
  g.ok("p1", cmd::raise());
  g.go_to(kBReEntry);
  g.ok("pres", cmd::raise());
}

TEST_CASE("a facilitator gives and takes back the floor", "[session][floor]") {
  Group g;
  g.go_to(kWrapUp);  // facilitators only
  g.ok("p1", cmd::raise());
  CHECK_FALSE(g.s.may_speak("p1"));
  REQUIRE_REFUSED(g, g.apply("p2", cmd::floor("p1")), v1::ERROR_CODE_PERMISSION_DENIED);
  REQUIRE_REFUSED(g, g.apply("fac", cmd::floor("room")), v1::ERROR_CODE_INVALID_ARGUMENT);
  REQUIRE_REFUSED(g, g.apply("fac", cmd::floor("ghost")), v1::ERROR_CODE_UNKNOWN_PARTICIPANT);
  REQUIRE_REFUSED(g, g.apply("fac", cmd::floor("")), v1::ERROR_CODE_NO_CHANGE);

  g.ok("fac", cmd::floor("p1"));
  CHECK(g.state().floor_holder_id() == "p1");
  CHECK_FALSE(g.member("p1").hand_raised());  // the floor lowers the hand
  CHECK(g.s.may_speak("p1"));
  CHECK_FALSE(g.s.may_speak("p2"));
  REQUIRE_REFUSED(g, g.apply("fac", cmd::floor("p1")), v1::ERROR_CODE_NO_CHANGE);

  g.ok("fac", cmd::floor("room.1"));  // an in-room attendee, through the room's microphone
  CHECK(g.s.may_speak("room.1"));
  CHECK(g.s.may_speak("room"));
  CHECK_FALSE(g.s.may_speak("p1"));

  g.ok("fac", cmd::floor(""));
  CHECK(g.state().floor_holder_id().empty());
  CHECK_FALSE(g.s.may_speak("room"));
}

TEST_CASE("the floor is cleared on every phase change", "[session][floor]") {
  Group g;
  g.go_to(kPresentation);
  g.ok("fac", cmd::floor("p2"));
  CHECK(g.s.may_speak("p2"));
  g.ok("fac", cmd::next());
  CHECK(g.state().floor_holder_id().empty());
  g.ok("fac", cmd::floor("p2"));
  g.ok("fac", cmd::previous());
  CHECK(g.state().floor_holder_id().empty());
  CHECK_FALSE(g.s.may_speak("p2"));
}

TEST_CASE("the floor does not let the presenter break the observation", "[session][floor]") {
  Group g(balint_format());
  g.go_to(kBObservation);
  g.ok("fac", cmd::floor("pres"));
  CHECK_FALSE(g.s.may_speak("pres"));
  CHECK_FALSE(g.s.may_chat("pres"));
}

// --- Moderation ------------------------------------------------------------

TEST_CASE("a facilitator mutes and unmutes members", "[session][moderation]") {
  Group g;
  g.go_to(kOpen);
  REQUIRE_REFUSED(g, g.apply("p2", cmd::mute("p1")), v1::ERROR_CODE_PERMISSION_DENIED);
  const std::uint64_t v = g.s.version();
  g.ok("fac", cmd::mute("p1"));
  CHECK(g.s.version() == v + 1);
  CHECK(g.member("p1").muted());
  CHECK_FALSE(g.s.may_speak("p1"));
  CHECK(g.s.may_chat("p1"));
  REQUIRE_REFUSED(g, g.apply("fac", cmd::mute("p1")), v1::ERROR_CODE_NO_CHANGE);
  REQUIRE_REFUSED(g, g.apply("fac", cmd::mute("fac")), v1::ERROR_CODE_PERMISSION_DENIED);
  REQUIRE_REFUSED(g, g.apply("fac", cmd::mute("ghost")), v1::ERROR_CODE_UNKNOWN_PARTICIPANT);
  REQUIRE_REFUSED(g, g.apply("fac", cmd::mute("")), v1::ERROR_CODE_INVALID_ARGUMENT);
  REQUIRE_REFUSED(g, g.apply("fac", cmd::unmute("p2")), v1::ERROR_CODE_NO_CHANGE);

  g.ok("fac", cmd::mute("cof"));  // a co-facilitator can be muted
  CHECK_FALSE(g.s.may_speak("cof"));
  g.ok("fac", cmd::unmute("p1"));
  CHECK_FALSE(g.member("p1").muted());
  CHECK(g.s.may_speak("p1"));

  // A co-facilitator in control cannot mute a facilitator, nor themselves.
  REQUIRE(g.s.disconnect("fac", g.now).ok());
  REQUIRE_REFUSED(g, g.apply("cof", cmd::mute("fac")), v1::ERROR_CODE_PERMISSION_DENIED);
  REQUIRE_REFUSED(g, g.apply("cof", cmd::unmute("cof")), v1::ERROR_CODE_PERMISSION_DENIED);
  g.ok("cof", cmd::mute("p3"));
}

TEST_CASE("a facilitator removes a member from everything", "[session][moderation]") {
  Group g;
  g.start_round_in(kGoAround);  // p1 holds the turn
  g.ok("p1", cmd::raise());
  g.ok("p2", cmd::raise());
  g.ok("fac", cmd::floor("p1"));
  g.ok("fac", cmd::presenter("p1"));

  REQUIRE_REFUSED(g, g.apply("p2", cmd::remove("p1")), v1::ERROR_CODE_PERMISSION_DENIED);
  REQUIRE_REFUSED(g, g.apply("fac", cmd::remove("fac")), v1::ERROR_CODE_PERMISSION_DENIED);
  REQUIRE_REFUSED(g, g.apply("fac", cmd::remove("ghost")), v1::ERROR_CODE_UNKNOWN_PARTICIPANT);
  REQUIRE(g.s.disconnect("fac", g.now).ok());
  REQUIRE_REFUSED(g, g.apply("cof", cmd::remove("fac")), v1::ERROR_CODE_PERMISSION_DENIED);
  REQUIRE(g.s.join("fac", "Fay", v1::ROLE_FACILITATOR, g.now).ok());

  g.ok("p1", cmd::raise());  // the queue is now p2, p1
  g.ok("fac", cmd::raise());
  Outcome o = g.apply("fac", cmd::remove("p1"));
  REQUIRE(o.ok());
  REQUIRE(o.events.size() == 2);
  CHECK(o.events[0].member_left().participant_id() == "p1");
  CHECK(o.events[0].member_left().reason() == v1::LEAVE_REASON_REMOVED);
  CHECK(o.events[1].turn_moved().from_id() == "p1");
  CHECK(o.events[1].turn_moved().to_id() == "p2");
  CHECK(g.s.member("p1") == nullptr);
  CHECK(g.hands() == std::vector<std::string>{"p2", "fac"});
  CHECK(g.state().floor_holder_id().empty());
  CHECK(g.status("p1") == v1::TURN_STATUS_UNSPECIFIED);  // not in the order
  CHECK(g.holder() == "p2");
  CHECK(g.state().presenter_id() == "p1");  // recorded as it was
  CHECK_FALSE(g.s.may_speak("p1"));

  g.ok("fac", cmd::remove("cof"));  // co-facilitators can be removed
  CHECK(g.s.member("cof") == nullptr);
}

TEST_CASE("removing a room device removes its attendees", "[session][moderation][room]") {
  Group g;
  g.ok("room", cmd::raise("room.1"));
  Outcome o = g.apply("fac", cmd::remove("room"));
  REQUIRE(o.ok());
  REQUIRE(o.events.size() == 3);
  CHECK(o.events[0].member_left().participant_id() == "room");
  CHECK(o.events[1].member_left().participant_id() == "room.1");
  CHECK(o.events[2].member_left().participant_id() == "room.2");
  for (const v1::Event& e : o.events) CHECK(e.member_left().reason() == v1::LEAVE_REASON_REMOVED);
  CHECK(g.s.member("room.1") == nullptr);
  CHECK(g.s.member("room.2") == nullptr);
  CHECK(g.hands().empty());
}

TEST_CASE("leaving takes a member out of the session", "[session][moderation]") {
  Group g;
  g.start_round_in(kGoAround);
  Outcome o = g.apply("p2", cmd::leave());
  REQUIRE(o.ok());
  CHECK(o.events[0].member_left().participant_id() == "p2");
  CHECK(o.events[0].member_left().reason() == v1::LEAVE_REASON_LEFT);
  CHECK(g.s.member("p2") == nullptr);
  CHECK(g.order_ids() == std::vector<std::string>{"p1", "p3", "room.1", "room.2"});

  // The facilitator leaving hands control to the co-facilitator.
  g.ok("fac", cmd::leave());
  CHECK(g.state().controller_id() == "cof");
  g.ok("cof", cmd::next());

  // A room device leaving takes its attendees.
  o = g.apply("room", cmd::leave());
  REQUIRE(o.ok());
  CHECK(o.events.size() == 3);
  CHECK(g.s.member("room.2") == nullptr);
}

// --- In-room attendees -----------------------------------------------------

TEST_CASE("a room device adds its attendees with deterministic ids", "[session][room]") {
  Group g;
  const v1::Member m = g.member("room.1");
  CHECK(m.display_name() == "Dee");
  CHECK(m.role() == v1::ROLE_PARTICIPANT);
  CHECK(m.location() == v1::LOCATION_IN_ROOM);
  CHECK(m.room_device_id() == "room");
  CHECK(g.member("room.2").display_name() == "Eve");

  Outcome o = g.apply("room", cmd::add_attendee("Fin", "room"));
  REQUIRE(o.ok());
  CHECK(o.events[0].member_joined().participant_id() == "room.3");

  // Ids are never reused.
  g.ok("room", cmd::remove_attendee("room.3"));
  o = g.apply("room", cmd::add_attendee("Gus"));
  REQUIRE(o.ok());
  CHECK(o.events[0].member_joined().participant_id() == "room.4");

  REQUIRE_REFUSED(g, g.apply("room", cmd::add_attendee("")), v1::ERROR_CODE_INVALID_ARGUMENT);
  REQUIRE(g.s.join("room2", "Room 2", v1::ROLE_ROOM, g.now).ok());
  REQUIRE_REFUSED(g, g.apply("room2", cmd::add_attendee("Hal", "room")), v1::ERROR_CODE_PERMISSION_DENIED);
  o = g.apply("room2", cmd::add_attendee("Hal"));
  REQUIRE(o.ok());
  CHECK(o.events[0].member_joined().participant_id() == "room2.5");  // one counter per session
}

TEST_CASE("a facilitator adds attendees to a named room device", "[session][room]") {
  Group g;
  REQUIRE_REFUSED(g, g.apply("p1", cmd::add_attendee("Ivy", "room")), v1::ERROR_CODE_PERMISSION_DENIED);
  REQUIRE_REFUSED(g, g.apply("fac", cmd::add_attendee("Ivy")), v1::ERROR_CODE_INVALID_ARGUMENT);
  REQUIRE_REFUSED(g, g.apply("fac", cmd::add_attendee("Ivy", "p1")), v1::ERROR_CODE_INVALID_ARGUMENT);
  REQUIRE_REFUSED(g, g.apply("fac", cmd::add_attendee("Ivy", "ghost")), v1::ERROR_CODE_UNKNOWN_PARTICIPANT);
  REQUIRE(g.s.disconnect("room", g.now).ok());
  g.now += 1000;
  Outcome o = g.apply("fac", cmd::add_attendee("Ivy", "room"));
  REQUIRE(o.ok());
  const v1::Member m = g.member("room.3");
  CHECK(m.room_device_id() == "room");
  CHECK(m.connection() == v1::CONNECTION_STATUS_RECONNECTING);  // follows the device,
  CHECK(m.reconnect_deadline_ms() == kStart + kGrace);           // deadline too
  REQUIRE(g.s.tick(kStart + kGrace).ok());
  CHECK(g.s.member("room.3") == nullptr);
}

TEST_CASE("a room device that stays away takes its attendees with it", "[session][room][reconnect]") {
  Group g;  // not started: the grace runs in the lobby too
  g.ok("fac", cmd::build());
  g.ok("room", cmd::raise("room.1"));
  REQUIRE(g.s.disconnect("room", g.now).ok());
  const std::uint64_t v = g.s.version();
  CHECK(g.s.tick(g.now + kGrace - 1).events.empty());
  const Outcome o = g.s.tick(g.now + kGrace);
  REQUIRE(o.ok());
  CHECK(g.s.version() == v + 1);
  REQUIRE(o.events.size() == 3);
  CHECK(o.events[0].member_left().participant_id() == "room");
  CHECK(o.events[1].member_left().participant_id() == "room.1");
  CHECK(o.events[2].member_left().participant_id() == "room.2");
  for (const v1::Event& e : o.events) CHECK(e.member_left().reason() == v1::LEAVE_REASON_TIMED_OUT);
  CHECK(g.s.member("room.1") == nullptr);
  CHECK(g.s.member("room.2") == nullptr);
  CHECK(g.hands().empty());
  CHECK(g.order_ids() == std::vector<std::string>{"p1", "p2", "p3"});
  CHECK_FALSE(g.s.next_deadline().has_value());
}

TEST_CASE("an attendee is removed by their device or a facilitator", "[session][room]") {
  Group g;
  REQUIRE(g.s.join("room2", "Room 2", v1::ROLE_ROOM, g.now).ok());
  REQUIRE_REFUSED(g, g.apply("room2", cmd::remove_attendee("room.1")), v1::ERROR_CODE_PERMISSION_DENIED);
  REQUIRE_REFUSED(g, g.apply("p1", cmd::remove_attendee("room.1")), v1::ERROR_CODE_PERMISSION_DENIED);
  REQUIRE_REFUSED(g, g.apply("fac", cmd::remove_attendee("p1")), v1::ERROR_CODE_INVALID_ARGUMENT);
  REQUIRE_REFUSED(g, g.apply("fac", cmd::remove_attendee("ghost")), v1::ERROR_CODE_UNKNOWN_PARTICIPANT);
  Outcome o = g.apply("room", cmd::remove_attendee("room.1"));
  REQUIRE(o.ok());
  CHECK(o.events[0].member_left().participant_id() == "room.1");
  CHECK(o.events[0].member_left().reason() == v1::LEAVE_REASON_REMOVED);
  CHECK(g.s.member("room.1") == nullptr);
  g.ok("fac", cmd::remove_attendee("room.2"));
  CHECK(g.s.member("room.2") == nullptr);
  CHECK(g.s.member("room") != nullptr);
}

// --- Warnings --------------------------------------------------------------

TEST_CASE("the phase warning comes one minute before the planned end, once", "[session][warnings]") {
  Group g;
  CHECK_FALSE(g.s.next_deadline().has_value());
  Outcome idle = g.s.tick(g.now + 10'000'000);  // not started: nothing
  CHECK(idle.events.empty());

  g.ok("fac", cmd::next());  // check-in, 300 s
  const TimeMs end = kStart + 300'000;
  REQUIRE(g.s.next_deadline().has_value());
  CHECK(*g.s.next_deadline() == end - 60'000);

  const std::uint64_t v = g.s.version();
  Outcome early = g.s.tick(end - 60'001);
  CHECK(early.ok());
  CHECK(early.events.empty());
  CHECK(g.s.version() == v);
  CHECK(g.state().warnings_size() == 0);

  Outcome due = g.s.tick(end - 60'000);
  REQUIRE(due.ok());
  CHECK(g.s.version() == v + 1);
  REQUIRE(due.events.size() == 1);
  CHECK(due.events[0].state_version() == v + 1);
  CHECK(due.events[0].warning().warning().kind() == v1::WARNING_KIND_PHASE_ENDING);
  CHECK(due.events[0].warning().warning().deadline_ms() == end);
  REQUIRE(g.state().warnings_size() == 1);
  CHECK(g.state().warnings(0).kind() == v1::WARNING_KIND_PHASE_ENDING);
  CHECK(g.state().warnings(0).deadline_ms() == end);

  Outcome again = g.s.tick(end + 100'000);  // past the end: the server does nothing more
  CHECK(again.events.empty());
  CHECK(g.s.version() == v + 1);
  CHECK(g.state().phase_index() == 0);  // the server never ends a phase itself

  // The next phase has its own warning; the old one is gone.
  g.now = end + 100'000;
  g.ok("fac", cmd::next());  // presentation, 600 s
  CHECK_FALSE(has_warning(g.state(), v1::WARNING_KIND_PHASE_ENDING));
  CHECK(*g.s.next_deadline() == g.now + 540'000);
  CHECK(g.s.tick(g.now + 539'999).events.empty());
  CHECK(g.s.tick(g.now + 540'000).events.size() == 1);
}

TEST_CASE("extending the phase clears the warning so it can fire again", "[session][warnings]") {
  Group g;
  g.ok("fac", cmd::next());
  const TimeMs end = kStart + 300'000;
  g.now = end - 30'000;
  REQUIRE(g.s.tick(g.now).events.size() == 1);

  SECTION("an extension that keeps the end within a minute keeps the warning") {
    g.ok("fac", cmd::extend(20));
    REQUIRE(g.state().warnings_size() == 1);
    CHECK(g.state().warnings(0).deadline_ms() == end + 20'000);
    CHECK(g.s.tick(g.now + 1000).events.empty());
  }
  SECTION("an extension past a minute from now clears it") {
    g.ok("fac", cmd::extend(120));
    CHECK(g.state().warnings_size() == 0);
    CHECK(*g.s.next_deadline() == end + 120'000 - 60'000);
    CHECK(g.s.tick(end + 59'999).events.empty());
    Outcome o = g.s.tick(end + 60'000);
    REQUIRE(o.events.size() == 1);
    CHECK(o.events[0].warning().warning().deadline_ms() == end + 120'000);
  }
}

TEST_CASE("the session warning comes ten minutes before the planned end, once", "[session][warnings]") {
  Group g;
  g.ok("fac", cmd::jump(kOpen));  // 1500 s phase, 3600 s session
  const TimeMs session_end = kStart + 3600'000;
  CHECK(*g.s.next_deadline() == kStart + 1500'000 - 60'000);  // the phase warning is first
  g.now = kStart + 1500'000;
  REQUIRE(g.s.tick(g.now).events.size() == 1);  // phase warning
  CHECK(*g.s.next_deadline() == session_end - 600'000);

  const std::uint64_t v = g.s.version();
  CHECK(g.s.tick(session_end - 600'001).events.empty());
  Outcome o = g.s.tick(session_end - 600'000);
  REQUIRE(o.events.size() == 1);
  CHECK(g.s.version() == v + 1);
  CHECK(o.events[0].warning().warning().kind() == v1::WARNING_KIND_SESSION_ENDING);
  CHECK(o.events[0].warning().warning().deadline_ms() == session_end);
  CHECK(has_warning(g.state(), v1::WARNING_KIND_SESSION_ENDING));

  // Phase changes do not clear it, nor raise it again.
  g.now = session_end - 500'000;
  g.ok("fac", cmd::next());
  CHECK(has_warning(g.state(), v1::WARNING_KIND_SESSION_ENDING));
  CHECK_FALSE(has_warning(g.state(), v1::WARNING_KIND_PHASE_ENDING));
  CHECK(*g.s.next_deadline() == g.now + 300'000 - 60'000);
  Outcome late = g.s.tick(g.now + 240'000);
  REQUIRE(late.events.size() == 1);
  CHECK(late.events[0].warning().warning().kind() == v1::WARNING_KIND_PHASE_ENDING);
  CHECK_FALSE(g.s.next_deadline().has_value());
}

TEST_CASE("both warnings due at once are raised by one tick", "[session][warnings]") {
  Group g;
  g.ok("fac", cmd::next());
  const std::uint64_t v = g.s.version();
  Outcome o = g.s.tick(kStart + 3600'000);
  REQUIRE(o.events.size() == 2);
  CHECK(g.s.version() == v + 1);
  CHECK(o.events[0].state_version() == v + 1);
  CHECK(o.events[1].state_version() == v + 1);
  CHECK(g.state().warnings_size() == 2);
}

TEST_CASE("short phases and short sessions get no warning", "[session][warnings]") {
  v1::Format f;
  f.set_id("short");
  f.set_name("Short");
  for (auto [id, seconds] : {std::pair{"a", 59u}, std::pair{"b", 60u}, std::pair{"c", 0u}}) {
    v1::Phase* p = f.add_phases();
    p->set_id(id);
    p->set_name(id);
    p->set_planned_seconds(seconds);
    p->set_rule(v1::SPEAKING_RULE_EVERYONE);
  }
  Session s = make_session(f);
  REQUIRE(s.join("fac", "Fay", v1::ROLE_FACILITATOR, kStart).ok());
  REQUIRE(s.apply("fac", cmd::next(), kStart).ok());  // 59 s: no phase warning
  CHECK_FALSE(s.next_deadline().has_value());         // 119 s session: no session warning
  CHECK(s.tick(kStart + 58'000).events.empty());
  REQUIRE(s.apply("fac", cmd::next(), kStart + 59'000).ok());  // exactly 60 s: due at once
  CHECK(*s.next_deadline() == kStart + 59'000);
  CHECK(s.tick(kStart + 59'000).events.size() == 1);
  REQUIRE(s.apply("fac", cmd::next(), kStart + 70'000).ok());  // 0 s: none
  CHECK_FALSE(s.next_deadline().has_value());
  REQUIRE(s.apply("fac", cmd::extend(60), kStart + 70'000).ok());  // now 60 s long
  CHECK(*s.next_deadline() == kStart + 70'000);
}

TEST_CASE("Balint's closing phase has no phase warning", "[session][warnings]") {
  Group g(balint_format());
  g.go_to(kBClose);
  CHECK(*g.s.next_deadline() == kStart + 3600'000 - 600'000);  // only the session's
}

TEST_CASE("the server can end a session whoever is connected", "[session][end]") {
  std::string error;
  auto session = balint::core::Session::create(
      balint::core::SessionConfig{"s1", "Group", balint::core::balint_format(), "", 12, ""}, error);
  REQUIRE(session);
  REQUIRE(session->join("p1", "Pat", balint::v1::ROLE_PARTICIPANT, 1000).ok());
  const auto before = session->version();
  const auto outcome = session->end(2000);
  REQUIRE(outcome.ok());
  CHECK(session->ended());
  CHECK(session->version() == before + 1);
  REQUIRE(outcome.events.size() == 1);
  CHECK(outcome.events[0].has_session_ended());
  CHECK_FALSE(session->may_speak("p1"));
  const auto again = session->end(3000);
  CHECK(again.code == balint::v1::ERROR_CODE_SESSION_ENDED);
  CHECK(session->version() == before + 1);
}
