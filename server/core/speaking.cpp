// Who is in control, and the one decision of who may speak and chat.
#include "core/session_impl.hpp"

namespace balint::core {

using namespace detail;

bool Session::Impl::facilitator_connected(const Session& s) {
  for (const v1::Member& m : s.state_.roster()) {
    if (m.role() == v1::ROLE_FACILITATOR && is_connected(m)) return true;
  }
  return false;
}

// The first connected facilitator, else the first connected co-facilitator.
std::string Session::Impl::controller_id(const Session& s) {
  const v1::Member* co = nullptr;
  for (const v1::Member& m : s.state_.roster()) {
    if (!is_connected(m)) continue;
    if (m.role() == v1::ROLE_FACILITATOR) return m.participant_id();
    if (m.role() == v1::ROLE_CO_FACILITATOR && co == nullptr) co = &m;
  }
  return co == nullptr ? std::string() : co->participant_id();
}

// Any connected facilitator is in control; a co-facilitator is while no
// facilitator is connected. (apply() has already refused actors without a
// connection, the reconnecting among them.)
bool Session::Impl::in_control(const Session& s, const Actor& actor) {
  if (actor.role == v1::ROLE_FACILITATOR) return true;
  return actor.role == v1::ROLE_CO_FACILITATOR && !facilitator_connected(s);
}

std::optional<Outcome> Session::Impl::require_control(const Session& s, const Actor& actor, std::string_view what) {
  if (in_control(s, actor)) return std::nullopt;
  if (actor.role == v1::ROLE_CO_FACILITATOR) {
    return Outcome::error(v1::ERROR_CODE_PERMISSION_DENIED, "the facilitator is connected; a co-facilitator can " +
                                                                std::string(what) +
                                                                " only while the facilitator is away");
  }
  return Outcome::error(v1::ERROR_CODE_PERMISSION_DENIED, "only a facilitator can " + std::string(what));
}

// The speaking rule. Audio and chat differ only in that a facilitator's
// mute silences audio and not chat. Video follows its own few rules: a
// camera may be on in every phase (a silent face is fine) unless a
// facilitator stopped it, or it is the presenter's in the observation and
// the facilitator chose to keep it from the group.
bool Session::Impl::decide(const Session& s, std::string_view id, Medium medium) {
  const v1::Member* m = find(s, id);
  if (m == nullptr || s.state_.ended() || !is_connected(*m)) return false;
  const bool is_presenter = !s.state_.presenter_id().empty() && s.state_.presenter_id() == id;
  const bool started = s.state_.phase_index() >= 0;
  const v1::SpeakingRule rule = current_rule(s);
  const bool observing = started && rule == v1::SPEAKING_RULE_ALL_BUT_PRESENTER && is_presenter;

  if (medium == Medium::video) {
    // A room device's camera shows the room; an attendee has none of their own.
    if (!m->camera_on() || m->video_stopped() || is_attendee(*m)) return false;
    return !(observing && s.state_.presenter_camera() == v1::PRESENTER_CAMERA_OFF);
  }
  if (medium == Medium::audio && m->muted()) return false;

  if (m->role() == v1::ROLE_ROOM) {
    // A room device is heard only when someone it carries may be.
    for (const v1::Member& attendee : s.state_.roster()) {
      if (attendee.room_device_id() == id && decide(s, attendee.participant_id(), medium)) {
        return true;
      }
    }
    return false;
  }

  // The presenter observes in silence, even one who is also a facilitator and
  // even with the floor.
  if (observing) return false;

  if (is_leader(*m)) return true;
  if (!s.state_.floor_holder_id().empty() && s.state_.floor_holder_id() == id) return true;
  if (!started) return true;  // The lobby: people greet each other.

  switch (rule) {
    case v1::SPEAKING_RULE_EVERYONE:
      return true;
    case v1::SPEAKING_RULE_PRESENTER_ONLY:
      return is_presenter;
    case v1::SPEAKING_RULE_TURN_HOLDER:
      return !s.state_.go_around().turn_holder_id().empty() && s.state_.go_around().turn_holder_id() == id;
    case v1::SPEAKING_RULE_ALL_BUT_PRESENTER:
      return !is_presenter;
    case v1::SPEAKING_RULE_FACILITATORS_ONLY:
      return false;
    default:
      return false;
  }
}

// Whoever the phase silences can still tell a leader "I can't hear" or "I
// have to step out": a private message to a facilitator or co-facilitator
// is relayed in every phase, from the presenter observing in silence too.
// The group never sees it.
bool Session::Impl::decide_private(const Session& s, std::string_view sender_id, std::string_view recipient_id) {
  if (decide(s, sender_id, Medium::chat)) return true;
  const v1::Member* sender = find(s, sender_id);
  const v1::Member* recipient = find(s, recipient_id);
  return sender != nullptr && recipient != nullptr && !s.state_.ended() && is_connected(*sender) &&
         is_leader(*recipient);
}

}  // namespace balint::core
