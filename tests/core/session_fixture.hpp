// Helpers shared by the session engine tests: command builders and a small
// group with a facilitator, a co-facilitator, a presenter, participants and a
// room device.
#pragma once

#include "core/formats.hpp"
#include "core/session.hpp"

#include <catch2/catch.hpp>

#include <initializer_list>
#include <string>
#include <utility>

namespace core_test {

namespace v1 = balint::v1;
using balint::core::Outcome;
using balint::core::Session;
using balint::core::SessionConfig;
using balint::core::TimeMs;

namespace cmd {
inline v1::Command next() {
  v1::Command c;
  c.mutable_next_phase();
  return c;
}
inline v1::Command previous() {
  v1::Command c;
  c.mutable_previous_phase();
  return c;
}
inline v1::Command jump(int index) {
  v1::Command c;
  c.mutable_jump_to_phase()->set_phase_index(index);
  return c;
}
inline v1::Command extend(std::uint32_t seconds) {
  v1::Command c;
  c.mutable_extend_phase()->set_seconds(seconds);
  return c;
}
inline v1::Command end() {
  v1::Command c;
  c.mutable_end_session();
  return c;
}
inline v1::Command presenter(const std::string& id) {
  v1::Command c;
  c.mutable_set_presenter()->set_participant_id(id);
  return c;
}
inline v1::Command build() {
  v1::Command c;
  c.mutable_build_go_around();
  return c;
}
inline v1::Command start() {
  v1::Command c;
  c.mutable_start_go_around();
  return c;
}
inline v1::Command order(std::initializer_list<std::string> ids) {
  v1::Command c;
  auto* o = c.mutable_set_go_around_order();
  for (const std::string& id : ids) o->add_participant_ids(id);
  return c;
}
inline v1::Command pass() {
  v1::Command c;
  c.mutable_pass_turn();
  return c;
}
inline v1::Command finish() {
  v1::Command c;
  c.mutable_finish_turn();
  return c;
}
inline v1::Command skip() {
  v1::Command c;
  c.mutable_skip_turn();
  return c;
}
inline v1::Command raise(const std::string& id = {}) {
  v1::Command c;
  c.mutable_raise_hand()->set_participant_id(id);
  return c;
}
inline v1::Command lower(const std::string& id = {}) {
  v1::Command c;
  c.mutable_lower_hand()->set_participant_id(id);
  return c;
}
inline v1::Command floor(const std::string& id) {
  v1::Command c;
  c.mutable_give_floor()->set_participant_id(id);
  return c;
}
inline v1::Command mute(const std::string& id) {
  v1::Command c;
  c.mutable_mute()->set_participant_id(id);
  return c;
}
inline v1::Command unmute(const std::string& id) {
  v1::Command c;
  c.mutable_unmute()->set_participant_id(id);
  return c;
}
inline v1::Command camera(bool on) {
  v1::Command c;
  c.mutable_set_camera()->set_on(on);
  return c;
}
inline v1::Command stop_video(const std::string& id) {
  v1::Command c;
  c.mutable_stop_video()->set_participant_id(id);
  return c;
}
inline v1::Command allow_video(const std::string& id) {
  v1::Command c;
  c.mutable_allow_video()->set_participant_id(id);
  return c;
}
inline v1::Command presenter_camera(v1::PresenterCamera policy) {
  v1::Command c;
  c.mutable_set_presenter_camera()->set_policy(policy);
  return c;
}
inline v1::Command remove(const std::string& id) {
  v1::Command c;
  c.mutable_remove_member()->set_participant_id(id);
  return c;
}
inline v1::Command add_attendee(const std::string& name, const std::string& device = {}) {
  v1::Command c;
  c.mutable_add_room_attendee()->set_display_name(name);
  c.mutable_add_room_attendee()->set_room_device_id(device);
  return c;
}
inline v1::Command remove_attendee(const std::string& id) {
  v1::Command c;
  c.mutable_remove_room_attendee()->set_participant_id(id);
  return c;
}
inline v1::Command leave() {
  v1::Command c;
  c.mutable_leave();
  return c;
}
}  // namespace cmd

inline constexpr TimeMs kStart = 1'700'000'000'000;
inline constexpr TimeMs kGrace = 60'000;  // SessionConfig's default reconnect grace.

inline Session make_session(const v1::Format& format, std::string presenter = "pres", std::uint32_t max_members = 12,
                            TimeMs reconnect_grace_ms = kGrace) {
  SessionConfig config;
  config.session_id = "s1";
  config.name = "Thursday group";
  config.format = format;
  config.presenter_id = std::move(presenter);
  config.max_members = max_members;
  config.ground_rules = "What is said here stays here.";
  config.reconnect_grace_ms = reconnect_grace_ms;
  std::string error;
  std::optional<Session> s = Session::create(std::move(config), error);
  REQUIRE(error.empty());
  REQUIRE(s.has_value());
  return std::move(*s);
}

// A session with: fac (facilitator), cof (co-facilitator), pres (participant
// named presenter), p1, p2, p3 (participants), room (room device) carrying
// room.1 and room.2. Not started.
struct Group {
  Session s;
  TimeMs now = kStart;

  explicit Group(const v1::Format& format = balint::core::ccdg_format(), bool with_room = true,
                 TimeMs reconnect_grace_ms = kGrace)
      : s(make_session(format, "pres", 12, reconnect_grace_ms)) {
    REQUIRE(s.join("fac", "Fay", v1::ROLE_FACILITATOR, now).ok());
    REQUIRE(s.join("cof", "Cole", v1::ROLE_CO_FACILITATOR, now).ok());
    REQUIRE(s.join("pres", "Pia", v1::ROLE_PARTICIPANT, now).ok());
    REQUIRE(s.join("p1", "Ann", v1::ROLE_PARTICIPANT, now).ok());
    REQUIRE(s.join("p2", "Ben", v1::ROLE_PARTICIPANT, now).ok());
    REQUIRE(s.join("p3", "Cy", v1::ROLE_PARTICIPANT, now).ok());
    if (with_room) {
      REQUIRE(s.join("room", "Room 4B", v1::ROLE_ROOM, now).ok());
      REQUIRE(s.apply("room", cmd::add_attendee("Dee"), now).ok());
      REQUIRE(s.apply("room", cmd::add_attendee("Eve"), now).ok());
    }
  }

  Outcome apply(const std::string& actor, const v1::Command& c) { return s.apply(actor, c, now); }

  // Applies and requires success.
  void ok(const std::string& actor, const v1::Command& c) {
    Outcome o = apply(actor, c);
    INFO(actor << ": " << o.message);
    REQUIRE(o.ok());
  }

  // Moves to phase `index` as the facilitator.
  void go_to(int index) { ok("fac", cmd::jump(index)); }
  // Into the go-around phase, and its round started: the first person waiting holds the turn.
  void start_round_in(int index) {
    go_to(index);
    ok("fac", cmd::start());
  }

  v1::SessionState state() const { return s.snapshot(now); }

  v1::Member member(const std::string& id) const {
    const v1::SessionState snap = state();
    for (const v1::Member& m : snap.roster()) {
      if (m.participant_id() == id) return m;
    }
    FAIL("no member " << id);
    return {};
  }

  std::string holder() const { return state().go_around().turn_holder_id(); }

  v1::TurnStatus status(const std::string& id) const {
    const v1::SessionState snap = state();
    for (const v1::GoAroundEntry& e : snap.go_around().order()) {
      if (e.participant_id() == id) return e.status();
    }
    return v1::TURN_STATUS_UNSPECIFIED;
  }

  std::vector<std::string> order_ids() const {
    std::vector<std::string> ids;
    const v1::SessionState snap = state();
    for (const v1::GoAroundEntry& e : snap.go_around().order()) {
      ids.push_back(e.participant_id());
    }
    return ids;
  }

  std::vector<std::string> hands() const {
    const v1::SessionState snap = state();
    return {snap.hand_queue().begin(), snap.hand_queue().end()};
  }
};

// Requires that `o` is refused with `code` and that nothing changed.
#define REQUIRE_REFUSED(group, call, expected_code)                  \
  do {                                                               \
    const std::string before_ = (group).state().SerializeAsString(); \
    const std::uint64_t version_ = (group).s.version();              \
    const Outcome o_ = (call);                                       \
    INFO("message: " << o_.message);                                 \
    CHECK(o_.code == (expected_code));                               \
    CHECK_FALSE(o_.message.empty());                                 \
    CHECK(o_.events.empty());                                        \
    CHECK((group).s.version() == version_);                          \
    CHECK((group).state().SerializeAsString() == before_);           \
  } while (false)

}  // namespace core_test
