// What must hold of a session whatever it is sent. A broken rule aborts with
// a message, which libFuzzer reports as a crash together with the input.
#pragma once

#include "core/session.hpp"

namespace balint::fuzz {

// After one call (a command, a join, a disconnect or a tick) that started
// from `before`. `changed` says whether the call is one that changes the
// state: an accepted command, join or disconnect, or a tick that raised a
// warning. Such a call raised the version by exactly one and stamped its
// events with it; any other call left the version, the state and the events
// alone, and a refusal says why.
void check_call(const core::Session& session, const v1::SessionState& before, const core::Outcome& outcome,
                bool changed, core::TimeMs now);

// The state on its own: it survives the wire, and its parts agree (roster,
// hand queue, floor, go-around, speaking rule, the end).
void check_state(const core::Session& session, core::TimeMs now);

}  // namespace balint::fuzz
