// Random command sequences against the engine's invariants.
//
// 10,000 seeded sequences of 40 steps: joins, disconnects, returns of
// members who are reconnecting, ticks and commands (valid and invalid) from
// random actors, with random time steps and a reconnect grace chosen per
// sequence. After every step the state must satisfy every invariant below; a
// failure names the sequence seed and step so that it can be replayed.
#include "session_fixture.hpp"

#include <algorithm>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <sstream>

using namespace core_test;

namespace {

constexpr int kSequences = 12'000;
constexpr int kSteps = 40;

const std::vector<std::string> kPeople = {"fac", "cof", "pres", "p1", "p2", "p3", "p4", "p5", "room"};
const std::vector<std::string> kAnyId = {"fac",  "cof",    "pres",   "p1",     "p2",     "p3",    "p4", "p5",
                                         "room", "room.1", "room.2", "room.3", "room.4", "ghost", ""};

v1::Role role_of(const std::string& id) {
  if (id == "fac") return v1::ROLE_FACILITATOR;
  if (id == "cof") return v1::ROLE_CO_FACILITATOR;
  if (id == "room") return v1::ROLE_ROOM;
  return v1::ROLE_PARTICIPANT;
}

class Random {
 public:
  explicit Random(std::uint32_t seed) : rng_(seed) {}
  int below(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  bool chance(int percent) { return below(100) < percent; }
  template <typename T>
  const T& pick(const std::vector<T>& v) {
    return v[below(static_cast<int>(v.size()))];
  }
  std::string any_id() { return pick(kAnyId); }

 private:
  std::mt19937 rng_;
};

// Someone who exists more often than not, sometimes someone who does not.
std::string target(Random& r) {
  static const std::vector<std::string> likely = {"pres", "p1", "p2", "p3", "room.1", "room.2", "cof", "fac", "room"};
  return r.chance(80) ? r.pick(likely) : r.any_id();
}

// Command kinds with weights that keep sessions moving: phase and turn
// commands come often, ending and removals rarely.
v1::Command random_command(Random& r, bool ccdg) {
  enum Kind {
    kNext,
    kPrevious,
    kJump,
    kExtend,
    kEnd,
    kPresenter,
    kBuild,
    kOrder,
    kStart,
    kPass,
    kFinish,
    kSkip,
    kRaise,
    kLower,
    kFloor,
    kMute,
    kUnmute,
    kRemove,
    kAdd,
    kRemoveAttendee,
    kLeave,
    kAnnounce,
    kCamera,
    kStopVideo,
    kAllowVideo,
    kPresenterCamera,
    kEmpty,
    kKinds
  };
  static const std::vector<int> weights = {10, 4, 6, 3, 1, 3, 2, 3, 12, 8, 8, 3, 5, 4, 4, 3, 3, 1, 3, 2, 1, 4, 4, 1, 1, 1, 1};
  static_assert(kKinds == 27);
  int roll = r.below(std::accumulate(weights.begin(), weights.end(), 0));
  int kind = 0;
  while (roll >= weights[kind]) roll -= weights[kind++];

  v1::Command c;
  switch (kind) {
    case kNext:
      c.mutable_next_phase();
      break;
    case kPrevious:
      c.mutable_previous_phase();
      break;
    case kJump:
      // Into the CCDG go-around often, so that turns get taken.
      c.mutable_jump_to_phase()->set_phase_index(ccdg && r.chance(40) ? 2 : r.below(8) - 2);
      break;
    case kExtend: {
      static const std::vector<std::uint32_t> seconds = {0, 1, 30, 59, 120, 600, 3600, 3601};
      c.mutable_extend_phase()->set_seconds(r.pick(seconds));
      break;
    }
    case kEnd:
      c.mutable_end_session();
      break;
    case kPresenter:
      c.mutable_set_presenter()->set_participant_id(target(r));
      break;
    case kBuild:
      c.mutable_build_go_around();
      break;
    case kOrder: {
      auto* o = c.mutable_set_go_around_order();
      const int n = r.below(6);
      for (int i = 0; i < n; ++i) o->add_participant_ids(r.chance(90) ? target(r) : r.any_id());
      break;
    }
    case kStart:
      c.mutable_start_go_around();
      break;
    case kPass:
      c.mutable_pass_turn();
      break;
    case kFinish:
      c.mutable_finish_turn();
      break;
    case kSkip:
      c.mutable_skip_turn();
      break;
    case kRaise:
      c.mutable_raise_hand()->set_participant_id(r.chance(50) ? "" : target(r));
      break;
    case kLower:
      c.mutable_lower_hand()->set_participant_id(r.chance(50) ? "" : target(r));
      break;
    case kFloor:
      c.mutable_give_floor()->set_participant_id(r.chance(20) ? "" : target(r));
      break;
    case kMute:
      c.mutable_mute()->set_participant_id(target(r));
      break;
    case kUnmute:
      c.mutable_unmute()->set_participant_id(target(r));
      break;
    case kRemove:
      c.mutable_remove_member()->set_participant_id(target(r));
      break;
    case kAdd: {
      auto* a = c.mutable_add_room_attendee();
      a->set_display_name(r.chance(90) ? "Someone" : "");
      static const std::vector<std::string> devices = {"", "", "room", "p1", "ghost"};
      a->set_room_device_id(r.pick(devices));
      break;
    }
    case kRemoveAttendee:
      c.mutable_remove_room_attendee()->set_participant_id(target(r));
      break;
    case kLeave:
      c.mutable_leave();
      break;
    case kAnnounce: {
      // Keys from a small pool, so that members sometimes collide; now and
      // then of the wrong length.
      auto* keys = c.mutable_announce_keys()->mutable_keys();
      const char pool = static_cast<char>('a' + r.below(6));
      keys->set_identity_key(std::string(r.chance(95) ? 32 : 31, pool));
      keys->set_exchange_key(std::string(32, static_cast<char>(pool + 10)));
      keys->set_signature(std::string(r.chance(95) ? 64 : 0, 's'));
      break;
    }
    case kCamera:
      c.mutable_set_camera()->set_on(r.chance(70));
      break;
    case kStopVideo:
      c.mutable_stop_video()->set_participant_id(r.chance(90) ? target(r) : "");
      break;
    case kAllowVideo:
      c.mutable_allow_video()->set_participant_id(r.chance(90) ? target(r) : "");
      break;
    case kPresenterCamera:
      c.mutable_set_presenter_camera()->set_policy(static_cast<v1::PresenterCamera>(r.below(5)));
      break;
    default:
      break;  // an empty command
  }
  return c;
}

const v1::Member* member_of(const v1::SessionState& st, const std::string& id) {
  for (const v1::Member& m : st.roster()) {
    if (m.participant_id() == id) return &m;
  }
  return nullptr;
}

// Whether `actor` is a facilitator in control according to a snapshot.
bool in_control(const v1::SessionState& st, const std::string& actor) {
  const v1::Member* m = member_of(st, actor);
  if (m == nullptr || m->connection() != v1::CONNECTION_STATUS_CONNECTED) return false;
  if (m->role() == v1::ROLE_FACILITATOR) return true;
  if (m->role() != v1::ROLE_CO_FACILITATOR) return false;
  for (const v1::Member& other : st.roster()) {
    if (other.role() == v1::ROLE_FACILITATOR && other.connection() == v1::CONNECTION_STATUS_CONNECTED) {
      return false;
    }
  }
  return true;
}

v1::SpeakingRule rule_of(const v1::SessionState& st) {
  if (st.phase_index() < 0) return v1::SPEAKING_RULE_UNSPECIFIED;
  return st.format().phases(st.phase_index()).rule();
}

struct Stats {
  std::map<std::string, int> counts;
  void add(const std::string& what) { ++counts[what]; }
};

enum class StepKind { kJoin, kDisconnect, kTick, kCommand };

// What the test remembers of the drops: when each member (not an attendee)
// last dropped, and the sequence's grace.
struct Drops {
  TimeMs grace = 0;
  std::map<std::string, TimeMs> at;
};

// Returns an empty string when every invariant holds, else what broke.
std::string check_step(const Session& s, const v1::SessionState& before, const v1::SessionState& after,
                       const Outcome& o, StepKind kind, const std::string& actor, TimeMs now, const Drops& drops) {
  std::ostringstream err;

  // Version: +1 on an accepted change, unchanged (state too) on a refusal or
  // an idle tick; events carry the new version.
  const bool changed = o.ok() && !(kind == StepKind::kTick && o.events.empty());
  if (changed) {
    if (after.version() != before.version() + 1) err << "version did not rise by one; ";
    for (const v1::Event& e : o.events) {
      if (e.state_version() != after.version()) err << "event not stamped with new version; ";
    }
  } else {
    if (after.version() != before.version()) err << "version moved on a refused/idle call; ";
    if (after.SerializeAsString() != before.SerializeAsString()) {
      err << "state changed on a refused/idle call; ";
    }
    if (!o.events.empty()) err << "events on a refused call; ";
  }
  if (!o.ok() && o.message.empty()) err << "refusal without a message; ";

  // Keys: only on members with a connection of their own; the key epoch
  // rises exactly when the set of announced keys changes.
  std::map<std::string, std::string> keys_before, keys_after;
  for (const v1::Member& m : before.roster())
    if (m.has_keys()) keys_before[m.participant_id()] = m.keys().SerializeAsString();
  for (const v1::Member& m : after.roster()) {
    if (!m.has_keys()) continue;
    keys_after[m.participant_id()] = m.keys().SerializeAsString();
    if (m.connection() != v1::CONNECTION_STATUS_CONNECTED || !m.room_device_id().empty())
      err << m.participant_id() << " holds keys without a connection of their own; ";
  }
  if (after.key_epoch() < before.key_epoch()) err << "the key epoch went back; ";
  if ((keys_after != keys_before) != (after.key_epoch() > before.key_epoch()))
    err << "the key epoch and the announced keys disagree; ";
  if (s.version() != after.version()) err << "version() disagrees with snapshot; ";
  if (before.ended() && !after.ended()) err << "an ended session came back; ";
  if (before.ended() && o.ok() && kind != StepKind::kTick) err << "ended session accepted a call; ";

  // Phases: in range; only a facilitator in control moves them.
  const int phases = after.format().phases_size();
  if (after.phase_index() < -1 || after.phase_index() >= phases) err << "phase out of range; ";
  if (after.phase_index() != before.phase_index()) {
    if (kind != StepKind::kCommand || !in_control(before, actor)) {
      err << "phase changed by " << actor << " who is not in control; ";
    }
    bool announced = false;
    for (const v1::Event& e : o.events) {
      announced |= e.has_phase_changed() && e.phase_changed().from_index() == before.phase_index() &&
                   e.phase_changed().to_index() == after.phase_index();
    }
    if (!announced) err << "phase change without a PhaseChanged event; ";
    if (after.phase_started_ms() != now) err << "phase_started_ms is not now; ";
    if (!after.floor_holder_id().empty()) err << "floor survived a phase change; ";
  }
  if (after.phase_index() >= 0 && after.session_started_ms() == 0) err << "no session start; ";

  // The go-around: at most one speaker, and it is the turn holder.
  const v1::GoAround& g = after.go_around();
  int speaking = 0;
  bool open = false;
  std::set<std::string> in_order;
  for (const v1::GoAroundEntry& e : g.order()) {
    if (e.status() == v1::TURN_STATUS_SPEAKING) {
      ++speaking;
      if (e.participant_id() != g.turn_holder_id()) err << "SPEAKING entry is not the holder; ";
    }
    if (e.status() == v1::TURN_STATUS_WAITING || e.status() == v1::TURN_STATUS_SPEAKING) {
      open = true;
    }
    if (!in_order.insert(e.participant_id()).second) err << "duplicate in go-around; ";
    const v1::Member* m = member_of(after, e.participant_id());
    if (m == nullptr || m->role() == v1::ROLE_ROOM) err << "go-around entry not a roster person; ";
  }
  if (speaking > 1) err << "more than one SPEAKING entry; ";
  const v1::Member* holder = member_of(after, g.turn_holder_id());
  if (g.paused() != (holder != nullptr && holder->connection() == v1::CONNECTION_STATUS_RECONNECTING))
    err << "paused is not 'the turn holder is reconnecting'; ";
  if ((speaking == 1) != !g.turn_holder_id().empty()) err << "turn holder without SPEAKING entry; ";
  if (!g.turn_holder_id().empty() && !g.started()) err << "a turn held in a round nobody started; ";
  if (g.complete() != (!g.order().empty() && !open)) err << "complete flag wrong; ";
  if (g.turn_holder_id() != before.go_around().turn_holder_id()) {
    std::string last_to = "<none>";
    for (const v1::Event& e : o.events) {
      if (e.has_turn_moved()) last_to = e.turn_moved().to_id();
    }
    if (last_to != g.turn_holder_id()) err << "turn moved without a matching TurnMoved; ";
  }
  for (const v1::Event& e : o.events) {
    if (e.has_turn_moved() && e.turn_moved().from_id() == e.turn_moved().to_id()) {
      err << "TurnMoved to the same person; ";
    }
  }

  // Hands and floor refer to people in the roster.
  std::set<std::string> hands;
  for (const std::string& id : after.hand_queue()) {
    if (!hands.insert(id).second) err << "duplicate hand; ";
    const v1::Member* m = member_of(after, id);
    if (m == nullptr || m->role() == v1::ROLE_ROOM) err << "hand of a non-person; ";
  }
  if (!after.floor_holder_id().empty()) {
    const v1::Member* m = member_of(after, after.floor_holder_id());
    if (m == nullptr || m->role() == v1::ROLE_ROOM) err << "floor held by a non-person; ";
  }

  // Control.
  std::string controller;
  for (const v1::Member& m : after.roster()) {
    if (m.connection() == v1::CONNECTION_STATUS_CONNECTED && m.role() == v1::ROLE_FACILITATOR) {
      controller = m.participant_id();
      break;
    }
  }
  if (controller.empty()) {
    for (const v1::Member& m : after.roster()) {
      if (m.connection() == v1::CONNECTION_STATUS_CONNECTED && m.role() == v1::ROLE_CO_FACILITATOR) {
        controller = m.participant_id();
        break;
      }
    }
  }
  if (after.controller_id() != controller) err << "controller_id wrong; ";

  // The roster and the speaking rule.
  const v1::SpeakingRule rule = rule_of(after);
  int capped = 0;
  std::set<std::string> ids;
  for (const v1::Member& m : after.roster()) {
    const std::string& id = m.participant_id();
    if (!ids.insert(id).second) err << "duplicate roster id; ";
    if (m.role() == v1::ROLE_PARTICIPANT) ++capped;
    if (m.may_speak() != s.may_speak(id)) err << id << ": may_speak disagrees with snapshot; ";
    if (m.may_chat() != s.may_chat(id)) err << id << ": may_chat disagrees with snapshot; ";
    if (m.hand_raised() != (hands.count(id) > 0)) err << id << ": hand_raised wrong; ";
    const bool connected = m.connection() == v1::CONNECTION_STATUS_CONNECTED;
    if (!connected && (m.may_speak() || m.may_chat())) err << id << ": disconnected but heard; ";
    if (m.muted() && m.may_speak()) err << id << ": muted but heard; ";
    // Reconnecting: exactly the members with a deadline, which their drop set
    // (an attendee's, their device's drop); never in an ended session, and
    // none whose deadline a tick has reached.
    const bool reconnecting = m.connection() == v1::CONNECTION_STATUS_RECONNECTING;
    if (reconnecting != (m.reconnect_deadline_ms() != 0)) err << id << ": reconnect deadline without reconnecting; ";
    if (reconnecting && after.ended()) err << id << ": reconnecting in an ended session; ";
    if (m.connection() == v1::CONNECTION_STATUS_DISCONNECTED && !after.ended())
      err << id << ": disconnected in a running session; ";
    if (reconnecting) {
      const std::string& dropped = m.room_device_id().empty() ? id : m.room_device_id();
      const auto when = drops.at.find(dropped);
      if (when == drops.at.end()) {
        err << id << ": reconnecting without a drop; ";
      } else {
        if (m.reconnect_deadline_ms() != when->second + drops.grace)
          err << id << ": the deadline is not the drop's time plus the grace; ";
        if (m.reconnect_deadline_ms() <= when->second) err << id << ": the deadline is not after the drop; ";
      }
      if (kind == StepKind::kTick && m.reconnect_deadline_ms() <= now) err << id << ": outstayed the grace; ";
    }
    if (after.ended() && (m.may_speak() || m.may_chat())) err << id << ": heard after end; ";
    // Video: only a camera that is on, not stopped, on a connection, and not
    // the presenter's in the observation when the facilitator keeps it back.
    if (m.may_send_video() != s.may_send_video(id)) err << id << ": may_send_video disagrees with snapshot; ";
    if (m.may_send_video() && (!m.camera_on() || m.video_stopped() || !connected || after.ended()))
      err << id << ": video forwarded that is off, stopped, away or after the end; ";
    if (m.camera_on() && !connected) err << id << ": a camera on without a connection; ";
    if (rule == v1::SPEAKING_RULE_ALL_BUT_PRESENTER && id == after.presenter_id() &&
        after.presenter_camera() == v1::PRESENTER_CAMERA_OFF && m.may_send_video())
      err << "the presenter's video forwarded in the observation against the policy; ";
    if (rule == v1::SPEAKING_RULE_ALL_BUT_PRESENTER && id == after.presenter_id() && (m.may_speak() || m.may_chat())) {
      err << "the presenter may speak or chat while observing; ";
    }
    if (rule == v1::SPEAKING_RULE_TURN_HOLDER && m.role() == v1::ROLE_PARTICIPANT && m.may_speak() &&
        id != g.turn_holder_id() && id != after.floor_holder_id()) {
      err << id << ": speaks in a go-around without the turn or the floor; ";
    }
    if (!m.room_device_id().empty()) {
      const v1::Member* device = member_of(after, m.room_device_id());
      if (device == nullptr || device->role() != v1::ROLE_ROOM)
        err << id << ": no device; ";
      else if (device->connection() != m.connection())
        err << id << ": connection not device's; ";
      if (m.location() != v1::LOCATION_IN_ROOM) err << id << ": attendee not in room; ";
    }
    if (m.role() == v1::ROLE_ROOM) {
      bool attendee_speaks = false, attendee_chats = false;
      for (const v1::Member& a : after.roster()) {
        if (a.room_device_id() != id) continue;
        attendee_speaks |= a.may_speak();
        attendee_chats |= a.may_chat();
      }
      if (m.may_speak() && !attendee_speaks) err << id << ": room speaks for nobody; ";
      if (m.may_chat() && !attendee_chats) err << id << ": room chats for nobody; ";
    }
  }
  if (capped > static_cast<int>(after.max_members())) err << "member cap exceeded; ";

  // Nobody leaves the roster without a MemberLeft; only a tick times anyone
  // out, and only those whose grace had run out.
  std::map<std::string, v1::LeaveReason> left;
  for (const v1::Event& e : o.events)
    if (e.has_member_left()) left[e.member_left().participant_id()] = e.member_left().reason();
  for (const v1::Member& m : before.roster()) {
    const std::string& id = m.participant_id();
    if (member_of(after, id) != nullptr) continue;
    const auto reason = left.find(id);
    if (reason == left.end()) {
      err << id << ": left the roster without MemberLeft; ";
    } else if (reason->second == v1::LEAVE_REASON_TIMED_OUT) {
      if (kind != StepKind::kTick) err << id << ": timed out outside a tick; ";
      if (m.connection() != v1::CONNECTION_STATUS_RECONNECTING || m.reconnect_deadline_ms() > now)
        err << id << ": timed out before the grace ran out; ";
    }
  }
  for (const v1::Event& e : o.events) {
    if (!e.has_member_reconnecting()) continue;
    if (kind != StepKind::kDisconnect || e.member_reconnecting().participant_id() != actor)
      err << "MemberReconnecting for someone who did not drop; ";
    if (e.member_reconnecting().deadline_ms() != now + drops.grace) err << "MemberReconnecting's deadline wrong; ";
  }
  if (s.may_speak("nobody-here") || s.may_chat("nobody-here")) err << "unknown id heard; ";

  // Time: after a tick nothing due remains; next_deadline() is no later than
  // any reconnect deadline, so that the room's timer fires in time.
  const std::optional<TimeMs> next = s.next_deadline();
  if (kind == StepKind::kTick && next && *next <= now) err << "a due deadline stayed; ";
  for (const v1::Member& m : after.roster()) {
    if (m.reconnect_deadline_ms() != 0 && (!next || *next > m.reconnect_deadline_ms()))
      err << m.participant_id() << ": next_deadline() misses the reconnect deadline; ";
  }
  return err.str();
}

}  // namespace

TEST_CASE("random command sequences keep every invariant", "[property]") {
  Stats stats;
  int failures = 0;
  for (int seq = 0; seq < kSequences && failures < 5; ++seq) {
    Random r(static_cast<std::uint32_t>(20240601 + seq));
    const v1::Format format = seq % 2 == 0 ? balint::core::ccdg_format() : balint::core::balint_format();
    Drops drops;
    static const std::vector<TimeMs> graces = {0, 30'000, kGrace, kGrace, 600'000};
    drops.grace = graces[seq % graces.size()];
    Session s = make_session(format, r.chance(80) ? "pres" : "p1", static_cast<std::uint32_t>(3 + r.below(6)),
                             drops.grace);
    TimeMs now = kStart;

    // Most people arrive at the start; the rest come through random joins.
    for (const std::string& id : kPeople) {
      const int percent = id == "fac" ? 90 : id == "cof" ? 80 : 70;
      if (r.chance(percent)) (void)s.join(id, "Name of " + id, role_of(id), now);
    }
    if (r.chance(70)) (void)s.apply("room", cmd::add_attendee("Dee"), now);

    for (int step = 0; step < kSteps; ++step) {
      now += r.chance(10) ? r.below(20 * 60'000) : r.below(90'000);
      const v1::SessionState before = s.snapshot(now);
      Outcome o;
      StepKind kind;
      std::string actor;
      const int roll = r.below(100);
      if (roll < 12) {
        kind = StepKind::kJoin;
        actor = r.chance(90) ? r.pick(kPeople) : r.any_id();
        // Members who are reconnecting come back more often than not.
        std::vector<std::string> away;
        for (const v1::Member& m : before.roster())
          if (m.connection() == v1::CONNECTION_STATUS_RECONNECTING && m.room_device_id().empty())
            away.push_back(m.participant_id());
        if (!away.empty() && r.chance(60)) actor = r.pick(away);
        const v1::Member* known = member_of(before, actor);
        const bool returning = known != nullptr && known->connection() == v1::CONNECTION_STATUS_RECONNECTING;
        const v1::Role role = actor == "ghost" ? static_cast<v1::Role>(r.below(6)) : role_of(actor);
        o = s.join(actor, r.chance(95) ? "Name" : "", role, now);
        stats.add(returning && o.ok() ? "returned" : "join");
      } else if (roll < 20) {
        kind = StepKind::kDisconnect;
        actor = r.chance(90) ? r.pick(kPeople) : r.any_id();
        o = s.disconnect(actor, now);
        if (o.ok()) drops.at[actor] = now;
        stats.add("disconnect");
      } else if (roll < 30) {
        kind = StepKind::kTick;
        o = s.tick(now);
        for (const v1::Event& e : o.events) {
          if (e.has_warning()) stats.add("warning");
          if (e.has_member_left()) stats.add("timed out");
        }
      } else {
        kind = StepKind::kCommand;
        const int who = r.below(100);
        actor = who < 40 ? "fac" : who < 55 ? "cof" : r.any_id();
        v1::Command c = random_command(r, seq % 2 == 0);
        // Turn commands from the holder (or their device) now and then, so
        // that go-arounds actually move.
        if (c.has_pass_turn() || c.has_finish_turn()) {
          const v1::Member* holder = member_of(before, before.go_around().turn_holder_id());
          if (holder != nullptr && r.chance(70)) {
            actor = holder->room_device_id().empty() ? holder->participant_id() : holder->room_device_id();
          }
        }
        // A round is started by whoever leads, mostly.
        if (c.has_start_go_around() && !before.controller_id().empty() && r.chance(70)) actor = before.controller_id();
        o = s.apply(actor, c, now);
        stats.add(o.ok() ? "accepted" : "refused");
      }
      const v1::SessionState after = s.snapshot(now);
      if (after.phase_index() != before.phase_index()) stats.add("phase change");
      if (after.go_around().turn_holder_id() != before.go_around().turn_holder_id()) {
        stats.add("turn moved");
      }
      if (after.go_around().started() && !before.go_around().started()) stats.add("round started");
      if (after.ended() && !before.ended()) stats.add("ended");
      if (after.key_epoch() > before.key_epoch()) stats.add("key epoch");
      if (after.phase_index() >= 0 && rule_of(after) == v1::SPEAKING_RULE_ALL_BUT_PRESENTER) {
        stats.add("observation step");
      }
      if (after.go_around().paused()) stats.add("paused step");
      for (const v1::Member& m : after.roster())
        if (m.may_send_video()) stats.add("video forwarded");

      const std::string problem = check_step(s, before, after, o, kind, actor, now, drops);
      if (!problem.empty()) {
        ++failures;
        FAIL_CHECK("sequence " << seq << " step " << step << " actor '" << actor << "' outcome " << o.code << " ("
                               << o.message << "): " << problem);
        break;
      }
    }
  }
  CHECK(failures == 0);

  // The sequences must actually exercise the rules, not just bounce off them.
  INFO("accepted " << stats.counts["accepted"] << ", refused " << stats.counts["refused"] << ", phase changes "
                   << stats.counts["phase change"] << ", turn moves " << stats.counts["turn moved"] << ", warnings "
                   << stats.counts["warning"] << ", ended " << stats.counts["ended"] << ", key epochs "
                   << stats.counts["key epoch"] << ", returned " << stats.counts["returned"] << ", timed out "
                   << stats.counts["timed out"] << ", paused steps " << stats.counts["paused step"]
                   << ", rounds started " << stats.counts["round started"] << ", video forwarded "
                   << stats.counts["video forwarded"]);
  CHECK(stats.counts["accepted"] > 20'000);
  CHECK(stats.counts["refused"] > 20'000);
  CHECK(stats.counts["phase change"] > 10'000);
  // Every round waits for a facilitator's StartGoAround, so turns move less often than phases change.
  CHECK(stats.counts["round started"] > 300);
  CHECK(stats.counts["turn moved"] > 1'500);
  CHECK(stats.counts["warning"] > 2'000);
  CHECK(stats.counts["ended"] > 1'000);
  CHECK(stats.counts["observation step"] > 10'000);
  CHECK(stats.counts["key epoch"] > 2'000);
  CHECK(stats.counts["returned"] > 2'000);
  CHECK(stats.counts["timed out"] > 2'000);
  CHECK(stats.counts["paused step"] > 500);
  CHECK(stats.counts["video forwarded"] > 20'000);
}
