// The room as fuzz_client_message plays it: one session with the whole cast
// of command_script.hpp, and each step handled the way server/app/room.cpp
// handles a frame, with the session's invariants checked after every call.
#pragma once

#include "command_script.hpp"
#include "core/session.hpp"

#include <optional>

namespace balint::fuzz {

class FuzzRoom {
 public:
  // The whole cast but "ghost" joined, the room device carrying its two
  // attendees, and the facilitator past the lobby into the first phase.
  explicit FuzzRoom(bool balint_format);

  // Moves the clock on (ticking the warnings, as the room's timer does),
  // flips the actor's connection if asked, then handles the message: parse
  // the envelope, refuse a command without a request id, apply the command;
  // media is only checked against the speaking rule. Returns the outcome of
  // the command when one was applied.
  std::optional<core::Outcome> play(const Step& step);

 private:
  void tick();
  void flip_connection(const CastMember& member);

  core::TimeMs now_;
  core::Session session_;
};

}  // namespace balint::fuzz
