// Phase commands and the warnings that follow the planned times.
#include "core/formats.hpp"
#include "core/session_impl.hpp"

#include <algorithm>

namespace balint::core {

using namespace detail;

namespace {

constexpr TimeMs kPhaseWarningMs = 60 * 1000;         // one minute before a phase ends
constexpr TimeMs kSessionWarningMs = 10 * 60 * 1000;  // ten minutes before the session ends
constexpr std::uint32_t kMaxExtendSeconds = 3600;

constexpr std::string_view kChangePhase = "change the phase";

Outcome not_started(std::string_view what) {
  return Outcome::error(v1::ERROR_CODE_NOT_STARTED, "the session has not started yet; " + std::string(what));
}

}  // namespace

const v1::Phase* Session::Impl::current_phase(const Session& s) {
  const int index = s.state_.phase_index();
  if (index < 0 || index >= s.state_.format().phases_size()) return nullptr;
  return &s.state_.format().phases(index);
}

v1::SpeakingRule Session::Impl::current_rule(const Session& s) {
  const v1::Phase* phase = current_phase(s);
  return phase == nullptr ? v1::SPEAKING_RULE_UNSPECIFIED : phase->rule();
}

// The phase warning is due a minute before the planned end of a phase that is
// planned (with extensions) to last at least a minute; once per phase.
std::optional<TimeMs> Session::Impl::phase_warning_due(const Session& s) {
  if (!started(s) || s.state_.ended() || s.phase_warning_raised_) return std::nullopt;
  const TimeMs length = s.state_.phase_planned_end_ms() - s.state_.phase_started_ms();
  if (length < kPhaseWarningMs) return std::nullopt;
  return s.state_.phase_planned_end_ms() - kPhaseWarningMs;
}

// The session warning is due ten minutes before the planned end of a session
// planned to last longer than ten minutes; once per session.
std::optional<TimeMs> Session::Impl::session_warning_due(const Session& s) {
  if (!started(s) || s.state_.ended() || s.session_warning_raised_) return std::nullopt;
  const TimeMs length = s.state_.session_planned_end_ms() - s.state_.session_started_ms();
  if (length <= kSessionWarningMs) return std::nullopt;
  return s.state_.session_planned_end_ms() - kSessionWarningMs;
}

namespace {

void clear_warnings_of_kind(v1::SessionState& state, v1::WarningKind kind) {
  auto* warnings = state.mutable_warnings();
  for (int i = warnings->size() - 1; i >= 0; --i) {
    if (warnings->Get(i).kind() == kind) warnings->DeleteSubrange(i, 1);
  }
}

}  // namespace

void Session::Impl::enter_phase(Session& s, int to, TimeMs now, Events& events) {
  const int from = s.state_.phase_index();
  const v1::Phase& phase = s.state_.format().phases(to);
  if (from < 0) {
    s.state_.set_session_started_ms(now);
    s.state_.set_session_planned_end_ms(now + static_cast<TimeMs>(total_planned_seconds(s.state_.format())) * 1000);
  }
  s.state_.set_phase_index(to);
  s.state_.set_phase_started_ms(now);
  s.state_.set_phase_planned_end_ms(now + static_cast<TimeMs>(phase.planned_seconds()) * 1000);
  s.state_.clear_floor_holder_id();
  clear_warnings_of_kind(s.state_, v1::WARNING_KIND_PHASE_ENDING);
  s.phase_warning_raised_ = false;
  events.push_back(phase_changed_event(from, to));

  if (phase.rule() == v1::SPEAKING_RULE_TURN_HOLDER) {
    // An order ready for the facilitator to review and start; a round
    // started before (the group went back a phase) goes on where it was.
    if (s.state_.go_around().order().empty()) build_order_from_roster(s);
    start_turn_if_due(s, events);
  }
}

Outcome Session::Impl::next_phase(Session& s, const Actor& a, TimeMs now) {
  if (auto refused = require_control(s, a, kChangePhase)) return *refused;
  const int next = s.state_.phase_index() + 1;
  if (next >= s.state_.format().phases_size()) {
    return Outcome::error(v1::ERROR_CODE_INVALID_ARGUMENT, "already at the last phase; end the session instead");
  }
  Events events;
  enter_phase(s, next, now, events);
  return accepted(std::move(events));
}

Outcome Session::Impl::previous_phase(Session& s, const Actor& a, TimeMs now) {
  if (auto refused = require_control(s, a, kChangePhase)) return *refused;
  if (!started(s)) return not_started("there is no previous phase");
  if (s.state_.phase_index() == 0) {
    return Outcome::error(v1::ERROR_CODE_INVALID_ARGUMENT, "already at the first phase; there is no previous phase");
  }
  Events events;
  enter_phase(s, s.state_.phase_index() - 1, now, events);
  return accepted(std::move(events));
}

Outcome Session::Impl::jump_to_phase(Session& s, const Actor& a, const v1::JumpToPhase& c, TimeMs now) {
  if (auto refused = require_control(s, a, kChangePhase)) return *refused;
  const int count = s.state_.format().phases_size();
  if (c.phase_index() < 0 || c.phase_index() >= count) {
    return Outcome::error(
        v1::ERROR_CODE_INVALID_ARGUMENT,
        "phase index " + std::to_string(c.phase_index()) + " is out of range (0 to " + std::to_string(count - 1) + ")");
  }
  if (c.phase_index() == s.state_.phase_index()) {
    return Outcome::error(v1::ERROR_CODE_NO_CHANGE, "phase " + std::to_string(c.phase_index()) + " (\"" +
                                                        s.state_.format().phases(c.phase_index()).name() +
                                                        "\") is already the current phase");
  }
  Events events;
  enter_phase(s, c.phase_index(), now, events);
  return accepted(std::move(events));
}

Outcome Session::Impl::extend_phase(Session& s, const Actor& a, const v1::ExtendPhase& c, TimeMs now) {
  if (auto refused = require_control(s, a, "extend the phase")) return *refused;
  if (!started(s)) return not_started("there is no phase to extend");
  if (c.seconds() < 1 || c.seconds() > kMaxExtendSeconds) {
    return Outcome::error(v1::ERROR_CODE_INVALID_ARGUMENT, "an extension must be between 1 and " +
                                                               std::to_string(kMaxExtendSeconds) + " seconds (got " +
                                                               std::to_string(c.seconds()) + ")");
  }
  const TimeMs end = s.state_.phase_planned_end_ms() + static_cast<TimeMs>(c.seconds()) * 1000;
  s.state_.set_phase_planned_end_ms(end);
  if (s.phase_warning_raised_) {
    if (end - kPhaseWarningMs > now) {
      // The end is far enough away again: the warning no longer holds and may
      // fire again.
      clear_warnings_of_kind(s.state_, v1::WARNING_KIND_PHASE_ENDING);
      s.phase_warning_raised_ = false;
    } else {
      for (v1::Warning& w : *s.state_.mutable_warnings()) {
        if (w.kind() == v1::WARNING_KIND_PHASE_ENDING) w.set_deadline_ms(end);
      }
    }
  }
  return accepted();
}

Outcome Session::Impl::end_session(Session& s, const Actor& a) {
  if (auto refused = require_control(s, a, "end the session")) return *refused;
  return close_session(s);
}

Outcome Session::Impl::close_session(Session& s) {
  s.state_.set_ended(true);
  s.state_.clear_warnings();
  // Nobody is waited for in a session that is over.
  for (v1::Member& m : *s.state_.mutable_roster()) {
    if (is_reconnecting(m)) {
      m.set_connection(v1::CONNECTION_STATUS_DISCONNECTED);
      m.clear_reconnect_deadline_ms();
    }
  }
  return accepted({session_ended_event()});
}

}  // namespace balint::core
