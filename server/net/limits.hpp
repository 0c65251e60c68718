// The bounds the network layer enforces on every connection.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace balint::net {

// A steady rate with a burst on top (a token bucket).
struct Rate {
  double per_second = 0;
  std::uint32_t burst = 0;
};

struct Limits {
  std::size_t max_message_bytes = 64 * 1024;   // Largest WebSocket message read.
  std::size_t max_queue_bytes = 512 * 1024;    // Media is dropped past this;
                                               // the reader is closed past twice it.
  std::size_t max_request_body_bytes = 1024 * 1024;  // HTTP request bodies.
  std::size_t max_header_bytes = 8 * 1024;     // HTTP request line and headers.
  Rate commands{20, 40};                       // Per connection.
  Rate media{200, 400};                        // Per connection, apart from commands.
  Rate control{10, 50};                        // Pings and pongs from one client.
  std::uint32_t max_connections_per_ip = 64;
  std::uint32_t max_connections = 20000;       // In all.
  std::chrono::seconds handshake_timeout{10};  // TLS, HTTP request, WebSocket upgrade.
  std::chrono::seconds idle_timeout{60};       // HTTP keep-alive between requests.
  std::chrono::seconds ping_interval{5};       // A quiet WebSocket is pinged,
  std::chrono::seconds ping_timeout{4};        // and closed if nothing comes back.
  // Told to clients in the Welcome: they send a Heartbeat after a third of
  // it without sending, and count the connection lost after it all without
  // hearing anything.
  std::chrono::seconds client_silence_timeout{4};
};

}  // namespace balint::net
