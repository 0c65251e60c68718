// The session engine: the authoritative state of one Balint or CCDG session
// and every rule that changes it.
//
// Pure and deterministic: no sockets, no threads, no clock of its own. Every
// change comes in as a call with the current time; every call answers with an
// `Outcome`. A refused call changes nothing (not even the version).
#pragma once

#include "balint/record/v1/record.pb.h"
#include "balint/v1/balint.pb.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace balint::core {

namespace v1 = ::balint::v1;

// Milliseconds since the Unix epoch, on the server's clock.
using TimeMs = std::int64_t;

// What a call did: ok with the events it caused, or an error that changed
// nothing.
struct Outcome {
  v1::ErrorCode code = v1::ERROR_CODE_OK;
  std::string message;            // Human-readable reason when refused.
  std::vector<v1::Event> events;  // Each stamped with the new version.

  bool ok() const { return code == v1::ERROR_CODE_OK; }
  static Outcome error(v1::ErrorCode code, std::string message);
};

// Everything a session is created with.
struct SessionConfig {
  std::string session_id;
  std::string name;
  v1::Format format;
  std::string presenter_id;       // May be empty; may name someone not yet joined.
  std::uint32_t max_members = 12; // Besides facilitators and room devices.
  std::string ground_rules;
  // How long a member whose connection drops keeps their place (0: they are
  // removed at once). Never negative.
  TimeMs reconnect_grace_ms = 60'000;
};

class Session {
 public:
  // Validates the config (format included). On error, `error` is set and the
  // returned optional is empty.
  static std::optional<Session> create(SessionConfig config, std::string& error);

  // A member's connection came up: adds them to the roster, or marks a known
  // member connected again. Refused exactly when check_join() refuses.
  Outcome join(const std::string& participant_id, const std::string& display_name,
               v1::Role role, TimeMs now);

  // Whether join() with these arguments would be accepted now: ok with no
  // events (nothing changes, not even the version), or the refusal join()
  // would give (SESSION_ENDED, INVALID_ARGUMENT, SESSION_FULL).
  Outcome check_join(const std::string& participant_id, const std::string& display_name, v1::Role role) const;

  // A member's connection went down: they are RECONNECTING, keeping everything
  // until now + reconnect_grace_ms (with a grace of 0 they are removed at
  // once). A room device's attendees follow it.
  Outcome disconnect(const std::string& participant_id, TimeMs now);

  // A command from a connected member.
  Outcome apply(const std::string& actor_id, const v1::Command& command, TimeMs now);

  // Ends the session on the server's own authority (an operator through the
  // admin API), whoever is connected. SESSION_ENDED if it already has.
  Outcome end(TimeMs now);

  // Removes the members whose reconnect deadline has come (MemberLeft
  // LEAVE_REASON_TIMED_OUT) and raises the warnings that are due at `now`. Ok with no
  // events and no new version when nothing is due.
  Outcome tick(TimeMs now);

  // When `tick` next has something to do, if ever: a warning or a reconnect
  // deadline.
  std::optional<TimeMs> next_deadline() const;

  // Whether an end-to-end encrypted chat message or a hand-out of sealed
  // sender secrets from `sender_id` may be relayed now: ok with no events
  // (nothing changes, not even the version), or why not. The chat check
  // asks may_chat(); both check the key epoch and the recipients.
  Outcome check_chat(const std::string& sender_id, const v1::ChatUpload& chat) const;
  Outcome check_sender_keys(const std::string& sender_id, const v1::SenderKeysUpload& upload) const;

  // The one place that decides who is heard, whose chat is relayed and
  // whose video is forwarded.
  bool may_speak(std::string_view participant_id) const;
  bool may_chat(std::string_view participant_id) const;
  bool may_send_video(std::string_view participant_id) const;
  // A private message: as may_chat(), except that one to a facilitator or
  // co-facilitator is relayed in every phase.
  bool may_chat_to(std::string_view sender_id, std::string_view recipient_id) const;

  std::uint64_t version() const;
  bool ended() const;
  const std::string& id() const;
  // The roster entry, or null; valid until the next change.
  const v1::Member* member(std::string_view participant_id) const;

  // The state as clients see it, stamped with `now` as the server time.
  v1::SessionState snapshot(TimeMs now) const;

  // Everything the session holds, to be kept on disk; members' keys are left
  // out (they belong to connections, which a restart ends anyway).
  ::balint::record::v1::SessionRecord record() const;

  // The session a record describes, as it stands after a restart at `now`:
  // every member who was connected or reconnecting is RECONNECTING, with a
  // fresh deadline of now + the grace (at least kRestartGraceMs: a restart is
  // the server's doing, not theirs), or DISCONNECTED if the session ended;
  // the version rises by one. Phase,
  // timings, go-around, hands and mutes are as they were. On a record that
  // does not hold together, `error` is set and the optional is empty.
  static std::optional<Session> restore(::balint::record::v1::SessionRecord record, TimeMs now, std::string& error);
  static constexpr TimeMs kRestartGraceMs = 60'000;

 private:
  explicit Session(SessionConfig config);

  // The rules themselves, as static functions over a Session (see
  // session_impl.hpp); a nested type so that they may reach the state.
  struct Impl;

  // Roster, phase, go-around, hands and warnings kept in wire form. The
  // derived fields (may_speak, may_chat, hand_raised, controller_id,
  // go_around.paused, server_time_ms) are filled in by snapshot().
  v1::SessionState state_;
  TimeMs reconnect_grace_ms_ = 0;  // From the config: how long a dropped member is kept.
  // Numbers the in-room attendees ("<device>.<n>"); never goes back.
  std::uint64_t attendee_counter_ = 0;
  // Whether the warnings have been raised for the current phase / session.
  bool phase_warning_raised_ = false;
  bool session_warning_raised_ = false;
};

}  // namespace balint::core
