// Internal to the session engine: the rule functions behind Session, shared
// by the source files that each hold one part of the rulebook.
//
//   session.cpp   creation, join/disconnect, command dispatch, tick, snapshot
//   speaking.cpp  the one decision of who may speak and chat; who controls
//   phases.cpp    phase commands and warnings
//   go_around.cpp the go-around order and the turn
//   members.cpp   hands, floor, presenter, mutes, removal, in-room attendees
//   keys.cpp      announced end-to-end keys, the key epoch, relay checks
//
// Every command handler checks everything first and changes the state only
// once it knows it will succeed, so a refused command leaves no trace.
#pragma once

#include "core/session.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace balint::core {

namespace detail {

using Events = std::vector<v1::Event>;

// Who sent a command, copied out of the roster so that handlers may change
// the roster freely.
struct Actor {
  std::string id;
  v1::Role role = v1::ROLE_UNSPECIFIED;
};

v1::Event phase_changed_event(int from, int to);
v1::Event turn_moved_event(const std::string& from, const std::string& to);
v1::Event warning_event(const v1::Warning& warning);
v1::Event member_joined_event(const std::string& id);
v1::Event member_left_event(const std::string& id, const std::string& reason);
v1::Event member_reconnecting_event(const std::string& id, TimeMs deadline);
v1::Event session_ended_event();

// An ok outcome carrying `events`.
Outcome accepted(Events events = {});
// The refusals of a command that names a member: nobody named, or nobody by that id.
Outcome missing_id(std::string_view what);
Outcome not_in_roster(const std::string& id);

}  // namespace detail

struct Session::Impl {
  using Actor = detail::Actor;
  using Events = detail::Events;

  // --- Versions (session.cpp) ---------------------------------------------
  // Records an accepted change: the version rises by one and `events` are
  // stamped with it.
  static void commit(Session& s, Events& events);

  // --- Roster lookups (session.cpp) ---------------------------------------
  // Why `id` cannot act (not in the roster, an in-room attendee, or
  // without a connection); nothing if they can.
  static std::optional<Outcome> refuse_actor(const Session& s, const std::string& id);
  static int index_of(const Session& s, std::string_view id);
  static const v1::Member* find(const Session& s, std::string_view id);
  static v1::Member* find(Session& s, std::string_view id);
  static bool is_person(const v1::Member& m) { return m.role() != v1::ROLE_ROOM; }
  static bool is_leader(const v1::Member& m) {
    return m.role() == v1::ROLE_FACILITATOR || m.role() == v1::ROLE_CO_FACILITATOR;
  }
  static bool is_attendee(const v1::Member& m) { return !m.room_device_id().empty(); }
  // Only CONNECTED counts: a RECONNECTING member has no connection to act,
  // speak or lead through.
  static bool is_connected(const v1::Member& m) { return m.connection() == v1::CONNECTION_STATUS_CONNECTED; }
  static bool is_reconnecting(const v1::Member& m) { return m.connection() == v1::CONNECTION_STATUS_RECONNECTING; }
  // Members the cap counts: everyone but facilitators, co-facilitators and
  // room devices (in-room attendees count).
  static int capped_count(const Session& s);
  // Sets a member's connection and reconnect deadline (0: none); a room
  // device's attendees follow it.
  static void set_connection(Session& s, v1::Member& m, v1::ConnectionStatus status, TimeMs deadline);
  // Takes members out of the session: roster, go-around, hand queue, floor.
  // A room device takes its attendees with it. The presenter id stays.
  static void remove_member(Session& s, const std::string& id, v1::LeaveReason reason, Events& events);

  // --- Control and speaking (speaking.cpp) -------------------------------
  static bool facilitator_connected(const Session& s);
  static std::string controller_id(const Session& s);
  // Refusal when the actor is not the facilitator in control; `what` ends
  // "only a facilitator can ...".
  static std::optional<Outcome> require_control(const Session& s, const Actor& actor, std::string_view what);
  static bool in_control(const Session& s, const Actor& actor);
  // The speaking rule, for each of what a member sends.
  enum class Medium { audio, chat, video };
  static bool decide(const Session& s, std::string_view id, Medium medium);
  static bool decide_private(const Session& s, std::string_view sender_id, std::string_view recipient_id);

  // --- Phases and warnings (phases.cpp) ----------------------------------
  static const v1::Phase* current_phase(const Session& s);
  static v1::SpeakingRule current_rule(const Session& s);
  static bool started(const Session& s) { return s.state_.phase_index() >= 0; }
  static void enter_phase(Session& s, int to, TimeMs now, Events& events);
  static std::optional<TimeMs> phase_warning_due(const Session& s);
  static std::optional<TimeMs> session_warning_due(const Session& s);
  static Outcome next_phase(Session& s, const Actor& a, TimeMs now);
  static Outcome previous_phase(Session& s, const Actor& a, TimeMs now);
  static Outcome jump_to_phase(Session& s, const Actor& a, const v1::JumpToPhase& c, TimeMs now);
  static Outcome extend_phase(Session& s, const Actor& a, const v1::ExtendPhase& c, TimeMs now);
  static Outcome end_session(Session& s, const Actor& a);
  static Outcome close_session(Session& s);  // Ends it, whoever asked.

  // --- Go-around (go_around.cpp) -----------------------------------------
  static void refresh_complete(Session& s);
  // Replaces the order with the people of the roster in roster order,
  // leaving out room devices, facilitators, co-facilitators and the
  // presenter; nobody holds the turn.
  static void build_order_from_roster(Session& s);
  // Makes the first waiting entry the turn holder; its id, or empty if none.
  static std::string claim_first_waiting(Session& s);
  // The turn left `from`: it goes to the first waiting entry (or nobody).
  static void move_turn_on(Session& s, const std::string& from, Events& events);
  // Gives a free turn to the first waiting entry, if the current phase is a
  // turn-holder phase.
  static void start_turn_if_due(Session& s, Events& events);
  // Takes people out of the order; if one of them held the turn it moves on.
  static void drop_from_go_around(Session& s, const std::vector<std::string>& ids, Events& events);
  static Outcome build_go_around(Session& s, const Actor& a);
  static Outcome start_go_around(Session& s, const Actor& a);
  static Outcome set_go_around_order(Session& s, const Actor& a, const v1::SetGoAroundOrder& c);
  static Outcome end_turn(Session& s, const Actor& a, v1::TurnStatus status);
  static Outcome skip_turn(Session& s, const Actor& a);

  // --- Members (members.cpp) ---------------------------------------------
  static Outcome set_presenter(Session& s, const Actor& a, const v1::SetPresenter& c);
  static Outcome raise_hand(Session& s, const Actor& a, const v1::RaiseHand& c);
  static Outcome lower_hand(Session& s, const Actor& a, const v1::LowerHand& c);
  static Outcome give_floor(Session& s, const Actor& a, const v1::GiveFloor& c);
  static Outcome set_muted(Session& s, const Actor& a, const std::string& target, bool muted);
  // --- Cameras (video.cpp) -----------------------------------------------
  static Outcome set_camera(Session& s, const Actor& a, const v1::SetCamera& c);
  static Outcome set_video_stopped(Session& s, const Actor& a, const std::string& target, bool stopped);
  static Outcome set_presenter_camera(Session& s, const Actor& a, const v1::SetPresenterCamera& c);
  static Outcome remove_by_facilitator(Session& s, const Actor& a, const v1::RemoveMember& c);
  static Outcome leave(Session& s, const Actor& a);
  static Outcome add_room_attendee(Session& s, const Actor& a, const v1::AddRoomAttendee& c);
  static Outcome remove_room_attendee(Session& s, const Actor& a, const v1::RemoveRoomAttendee& c);

  // --- End-to-end keys (keys.cpp) ----------------------------------------
  // The connection behind a member's keys is gone: the keys go and, if
  // there were any, the key epoch rises.
  static void drop_keys(Session& s, v1::Member& m);
  // A member's connection ended (or a new one replaces it): what belonged
  // to it goes, the keys and the camera.
  static void forget_connection(Session& s, v1::Member& m);
  static Outcome announce_keys(Session& s, const Actor& a, const v1::AnnounceKeys& c);
  // Why `sender` cannot relay anything sealed under `epoch` now, if so.
  static std::optional<Outcome> refuse_relay(const Session& s, const std::string& sender_id, std::uint64_t epoch);
  // Why `recipient` cannot be addressed by `sender`, if so.
  static std::optional<Outcome> refuse_recipient(const Session& s, const std::string& sender_id,
                                                 const std::string& recipient_id);
};

}  // namespace balint::core
