// The bounds the network layer enforces on every connection.
#pragma once

#include <chrono>
#include <cstddef>

namespace balint::net {

struct Limits {
  std::size_t max_message_bytes = 64 * 1024;   // Largest WebSocket message read.
  std::size_t max_queue_bytes = 512 * 1024;    // Media is dropped past this;
                                               // the reader is closed past twice it.
  std::size_t max_request_body_bytes = 1024 * 1024;  // HTTP request bodies.
  std::chrono::seconds handshake_timeout{10};  // HTTP request and WebSocket upgrade.
  std::chrono::seconds idle_timeout{30};       // Pings go out at half of it.
};

}  // namespace balint::net
