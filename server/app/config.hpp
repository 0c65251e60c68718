// The server's configuration: one typed struct with documented defaults,
// validated once at start. deploy/balint-room.example.json shows every field.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace balint::app {

struct Config {
  // Where to listen. Loopback by default: put TLS or a reverse proxy in front
  // before exposing the server.
  std::string bind_address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 picks a free port (tests).
  // Worker threads, each with its own io_context; 0 means one per core.
  unsigned threads = 0;
  // Where the server keeps its secrets (and, later, its store).
  std::string data_dir = "data";
  // Admin API credential. Empty: read from (or created in) data_dir/admin.secret.
  std::string admin_secret;
  // Key that signs join tokens (HS256). Empty: data_dir/token.secret.
  std::string token_secret;
  // Base of the join links handed out; empty: http://<bind_address>:<port>.
  std::string public_url;
  // Folder of static files served at / (the web client); empty: none.
  std::string web_root;
  // How long a minted join token is valid.
  std::chrono::seconds token_lifetime{std::chrono::hours(24)};
  // Largest WebSocket message accepted from a client.
  std::size_t max_message_bytes = 64 * 1024;
  // Bytes queued for one slow reader before media is dropped; twice this and
  // the connection is closed.
  std::size_t max_queue_bytes = 512 * 1024;
  // Members besides facilitators and room devices, unless a session says less.
  std::uint32_t default_max_members = 12;
  // Sent pings keep idle connections alive and find dead ones.
  std::chrono::seconds idle_timeout{30};
  // How long the HTTP part of a connection may take before it is closed.
  std::chrono::seconds handshake_timeout{10};
  // How long shutdown waits for clients to be told before it stops hard.
  std::chrono::seconds shutdown_grace{5};
  // "error", "warn", "info" or "debug".
  std::string log_level = "info";
};

// Reads a JSON config file over the defaults. Throws std::runtime_error with
// the file, field and problem on a bad file.
Config load_config_file(const std::string& path, Config base = {});

// Empty if the config holds together; otherwise the first problem.
std::string validate(const Config& config);

}  // namespace balint::app
