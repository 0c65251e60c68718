// What a session keeps across a restart: the record made of it, and the
// session made again from one.
#include "core/formats.hpp"
#include "core/session.hpp"
#include "core/session_impl.hpp"

#include <algorithm>

namespace balint::core {

using namespace detail;
namespace record = ::balint::record::v1;

record::SessionRecord Session::record() const {
  record::SessionRecord out;
  *out.mutable_state() = state_;
  for (v1::Member& m : *out.mutable_state()->mutable_roster()) m.clear_keys();
  out.set_reconnect_grace_ms(reconnect_grace_ms_);
  out.set_attendee_counter(attendee_counter_);
  out.set_phase_warning_raised(phase_warning_raised_);
  out.set_session_warning_raised(session_warning_raised_);
  return out;
}

namespace {

// Why a stored state cannot be run, or empty. Guards against a damaged
// file, not against the server's own records.
std::string record_problem(const record::SessionRecord& r) {
  const v1::SessionState& s = r.state();
  if (s.session_id().empty()) return "session id is missing";
  if (std::string problem = validate_format(s.format()); !problem.empty()) return "invalid format: " + problem;
  if (s.phase_index() < -1 || s.phase_index() >= s.format().phases_size()) return "phase index out of range";
  if (r.reconnect_grace_ms() < 0) return "negative reconnect grace";
  return {};
}

}  // namespace

std::optional<Session> Session::restore(record::SessionRecord r, TimeMs now, std::string& error) {
  error = record_problem(r);
  if (!error.empty()) return std::nullopt;
  Session s(SessionConfig{});
  s.state_ = std::move(*r.mutable_state());
  // Present, as in a created session. A record made before rounds were
  // started by hand holds a round under way without the flag: it is started.
  v1::GoAround& round = *s.state_.mutable_go_around();
  if (!round.started()) {
    round.set_started(!round.turn_holder_id().empty() ||
                      std::any_of(round.order().begin(), round.order().end(),
                                  [](const v1::GoAroundEntry& e) { return e.status() != v1::TURN_STATUS_WAITING; }));
  }
  s.reconnect_grace_ms_ = r.reconnect_grace_ms();
  s.attendee_counter_ = r.attendee_counter();
  s.phase_warning_raised_ = r.phase_warning_raised();
  s.session_warning_raised_ = r.session_warning_raised();
  // Nobody is connected to a server that has just started; in an ended
  // session nobody is coming back either.
  const bool ended = s.state_.ended();
  const TimeMs deadline = ended ? 0 : now + std::max(s.reconnect_grace_ms_, kRestartGraceMs);
  for (v1::Member& m : *s.state_.mutable_roster()) {
    Impl::forget_connection(s, m);
    if (!Impl::is_attendee(m))
      Impl::set_connection(s, m, ended ? v1::CONNECTION_STATUS_DISCONNECTED : v1::CONNECTION_STATUS_RECONNECTING,
                           deadline);
  }
  s.state_.set_version(s.state_.version() + 1);
  return s;
}

}  // namespace balint::core
