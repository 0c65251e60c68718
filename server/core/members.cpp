// Commands about people: presenter, hands, floor, mutes, removal, leaving,
// and the in-room attendees a room device carries.
#include "core/names.hpp"
#include "core/session_impl.hpp"

#include <algorithm>

namespace balint::core {

using namespace detail;

namespace {

bool hand_raised(const v1::SessionState& state, std::string_view id) {
  const auto& q = state.hand_queue();
  return std::find(q.begin(), q.end(), id) != q.end();
}

void lower(v1::SessionState& state, std::string_view id) {
  auto* q = state.mutable_hand_queue();
  for (int i = 0; i < q->size(); ++i) {
    if (q->Get(i) == id) {
      q->DeleteSubrange(i, 1);
      return;
    }
  }
}

// Whose hand a RaiseHand raises: a room device must name one of its
// attendees; anyone else means themselves (naming nobody or themselves).
// Empty with `error` set when the actor may not raise the named person's hand.
std::string own_hand_target(const Actor& a, const std::string& named, const v1::Member* named_member, Outcome& error) {
  if (a.role == v1::ROLE_ROOM) {
    if (named.empty()) {
      error =
          Outcome::error(v1::ERROR_CODE_INVALID_ARGUMENT, "a room device must name the attendee whose hand it means");
      return {};
    }
    if (named_member == nullptr) {
      error = not_in_roster(named);
      return {};
    }
    if (named_member->room_device_id() != a.id) {
      error = Outcome::error(v1::ERROR_CODE_PERMISSION_DENIED,
                             named + " is not an attendee carried by room device " + a.id);
      return {};
    }
    return named;
  }
  if (!named.empty() && named != a.id) {
    error = Outcome::error(v1::ERROR_CODE_PERMISSION_DENIED, "you can raise only your own hand, not " + named + "'s");
    return {};
  }
  return a.id;
}

}  // namespace

Outcome Session::Impl::set_presenter(Session& s, const Actor& a, const v1::SetPresenter& c) {
  if (auto refused = require_control(s, a, "name the presenter")) return *refused;
  const std::string& id = c.participant_id();
  if (id.empty()) return missing_id("the presenter");
  const v1::Member* m = find(s, id);
  if (m == nullptr) return not_in_roster(id);
  if (!is_person(*m)) {
    return Outcome::error(v1::ERROR_CODE_INVALID_ARGUMENT, id + " is a room device; the presenter is a person");
  }
  if (s.state_.presenter_id() == id) {
    return Outcome::error(v1::ERROR_CODE_NO_CHANGE, id + " is already the presenter");
  }
  s.state_.set_presenter_id(id);
  return accepted();
}

Outcome Session::Impl::raise_hand(Session& s, const Actor& a, const v1::RaiseHand& c) {
  Outcome error;
  const std::string target = own_hand_target(a, c.participant_id(), find(s, c.participant_id()), error);
  if (target.empty()) return error;
  if (hand_raised(s.state_, target)) {
    return Outcome::error(v1::ERROR_CODE_NO_CHANGE, target + "'s hand is already raised");
  }
  if (started(s) && current_rule(s) == v1::SPEAKING_RULE_ALL_BUT_PRESENTER && s.state_.presenter_id() == target) {
    return Outcome::error(v1::ERROR_CODE_PHASE_FORBIDS,
                          "the presenter observes in silence during this phase and cannot "
                          "raise a hand");
  }
  s.state_.add_hand_queue(target);
  return accepted();
}

Outcome Session::Impl::lower_hand(Session& s, const Actor& a, const v1::LowerHand& c) {
  const std::string& named = c.participant_id();
  const v1::Member* named_member = find(s, named);
  std::string target;
  const bool own = a.role == v1::ROLE_ROOM ? named_member != nullptr && named_member->room_device_id() == a.id
                                           : named.empty() || named == a.id;
  if (own) {
    target = a.role == v1::ROLE_ROOM ? named : a.id;
  } else {
    if (a.role == v1::ROLE_ROOM && named.empty()) {
      return Outcome::error(v1::ERROR_CODE_INVALID_ARGUMENT,
                            "a room device must name the attendee whose hand it lowers");
    }
    if (auto refused = require_control(s, a, "lower someone else's hand")) return *refused;
    if (named_member == nullptr) return not_in_roster(named);
    target = named;
  }
  if (!hand_raised(s.state_, target)) {
    return Outcome::error(v1::ERROR_CODE_NO_CHANGE, target + "'s hand is not raised");
  }
  lower(s.state_, target);
  return accepted();
}

Outcome Session::Impl::give_floor(Session& s, const Actor& a, const v1::GiveFloor& c) {
  if (auto refused = require_control(s, a, "give the floor")) return *refused;
  const std::string& id = c.participant_id();
  if (id.empty()) {
    if (s.state_.floor_holder_id().empty()) {
      return Outcome::error(v1::ERROR_CODE_NO_CHANGE, "nobody has the floor");
    }
    s.state_.clear_floor_holder_id();
    return accepted();
  }
  const v1::Member* m = find(s, id);
  if (m == nullptr) return not_in_roster(id);
  if (!is_person(*m)) {
    return Outcome::error(v1::ERROR_CODE_INVALID_ARGUMENT,
                          id + " is a room device; give the floor to a person it carries");
  }
  if (s.state_.floor_holder_id() == id && !hand_raised(s.state_, id)) {
    return Outcome::error(v1::ERROR_CODE_NO_CHANGE, id + " already has the floor");
  }
  s.state_.set_floor_holder_id(id);
  lower(s.state_, id);
  return accepted();
}

Outcome Session::Impl::set_muted(Session& s, const Actor& a, const std::string& target, bool muted) {
  if (auto refused = require_control(s, a, muted ? "mute a member" : "unmute a member")) {
    return *refused;
  }
  if (target.empty()) return missing_id(muted ? "whom to mute" : "whom to unmute");
  v1::Member* m = find(s, target);
  if (m == nullptr) return not_in_roster(target);
  if (target == a.id) {
    return Outcome::error(v1::ERROR_CODE_PERMISSION_DENIED,
                          std::string("you cannot ") + (muted ? "mute" : "unmute") + " yourself");
  }
  if (m->role() == v1::ROLE_FACILITATOR) {
    return Outcome::error(v1::ERROR_CODE_PERMISSION_DENIED,
                          target + " is a facilitator and cannot be " + (muted ? "muted" : "unmuted"));
  }
  if (m->muted() == muted) {
    return Outcome::error(v1::ERROR_CODE_NO_CHANGE, target + (muted ? " is already muted" : " is not muted"));
  }
  m->set_muted(muted);
  return accepted();
}

Outcome Session::Impl::remove_by_facilitator(Session& s, const Actor& a, const v1::RemoveMember& c) {
  if (auto refused = require_control(s, a, "remove a member")) return *refused;
  const std::string& id = c.participant_id();
  if (id.empty()) return missing_id("whom to remove");
  const v1::Member* m = find(s, id);
  if (m == nullptr) return not_in_roster(id);
  if (id == a.id) {
    return Outcome::error(v1::ERROR_CODE_PERMISSION_DENIED, "you cannot remove yourself; leave the session instead");
  }
  if (m->role() == v1::ROLE_FACILITATOR) {
    return Outcome::error(v1::ERROR_CODE_PERMISSION_DENIED, id + " is a facilitator and cannot be removed");
  }
  Events events;
  remove_member(s, id, v1::LEAVE_REASON_REMOVED, events);
  return accepted(std::move(events));
}

Outcome Session::Impl::leave(Session& s, const Actor& a) {
  Events events;
  remove_member(s, a.id, v1::LEAVE_REASON_LEFT, events);
  return accepted(std::move(events));
}

Outcome Session::Impl::add_room_attendee(Session& s, const Actor& a, const v1::AddRoomAttendee& c) {
  std::string device_id;
  if (a.role == v1::ROLE_ROOM) {
    if (!c.room_device_id().empty() && c.room_device_id() != a.id) {
      return Outcome::error(v1::ERROR_CODE_PERMISSION_DENIED,
                            "room device " + a.id + " can add attendees only to itself, not to " + c.room_device_id());
    }
    device_id = a.id;
  } else {
    if (auto refused = require_control(s, a, "add an in-room attendee")) return *refused;
    if (c.room_device_id().empty()) {
      return Outcome::error(v1::ERROR_CODE_INVALID_ARGUMENT,
                            "room_device_id is missing: name the room device that carries the "
                            "attendee");
    }
    const v1::Member* device = find(s, c.room_device_id());
    if (device == nullptr) return not_in_roster(c.room_device_id());
    if (device->role() != v1::ROLE_ROOM) {
      return Outcome::error(v1::ERROR_CODE_INVALID_ARGUMENT, c.room_device_id() + " is not a room device");
    }
    device_id = c.room_device_id();
  }
  if (const auto problem = display_name_problem(c.display_name()); !problem.empty()) {
    return Outcome::error(v1::ERROR_CODE_INVALID_ARGUMENT, "display name of the in-room attendee " + problem);
  }
  if (capped_count(s) >= static_cast<int>(s.state_.max_members())) {
    return Outcome::error(v1::ERROR_CODE_SESSION_FULL, "the session is full (" +
                                                           std::to_string(s.state_.max_members()) +
                                                           " members besides facilitators and room devices)");
  }

  std::string id;
  do {
    id = device_id + "." + std::to_string(++s.attendee_counter_);
  } while (index_of(s, id) >= 0);

  const v1::Member& device = *find(s, device_id);
  const v1::ConnectionStatus connection = device.connection();
  const TimeMs deadline = device.reconnect_deadline_ms();
  v1::Member* m = s.state_.add_roster();
  m->set_participant_id(id);
  m->set_display_name(c.display_name());
  m->set_role(v1::ROLE_PARTICIPANT);
  m->set_location(v1::LOCATION_IN_ROOM);
  m->set_connection(connection);  // An attendee follows the device, deadline too.
  m->set_reconnect_deadline_ms(deadline);
  m->set_room_device_id(device_id);
  return accepted({member_joined_event(id)});
}

Outcome Session::Impl::remove_room_attendee(Session& s, const Actor& a, const v1::RemoveRoomAttendee& c) {
  const std::string& id = c.participant_id();
  if (id.empty()) return missing_id("the in-room attendee to remove");
  const v1::Member* m = find(s, id);
  if (m == nullptr) return not_in_roster(id);
  if (!is_attendee(*m)) {
    return Outcome::error(v1::ERROR_CODE_INVALID_ARGUMENT, id + " is not an in-room attendee");
  }
  if (m->room_device_id() != a.id) {
    if (a.role == v1::ROLE_ROOM) {
      return Outcome::error(v1::ERROR_CODE_PERMISSION_DENIED,
                            id + " is carried by room device " + m->room_device_id() + ", not by " + a.id);
    }
    if (auto refused = require_control(s, a, "remove an in-room attendee")) return *refused;
  }
  Events events;
  remove_member(s, id, v1::LEAVE_REASON_REMOVED, events);
  return accepted(std::move(events));
}

}  // namespace balint::core
