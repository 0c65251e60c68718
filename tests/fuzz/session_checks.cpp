#include "session_checks.hpp"

#include "require.hpp"

#include <set>
#include <string>

namespace balint::fuzz {

namespace {

const v1::Member* member_of(const v1::SessionState& state, const std::string& id) {
  for (const v1::Member& m : state.roster()) {
    if (m.participant_id() == id) return &m;
  }
  return nullptr;
}

bool connected(const v1::Member& m) { return m.connection() == v1::CONNECTION_STATUS_CONNECTED; }

void check_wire(const v1::SessionState& state) {
  const std::string bytes = state.SerializeAsString();
  v1::SessionState parsed;
  require(parsed.ParseFromString(bytes), "the snapshot does not parse back");
  require(parsed.SerializeAsString() == bytes, "the snapshot changes on its way through the wire");
}

void check_roster(const v1::SessionState& state) {
  std::set<std::string> ids;
  for (const v1::Member& m : state.roster()) {
    require(!m.participant_id().empty(), "a roster entry has no id");
    require(ids.insert(m.participant_id()).second, "a participant id is twice in the roster");
    require(connected(m) || (!m.may_speak() && !m.may_chat()), "a disconnected member may speak or chat");
    const bool reconnecting = m.connection() == v1::CONNECTION_STATUS_RECONNECTING;
    require(reconnecting == (m.reconnect_deadline_ms() != 0), "a reconnect deadline without reconnecting, or none");
    require(!state.ended() || !reconnecting, "a member is still reconnecting in an ended session");
    require(!m.has_keys() || (connected(m) && m.room_device_id().empty()),
            "end-to-end keys on a member without a connection of their own");
    require(!m.muted() || !m.may_speak(), "a muted member may speak");
    require(!state.ended() || (!m.may_speak() && !m.may_chat()), "a member may speak after the end");
    if (!m.room_device_id().empty()) {
      const v1::Member* device = member_of(state, m.room_device_id());
      require(device != nullptr && device->role() == v1::ROLE_ROOM, "an attendee's room device is not in the roster");
      require(device->connection() == m.connection(), "an attendee's connection is not their device's");
      require(m.location() == v1::LOCATION_IN_ROOM, "an attendee is not in the room");
    }
  }
  std::set<std::string> hands;
  for (const std::string& id : state.hand_queue()) {
    require(member_of(state, id) != nullptr, "a raised hand belongs to nobody in the roster");
    require(hands.insert(id).second, "a hand is raised twice");
  }
  for (const v1::Member& m : state.roster()) {
    require(m.hand_raised() == (hands.count(m.participant_id()) > 0), "hand_raised disagrees with the hand queue");
  }
  require(state.floor_holder_id().empty() || member_of(state, state.floor_holder_id()) != nullptr,
          "the floor is held by nobody in the roster");
  if (!state.controller_id().empty()) {
    const v1::Member* controller = member_of(state, state.controller_id());
    require(controller != nullptr && connected(*controller) &&
                (controller->role() == v1::ROLE_FACILITATOR || controller->role() == v1::ROLE_CO_FACILITATOR),
            "the member in control is not a connected facilitator");
  }
}

void check_go_around(const v1::SessionState& state) {
  const v1::GoAround& g = state.go_around();
  int speaking = 0;
  bool open = false;
  std::set<std::string> ids;
  for (const v1::GoAroundEntry& e : g.order()) {
    require(ids.insert(e.participant_id()).second, "someone is twice in the go-around");
    if (e.status() == v1::TURN_STATUS_SPEAKING) {
      ++speaking;
      require(e.participant_id() == g.turn_holder_id(), "a speaking entry is not the turn holder's");
    }
    open |= e.status() == v1::TURN_STATUS_WAITING || e.status() == v1::TURN_STATUS_SPEAKING;
  }
  require(speaking == (g.turn_holder_id().empty() ? 0 : 1), "the turn holder and the speaking entries disagree");
  const v1::Member* holder = member_of(state, g.turn_holder_id());
  require(g.paused() == (holder != nullptr && holder->connection() == v1::CONNECTION_STATUS_RECONNECTING),
          "the go-around is not paused exactly while its turn holder is reconnecting");
  require(g.complete() == (!g.order().empty() && !open), "the go-around's complete flag is wrong");
}

}  // namespace

void check_call(const core::Session& session, const v1::SessionState& before, const core::Outcome& outcome,
                bool changed, core::TimeMs now) {
  const v1::SessionState after = session.snapshot(now);
  require(session.version() == after.version(), "version() disagrees with the snapshot");
  require(!before.ended() || after.ended(), "an ended session came back");
  if (changed) {
    require(after.version() == before.version() + 1, "an accepted change did not raise the version by one");
    for (const v1::Event& e : outcome.events) {
      require(e.state_version() == after.version(), "an event is not stamped with the new version");
    }
    return;
  }
  require(after.version() == before.version(), "the version moved without a change");
  require(after.SerializeAsString() == before.SerializeAsString(), "the state changed on a refused or idle call");
  require(outcome.events.empty(), "a refused or idle call has events");
  require(outcome.ok() || !outcome.message.empty(), "a refusal does not say why");
}

void check_state(const core::Session& session, core::TimeMs now) {
  const v1::SessionState state = session.snapshot(now);
  check_wire(state);
  require(state.phase_index() >= -1 && state.phase_index() < state.format().phases_size(),
          "the phase index is out of range");
  check_roster(state);
  check_go_around(state);
  require(!state.ended() || !session.next_deadline(), "an ended session still has a deadline");
}

}  // namespace balint::fuzz
