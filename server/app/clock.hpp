// The server's clock, in the engine's unit.
#pragma once

#include "core/session.hpp"

#include <chrono>

namespace balint::app {

inline core::TimeMs now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace balint::app
