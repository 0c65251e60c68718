// A ServerMessage in a WebSocket frame of its own, serialized straight into
// it: the one way the room turns a message into bytes to send.
#pragma once

#include "core/session.hpp"
#include "net/ws_frames.hpp"

namespace balint::app {

inline net::ws::SharedFrame serialize(const core::v1::ServerMessage& message) {
  return net::ws::binary_frame(message.ByteSizeLong(), [&](char* out) {
    message.SerializeWithCachedSizesToArray(reinterpret_cast<std::uint8_t*>(out));
  });
}

}  // namespace balint::app
