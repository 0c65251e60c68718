// Creation, the roster's connections, command dispatch, time and snapshots.
#include "core/session.hpp"

#include "core/formats.hpp"
#include "core/names.hpp"
#include "core/session_impl.hpp"

#include <algorithm>
#include <utility>

namespace balint::core {

using namespace detail;

namespace {

constexpr std::uint32_t kMaxMembersLimit = 100;

bool valid_join_role(v1::Role role) {
  return role == v1::ROLE_FACILITATOR || role == v1::ROLE_CO_FACILITATOR || role == v1::ROLE_PARTICIPANT ||
         role == v1::ROLE_ROOM;
}

}  // namespace

// --- Outcomes and events ---------------------------------------------------

Outcome Outcome::error(v1::ErrorCode code, std::string message) {
  Outcome outcome;
  outcome.code = code;
  outcome.message = std::move(message);
  return outcome;
}

namespace detail {

Outcome accepted(Events events) {
  Outcome outcome;
  outcome.events = std::move(events);
  return outcome;
}

Outcome missing_id(std::string_view what) {
  return Outcome::error(v1::ERROR_CODE_INVALID_ARGUMENT, "participant_id is missing: name " + std::string(what));
}

Outcome not_in_roster(const std::string& id) {
  return Outcome::error(v1::ERROR_CODE_UNKNOWN_PARTICIPANT, id + " is not in the roster");
}

v1::Event phase_changed_event(int from, int to) {
  v1::Event event;
  event.mutable_phase_changed()->set_from_index(from);
  event.mutable_phase_changed()->set_to_index(to);
  return event;
}

v1::Event turn_moved_event(const std::string& from, const std::string& to) {
  v1::Event event;
  event.mutable_turn_moved()->set_from_id(from);
  event.mutable_turn_moved()->set_to_id(to);
  return event;
}

v1::Event warning_event(const v1::Warning& warning) {
  v1::Event event;
  *event.mutable_warning()->mutable_warning() = warning;
  return event;
}

v1::Event member_joined_event(const std::string& id) {
  v1::Event event;
  event.mutable_member_joined()->set_participant_id(id);
  return event;
}

// The reason's word, as clients older than the enum read it.
const char* legacy_word(v1::LeaveReason reason) {
  switch (reason) {
    case v1::LEAVE_REASON_LEFT: return "left";
    case v1::LEAVE_REASON_REMOVED: return "removed";
    case v1::LEAVE_REASON_TIMED_OUT: return "timed_out";
    case v1::LEAVE_REASON_DISCONNECTED: return "disconnected";
    default: return "";
  }
}

v1::Event member_left_event(const std::string& id, v1::LeaveReason reason) {
  v1::Event event;
  auto& left = *event.mutable_member_left();
  left.set_participant_id(id);
  left.set_reason(reason);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  left.set_legacy_reason(legacy_word(reason));
#pragma GCC diagnostic pop
  return event;
}

v1::Event member_reconnecting_event(const std::string& id, TimeMs deadline) {
  v1::Event event;
  event.mutable_member_reconnecting()->set_participant_id(id);
  event.mutable_member_reconnecting()->set_deadline_ms(deadline);
  return event;
}

v1::Event session_ended_event() {
  v1::Event event;
  event.mutable_session_ended();
  return event;
}

}  // namespace detail

void Session::Impl::commit(Session& s, Events& events) {
  s.state_.set_version(s.state_.version() + 1);
  for (v1::Event& e : events) e.set_state_version(s.state_.version());
}

// --- Roster helpers --------------------------------------------------------

int Session::Impl::index_of(const Session& s, std::string_view id) {
  const auto& roster = s.state_.roster();
  for (int i = 0; i < roster.size(); ++i) {
    if (roster.Get(i).participant_id() == id) return i;
  }
  return -1;
}

const v1::Member* Session::Impl::find(const Session& s, std::string_view id) {
  const int i = index_of(s, id);
  return i < 0 ? nullptr : &s.state_.roster(i);
}

v1::Member* Session::Impl::find(Session& s, std::string_view id) {
  const int i = index_of(s, id);
  return i < 0 ? nullptr : s.state_.mutable_roster(i);
}

std::optional<Outcome> Session::Impl::refuse_actor(const Session& s, const std::string& id) {
  if (s.state_.ended()) return Outcome::error(v1::ERROR_CODE_SESSION_ENDED, "the session has ended");
  const v1::Member* member = find(s, id);
  if (member == nullptr) return Outcome::error(v1::ERROR_CODE_UNKNOWN_PARTICIPANT, id + " is not in the roster");
  if (is_attendee(*member)) {
    return Outcome::error(v1::ERROR_CODE_PERMISSION_DENIED,
                          id + " is an in-room attendee and acts through room device " + member->room_device_id());
  }
  if (!is_connected(*member)) {
    return Outcome::error(v1::ERROR_CODE_PERMISSION_DENIED, id + " is not connected and cannot send commands");
  }
  return std::nullopt;
}

int Session::Impl::capped_count(const Session& s) {
  int count = 0;
  for (const v1::Member& m : s.state_.roster()) {
    if (!is_leader(m) && m.role() != v1::ROLE_ROOM) ++count;
  }
  return count;
}

void Session::Impl::set_connection(Session& s, v1::Member& m, v1::ConnectionStatus status, TimeMs deadline) {
  m.set_connection(status);
  m.set_reconnect_deadline_ms(deadline);
  if (m.role() != v1::ROLE_ROOM) return;
  for (v1::Member& attendee : *s.state_.mutable_roster()) {
    if (attendee.room_device_id() != m.participant_id()) continue;
    attendee.set_connection(status);
    attendee.set_reconnect_deadline_ms(deadline);
  }
}

void Session::Impl::remove_member(Session& s, const std::string& id, v1::LeaveReason reason, Events& events) {
  std::vector<std::string> leaving{id};
  for (const v1::Member& m : s.state_.roster()) {
    if (m.room_device_id() == id) leaving.push_back(m.participant_id());
  }
  for (const std::string& who : leaving) {
    const int index = index_of(s, who);
    if (index < 0) continue;
    drop_keys(s, *s.state_.mutable_roster(index));
    s.state_.mutable_roster()->DeleteSubrange(index, 1);
    events.push_back(member_left_event(who, reason));

    auto* hands = s.state_.mutable_hand_queue();
    for (int i = 0; i < hands->size(); ++i) {
      if (hands->Get(i) == who) {
        hands->DeleteSubrange(i, 1);
        break;
      }
    }
    if (s.state_.floor_holder_id() == who) s.state_.clear_floor_holder_id();
  }
  drop_from_go_around(s, leaving, events);
}

// --- Creation --------------------------------------------------------------

Session::Session(SessionConfig config) : reconnect_grace_ms_(config.reconnect_grace_ms) {
  state_.set_session_id(std::move(config.session_id));
  state_.set_name(std::move(config.name));
  state_.set_version(1);
  *state_.mutable_format() = std::move(config.format);
  state_.set_phase_index(-1);
  state_.set_presenter_id(std::move(config.presenter_id));
  state_.set_ground_rules(std::move(config.ground_rules));
  state_.set_max_members(config.max_members);
  // Present from the start, so that reading it through mutable access never
  // changes the state.
  state_.mutable_go_around();
}

std::optional<Session> Session::create(SessionConfig config, std::string& error) {
  error.clear();
  if (config.session_id.empty()) {
    error = "session id is missing";
    return std::nullopt;
  }
  if (std::string problem = validate_format(config.format); !problem.empty()) {
    error = "invalid format: " + problem;
    return std::nullopt;
  }
  if (config.max_members < 1 || config.max_members > kMaxMembersLimit) {
    error = "max_members must be between 1 and " + std::to_string(kMaxMembersLimit) + " (got " +
            std::to_string(config.max_members) + ")";
    return std::nullopt;
  }
  if (config.reconnect_grace_ms < 0) {
    error = "reconnect_grace_ms must not be negative (got " + std::to_string(config.reconnect_grace_ms) + ")";
    return std::nullopt;
  }
  return Session(std::move(config));
}

// --- Connections -----------------------------------------------------------

Outcome Session::check_join(const std::string& participant_id, const std::string& display_name, v1::Role role) const {
  if (state_.ended()) return Outcome::error(v1::ERROR_CODE_SESSION_ENDED, "the session has ended");
  if (participant_id.empty()) {
    return Outcome::error(v1::ERROR_CODE_INVALID_ARGUMENT, "participant id is missing");
  }
  if (!valid_participant_id(participant_id)) {
    return Outcome::error(v1::ERROR_CODE_INVALID_ARGUMENT,
                          "participant id must be 1-64 letters, digits, '-' or '_'");
  }
  if (const auto problem = display_name_problem(display_name); !problem.empty()) {
    return Outcome::error(v1::ERROR_CODE_INVALID_ARGUMENT, "display name of " + participant_id + " " + problem);
  }
  if (!valid_join_role(role)) {
    return Outcome::error(v1::ERROR_CODE_INVALID_ARGUMENT,
                          "role of " + participant_id + " must be facilitator, co-facilitator, participant or room");
  }
  if (const v1::Member* known = Impl::find(*this, participant_id)) {
    if (Impl::is_attendee(*known)) {
      return Outcome::error(v1::ERROR_CODE_INVALID_ARGUMENT, participant_id + " is an in-room attendee carried by " +
                                                                 known->room_device_id() +
                                                                 "; they cannot join on their own");
    }
    return accepted();  // A returning member comes back even to a full session.
  }
  if (role == v1::ROLE_PARTICIPANT && Impl::capped_count(*this) >= static_cast<int>(state_.max_members())) {
    return Outcome::error(v1::ERROR_CODE_SESSION_FULL, "the session is full (" +
                                                           std::to_string(state_.max_members()) +
                                                           " members besides facilitators and room devices)");
  }
  return accepted();
}

Outcome Session::join(const std::string& participant_id, const std::string& display_name, v1::Role role, TimeMs now) {
  if (auto verdict = check_join(participant_id, display_name, role); !verdict.ok()) return verdict;

  Events events;
  if (v1::Member* known = Impl::find(*this, participant_id)) {
    // A returning member (reconnecting, or signing in again) keeps role,
    // place, hand and mute; keys and camera belong to a connection, so the
    // new one announces its own.
    Impl::forget_connection(*this, *known);
    Impl::set_connection(*this, *known, v1::CONNECTION_STATUS_CONNECTED, 0);
    known->set_display_name(display_name);
  } else {
    v1::Member* member = state_.add_roster();
    member->set_participant_id(participant_id);
    member->set_display_name(display_name);
    member->set_role(role);
    member->set_location(v1::LOCATION_REMOTE);
    member->set_connection(v1::CONNECTION_STATUS_CONNECTED);
  }
  events.push_back(member_joined_event(participant_id));

  Impl::commit(*this, events);
  return accepted(std::move(events));
}

Outcome Session::disconnect(const std::string& participant_id, TimeMs now) {
  if (state_.ended()) return Outcome::error(v1::ERROR_CODE_SESSION_ENDED, "the session has ended");
  v1::Member* member = Impl::find(*this, participant_id);
  if (member == nullptr) {
    return Outcome::error(v1::ERROR_CODE_UNKNOWN_PARTICIPANT, participant_id + " is not in the roster");
  }
  if (Impl::is_attendee(*member)) {
    return Outcome::error(
        v1::ERROR_CODE_INVALID_ARGUMENT,
        participant_id + " is an in-room attendee; their connection is " + member->room_device_id() + "'s");
  }
  if (!Impl::is_connected(*member)) {
    return Outcome::error(v1::ERROR_CODE_NO_CHANGE, participant_id + " is already reconnecting");
  }
  Events events;
  if (reconnect_grace_ms_ == 0) {
    Impl::remove_member(*this, participant_id, v1::LEAVE_REASON_DISCONNECTED, events);
  } else {
    const TimeMs deadline = now + reconnect_grace_ms_;
    Impl::forget_connection(*this, *member);
    Impl::set_connection(*this, *member, v1::CONNECTION_STATUS_RECONNECTING, deadline);
    events.push_back(member_reconnecting_event(participant_id, deadline));
  }
  Impl::commit(*this, events);
  return accepted(std::move(events));
}

// --- Commands --------------------------------------------------------------

Outcome Session::apply(const std::string& actor_id, const v1::Command& command, TimeMs now) {
  if (auto refusal = Impl::refuse_actor(*this, actor_id)) return *refusal;
  const v1::Member* member = Impl::find(*this, actor_id);
  const Actor actor{member->participant_id(), member->role()};

  Outcome outcome;
  using K = v1::Command;
  switch (command.kind_case()) {
    case K::kNextPhase:
      outcome = Impl::next_phase(*this, actor, now);
      break;
    case K::kPreviousPhase:
      outcome = Impl::previous_phase(*this, actor, now);
      break;
    case K::kJumpToPhase:
      outcome = Impl::jump_to_phase(*this, actor, command.jump_to_phase(), now);
      break;
    case K::kExtendPhase:
      outcome = Impl::extend_phase(*this, actor, command.extend_phase(), now);
      break;
    case K::kEndSession:
      outcome = Impl::end_session(*this, actor);
      break;
    case K::kSetPresenter:
      outcome = Impl::set_presenter(*this, actor, command.set_presenter());
      break;
    case K::kBuildGoAround:
      outcome = Impl::build_go_around(*this, actor);
      break;
    case K::kSetGoAroundOrder:
      outcome = Impl::set_go_around_order(*this, actor, command.set_go_around_order());
      break;
    case K::kStartGoAround:
      outcome = Impl::start_go_around(*this, actor);
      break;
    case K::kPassTurn:
      outcome = Impl::end_turn(*this, actor, v1::TURN_STATUS_PASSED);
      break;
    case K::kFinishTurn:
      outcome = Impl::end_turn(*this, actor, v1::TURN_STATUS_FINISHED);
      break;
    case K::kSetCamera:
      outcome = Impl::set_camera(*this, actor, command.set_camera());
      break;
    case K::kStopVideo:
      outcome = Impl::set_video_stopped(*this, actor, command.stop_video().participant_id(), true);
      break;
    case K::kAllowVideo:
      outcome = Impl::set_video_stopped(*this, actor, command.allow_video().participant_id(), false);
      break;
    case K::kSetPresenterCamera:
      outcome = Impl::set_presenter_camera(*this, actor, command.set_presenter_camera());
      break;
    case K::kSkipTurn:
      outcome = Impl::skip_turn(*this, actor);
      break;
    case K::kRaiseHand:
      outcome = Impl::raise_hand(*this, actor, command.raise_hand());
      break;
    case K::kLowerHand:
      outcome = Impl::lower_hand(*this, actor, command.lower_hand());
      break;
    case K::kGiveFloor:
      outcome = Impl::give_floor(*this, actor, command.give_floor());
      break;
    case K::kMute:
      outcome = Impl::set_muted(*this, actor, command.mute().participant_id(), true);
      break;
    case K::kUnmute:
      outcome = Impl::set_muted(*this, actor, command.unmute().participant_id(), false);
      break;
    case K::kRemoveMember:
      outcome = Impl::remove_by_facilitator(*this, actor, command.remove_member());
      break;
    case K::kAddRoomAttendee:
      outcome = Impl::add_room_attendee(*this, actor, command.add_room_attendee());
      break;
    case K::kRemoveRoomAttendee:
      outcome = Impl::remove_room_attendee(*this, actor, command.remove_room_attendee());
      break;
    case K::kLeave:
      outcome = Impl::leave(*this, actor);
      break;
    case K::kAnnounceKeys:
      outcome = Impl::announce_keys(*this, actor, command.announce_keys());
      break;
    case K::KIND_NOT_SET:
      return Outcome::error(v1::ERROR_CODE_INVALID_ARGUMENT, "the command is empty");
  }
  if (!outcome.ok()) return outcome;

  Impl::commit(*this, outcome.events);
  return outcome;
}

Outcome Session::end(TimeMs) {
  if (state_.ended()) return Outcome::error(v1::ERROR_CODE_SESSION_ENDED, "the session has ended");
  Outcome outcome = Impl::close_session(*this);
  Impl::commit(*this, outcome.events);
  return outcome;
}

// --- Time ------------------------------------------------------------------

Outcome Session::tick(TimeMs now) {
  if (state_.ended()) return accepted();
  Events events;
  // Whoever did not come back in time goes as if removed (attendees with
  // their device), before the session has started too.
  std::vector<std::string> timed_out;
  for (const v1::Member& m : state_.roster()) {
    if (Impl::is_reconnecting(m) && !Impl::is_attendee(m) && m.reconnect_deadline_ms() <= now) {
      timed_out.push_back(m.participant_id());
    }
  }
  for (const std::string& id : timed_out) Impl::remove_member(*this, id, v1::LEAVE_REASON_TIMED_OUT, events);

  // The warnings are due only once the session has started.
  if (auto due = Impl::phase_warning_due(*this); due && now >= *due) {
    phase_warning_raised_ = true;
    v1::Warning* warning = state_.add_warnings();
    warning->set_kind(v1::WARNING_KIND_PHASE_ENDING);
    warning->set_deadline_ms(state_.phase_planned_end_ms());
    events.push_back(warning_event(*warning));
  }
  if (auto due = Impl::session_warning_due(*this); due && now >= *due) {
    session_warning_raised_ = true;
    v1::Warning* warning = state_.add_warnings();
    warning->set_kind(v1::WARNING_KIND_SESSION_ENDING);
    warning->set_deadline_ms(state_.session_planned_end_ms());
    events.push_back(warning_event(*warning));
  }
  if (events.empty()) return accepted();
  Impl::commit(*this, events);
  return accepted(std::move(events));
}

std::optional<TimeMs> Session::next_deadline() const {
  if (state_.ended()) return std::nullopt;
  std::optional<TimeMs> next;
  const auto consider = [&next](std::optional<TimeMs> due) {
    if (due && (!next || *due < *next)) next = due;
  };
  consider(Impl::phase_warning_due(*this));
  consider(Impl::session_warning_due(*this));
  for (const v1::Member& m : state_.roster()) {
    if (Impl::is_reconnecting(m)) consider(m.reconnect_deadline_ms());
  }
  return next;
}

// --- Queries ---------------------------------------------------------------

bool Session::may_speak(std::string_view participant_id) const {
  return Impl::decide(*this, participant_id, Impl::Medium::audio);
}

bool Session::may_chat(std::string_view participant_id) const {
  return Impl::decide(*this, participant_id, Impl::Medium::chat);
}

bool Session::may_send_video(std::string_view participant_id) const {
  return Impl::decide(*this, participant_id, Impl::Medium::video);
}

bool Session::may_chat_to(std::string_view sender_id, std::string_view recipient_id) const {
  return Impl::decide_private(*this, sender_id, recipient_id);
}

std::uint64_t Session::version() const { return state_.version(); }

bool Session::ended() const { return state_.ended(); }

const std::string& Session::id() const { return state_.session_id(); }

const v1::Member* Session::member(std::string_view participant_id) const { return Impl::find(*this, participant_id); }

v1::SessionState Session::snapshot(TimeMs now) const {
  v1::SessionState state = state_;
  state.set_server_time_ms(now);
  state.set_controller_id(Impl::controller_id(*this));
  const v1::Member* holder = Impl::find(*this, state_.go_around().turn_holder_id());
  state.mutable_go_around()->set_paused(holder != nullptr && Impl::is_reconnecting(*holder));
  for (v1::Member& m : *state.mutable_roster()) {
    m.set_may_speak(may_speak(m.participant_id()));
    m.set_may_chat(may_chat(m.participant_id()));
    m.set_may_send_video(may_send_video(m.participant_id()));
    const auto& hands = state_.hand_queue();
    m.set_hand_raised(std::find(hands.begin(), hands.end(), m.participant_id()) != hands.end());
  }
  return state;
}

}  // namespace balint::core
