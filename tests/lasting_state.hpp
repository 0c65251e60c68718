// What a restart must keep as it was, in one comparable string: the state
// without connections, deadlines, keys, the version, the clock and what
// follows from them (who is in control, who may speak or chat, a paused
// turn). Shared by the engine's restore tests and the restart tests.
#pragma once

#include "balint/v1/balint.pb.h"

#include <string>

namespace balint::test {

inline std::string lasting_fields(balint::v1::SessionState s) {
  s.clear_version();
  s.clear_server_time_ms();
  s.clear_controller_id();
  s.clear_key_epoch();
  s.mutable_go_around()->clear_paused();
  for (auto& m : *s.mutable_roster()) {
    m.clear_connection();
    m.clear_reconnect_deadline_ms();
    m.clear_keys();
    m.clear_may_speak();
    m.clear_may_chat();
  }
  return s.DebugString();
}

}  // namespace balint::test
