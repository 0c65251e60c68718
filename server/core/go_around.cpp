// The go-around: its order, and the one turn that moves along it.
//
// Invariant: at most one entry is SPEAKING, and it is the entry of
// go_around.turn_holder_id (both empty or both set).
#include "core/session_impl.hpp"

#include <algorithm>
#include <set>

namespace balint::core {

using namespace detail;

namespace {

v1::GoAroundEntry* entry_of(v1::GoAround& go_around, std::string_view id) {
  for (v1::GoAroundEntry& e : *go_around.mutable_order()) {
    if (e.participant_id() == id) return &e;
  }
  return nullptr;
}

}  // namespace

void Session::Impl::refresh_complete(Session& s) {
  v1::GoAround& g = *s.state_.mutable_go_around();
  bool open = false;
  for (const v1::GoAroundEntry& e : g.order()) {
    if (e.status() == v1::TURN_STATUS_WAITING || e.status() == v1::TURN_STATUS_SPEAKING) {
      open = true;
      break;
    }
  }
  g.set_complete(!g.order().empty() && !open);
}

void Session::Impl::build_order_from_roster(Session& s) {
  v1::GoAround& g = *s.state_.mutable_go_around();
  g.clear_order();
  g.clear_turn_holder_id();
  g.clear_started();
  g.clear_paused();
  for (const v1::Member& m : s.state_.roster()) {
    if (!is_person(m) || is_leader(m)) continue;
    if (m.participant_id() == s.state_.presenter_id()) continue;
    v1::GoAroundEntry* entry = g.add_order();
    entry->set_participant_id(m.participant_id());
    entry->set_status(v1::TURN_STATUS_WAITING);
  }
  refresh_complete(s);
}

std::string Session::Impl::claim_first_waiting(Session& s) {
  v1::GoAround& g = *s.state_.mutable_go_around();
  for (v1::GoAroundEntry& e : *g.mutable_order()) {
    if (e.status() == v1::TURN_STATUS_WAITING) {
      e.set_status(v1::TURN_STATUS_SPEAKING);
      g.set_turn_holder_id(e.participant_id());
      refresh_complete(s);
      return e.participant_id();
    }
  }
  g.clear_turn_holder_id();
  refresh_complete(s);
  return {};
}

void Session::Impl::move_turn_on(Session& s, const std::string& from, Events& events) {
  const std::string to = claim_first_waiting(s);
  events.push_back(turn_moved_event(from, to));
}

void Session::Impl::start_turn_if_due(Session& s, Events& events) {
  if (current_rule(s) != v1::SPEAKING_RULE_TURN_HOLDER || !s.state_.go_around().started()) return;
  if (!s.state_.go_around().turn_holder_id().empty()) return;
  const std::string to = claim_first_waiting(s);
  if (!to.empty()) events.push_back(turn_moved_event({}, to));
}

void Session::Impl::drop_from_go_around(Session& s, const std::vector<std::string>& ids, Events& events) {
  v1::GoAround& g = *s.state_.mutable_go_around();
  const std::string holder = g.turn_holder_id();
  bool holder_dropped = false;
  auto* order = g.mutable_order();
  for (int i = order->size() - 1; i >= 0; --i) {
    const std::string& id = order->Get(i).participant_id();
    for (const std::string& gone : ids) {
      if (id == gone) {
        if (id == holder) holder_dropped = true;
        order->DeleteSubrange(i, 1);
        break;
      }
    }
  }
  if (holder_dropped) {
    g.clear_turn_holder_id();
    move_turn_on(s, holder, events);
  }
  refresh_complete(s);
}

Outcome Session::Impl::build_go_around(Session& s, const Actor& a) {
  if (auto refused = require_control(s, a, "build the go-around")) return *refused;
  const std::string before = s.state_.go_around().turn_holder_id();
  build_order_from_roster(s);  // The facilitator reviews it, then starts the round.
  Events events;
  const std::string& after = s.state_.go_around().turn_holder_id();
  if (before != after) events.push_back(turn_moved_event(before, after));
  return accepted(std::move(events));
}

Outcome Session::Impl::set_go_around_order(Session& s, const Actor& a, const v1::SetGoAroundOrder& c) {
  if (auto refused = require_control(s, a, "set the go-around order")) return *refused;

  std::set<std::string> seen;
  for (int i = 0; i < c.participant_ids_size(); ++i) {
    const std::string& id = c.participant_ids(i);
    if (id.empty()) {
      return Outcome::error(v1::ERROR_CODE_INVALID_ARGUMENT,
                            "entry " + std::to_string(i + 1) + " of the order is empty");
    }
    if (!seen.insert(id).second) {
      return Outcome::error(v1::ERROR_CODE_INVALID_ARGUMENT, id + " appears more than once in the order");
    }
    const v1::Member* m = find(s, id);
    if (m == nullptr) {
      return Outcome::error(v1::ERROR_CODE_UNKNOWN_PARTICIPANT, id + " is not in the roster");
    }
    if (!is_person(*m)) {
      return Outcome::error(v1::ERROR_CODE_INVALID_ARGUMENT,
                            id + " is a room device; put the people it carries in the order");
    }
  }

  v1::GoAround& g = *s.state_.mutable_go_around();
  v1::GoAround next;
  for (const std::string& id : c.participant_ids()) {
    v1::GoAroundEntry* entry = next.add_order();
    entry->set_participant_id(id);
    const v1::GoAroundEntry* old = entry_of(g, id);
    entry->set_status(old != nullptr ? old->status() : v1::TURN_STATUS_WAITING);
  }
  bool same = next.order_size() == g.order_size();
  for (int i = 0; same && i < next.order_size(); ++i) {
    same = next.order(i).participant_id() == g.order(i).participant_id();
  }
  if (same) {
    return Outcome::error(v1::ERROR_CODE_NO_CHANGE, "the go-around order is already so");
  }

  Events events;
  const std::string holder = g.turn_holder_id();
  *g.mutable_order() = next.order();
  if (!holder.empty() && entry_of(g, holder) == nullptr) {
    g.clear_turn_holder_id();
    move_turn_on(s, holder, events);
  }
  start_turn_if_due(s, events);
  refresh_complete(s);
  return accepted(std::move(events));
}

Outcome Session::Impl::start_go_around(Session& s, const Actor& a) {
  if (auto refused = require_control(s, a, "start the go-around")) return *refused;
  if (current_rule(s) != v1::SPEAKING_RULE_TURN_HOLDER) {
    return Outcome::error(v1::ERROR_CODE_PHASE_FORBIDS, "the current phase has no go-around to start");
  }
  v1::GoAround& g = *s.state_.mutable_go_around();
  if (g.started()) return Outcome::error(v1::ERROR_CODE_NO_CHANGE, "the go-around has already started");
  const bool someone_waits = std::any_of(g.order().begin(), g.order().end(), [](const v1::GoAroundEntry& e) {
    return e.status() == v1::TURN_STATUS_WAITING;
  });
  if (!someone_waits) {
    return Outcome::error(v1::ERROR_CODE_INVALID_ARGUMENT, "nobody in the go-around order is waiting for a turn");
  }
  g.set_started(true);
  Events events;
  start_turn_if_due(s, events);
  return accepted(std::move(events));
}

Outcome Session::Impl::end_turn(Session& s, const Actor& a, v1::TurnStatus status) {
  const char* verb = status == v1::TURN_STATUS_PASSED ? "pass" : "finish";
  if (current_rule(s) != v1::SPEAKING_RULE_TURN_HOLDER) {
    return Outcome::error(v1::ERROR_CODE_PHASE_FORBIDS,
                          std::string("the current phase has no go-around turns to ") + verb);
  }
  v1::GoAround& g = *s.state_.mutable_go_around();
  const std::string holder = g.turn_holder_id();
  if (holder.empty()) {
    return Outcome::error(v1::ERROR_CODE_NOT_YOUR_TURN, "nobody holds the turn");
  }
  bool allowed = a.id == holder;
  if (!allowed && a.role == v1::ROLE_ROOM) {
    const v1::Member* m = find(s, holder);
    allowed = m != nullptr && m->room_device_id() == a.id;
  }
  if (!allowed) {
    return Outcome::error(v1::ERROR_CODE_NOT_YOUR_TURN,
                          "it is " + holder + "'s turn; only they (or their room device) can " + verb + " it");
  }
  entry_of(g, holder)->set_status(status);
  g.clear_turn_holder_id();
  Events events;
  move_turn_on(s, holder, events);
  return accepted(std::move(events));
}

Outcome Session::Impl::skip_turn(Session& s, const Actor& a) {
  if (auto refused = require_control(s, a, "skip a turn")) return *refused;
  if (current_rule(s) != v1::SPEAKING_RULE_TURN_HOLDER) {
    return Outcome::error(v1::ERROR_CODE_PHASE_FORBIDS, "the current phase has no go-around turns to skip");
  }
  v1::GoAround& g = *s.state_.mutable_go_around();
  const std::string holder = g.turn_holder_id();
  if (holder.empty()) {
    return Outcome::error(v1::ERROR_CODE_INVALID_ARGUMENT, "nobody holds the turn");
  }
  entry_of(g, holder)->set_status(v1::TURN_STATUS_SKIPPED);
  g.clear_turn_holder_id();
  Events events;
  move_turn_on(s, holder, events);
  return accepted(std::move(events));
}

}  // namespace balint::core
