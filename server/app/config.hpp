// The server's configuration: one typed struct with documented defaults,
// validated once at start. deploy/balint-room.example.json shows every field.
#pragma once

#include "auth/token.hpp"
#include "net/limits.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace balint::app {

struct Config {
  // --- Where to listen ------------------------------------------------------
  // Loopback by default: give a certificate (below) or put a reverse proxy in
  // front before exposing the server.
  std::string bind_address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0 picks a free port (tests).
  // Worker threads, each with its own io_context; 0 means one per core.
  unsigned threads = 0;
  // Write sockets through io_uring: every socket's send of a turn of the
  // event loop in one system call. Where the kernel refuses it (some
  // container profiles do), the server says so at start and gives each
  // socket write a system call of its own; false does that always.
  bool io_uring = true;
  // PEM files; with both set the server speaks only https:// and wss://.
  std::string tls_certificate_file;
  std::string tls_private_key_file;
  // Base of the join links handed out; empty: http(s)://<bind_address>:<port>.
  std::string public_url;
  // Folder of static files served at / (the web client); empty: none.
  std::string web_root;
  // Pages elsewhere whose WebSockets may join too (their Origin header, as
  // "scheme://host[:port]"), besides the server's own pages and the
  // public_url's. A client that sends no Origin (not a browser) may join.
  std::vector<std::string> allowed_origins;
  // The admin API on a listener of its own (say 127.0.0.1, out of the
  // public's reach); then the public port answers it 404. Empty address:
  // the admin API is on the public listener.
  std::string admin_bind_address;
  std::uint16_t admin_port = 0;  // With admin_bind_address; 0 picks a free port.

  // --- Secrets --------------------------------------------------------------
  // Where the server keeps its secrets and its store (balint.db).
  std::string data_dir = "data";
  // Admin API credential, 32 characters or more. Empty: read from (or
  // created in) data_dir/admin.secret.
  std::string admin_secret;
  // API keys that sign join tokens (HS256). The first signs the links the
  // admin API mints; every one is accepted, so a new key can be added, the
  // backends moved to it, and the old one removed without downtime. Empty:
  // one key, id "local", its secret in data_dir/token.secret.
  std::vector<auth::SigningKey> token_keys;
  // How long a minted join token is valid.
  std::chrono::seconds token_lifetime{std::chrono::hours(24)};
  // Clock skew allowed when checking a token's exp and nbf.
  std::chrono::seconds token_leeway{30};

  // --- Limits ---------------------------------------------------------------
  // Largest WebSocket message accepted from a client.
  std::size_t max_message_bytes = 64 * 1024;
  // Commands one connection may send: a steady rate and a burst on top.
  double commands_per_second = 20;
  std::uint32_t command_burst = 40;
  // Media frames one connection may send, counted apart from commands.
  double media_frames_per_second = 200;
  std::uint32_t media_burst = 400;
  // Pings and pongs one connection may send: a client needs a few a minute.
  double control_frames_per_second = 10;
  std::uint32_t control_burst = 50;
  // Open connections (HTTP or WebSocket) from one IP address. Generous,
  // since a hospital's clinicians may all come from behind one NAT.
  std::uint32_t max_connections_per_ip = 64;
  // Open connections in all; past it a new one is answered 503. The server
  // raises its descriptor limit as far as it may at start and says in the
  // log when this does not fit under it.
  std::uint32_t max_connections = 20000;
  // Sessions that have not ended, server-wide.
  std::uint32_t max_sessions = 200;
  // Members besides facilitators and room devices, unless a session says less.
  std::uint32_t default_max_members = 12;
  // Bytes queued for one slow reader before media is dropped; twice this and
  // the connection is closed.
  std::size_t max_queue_bytes = 512 * 1024;
  // How long the TLS handshake, the HTTP request and the WebSocket upgrade
  // may take before the connection is closed.
  std::chrono::seconds handshake_timeout{10};
  // How long an HTTP keep-alive connection may wait for its next request.
  std::chrono::seconds idle_timeout{60};
  // A WebSocket quiet for this long is pinged ...
  std::chrono::seconds ping_interval{5};
  // ... and closed if nothing at all comes back within this long: together
  // how long a silent network takes to mark a member reconnecting.
  std::chrono::seconds ping_timeout{4};
  // How long a client goes without hearing from the server before it shows
  // the connection lost and makes it again (it sends a Heartbeat after a
  // third of this without sending anything, which the server answers).
  std::chrono::seconds client_silence_timeout{4};
  // How long shutdown waits for clients to be told before it stops hard.
  std::chrono::seconds shutdown_grace{5};

  // --- Sessions -------------------------------------------------------------
  // How long a member whose connection drops keeps their place (role, turn,
  // hand, mute) for their return; 0 removes them at once. Hospital Wi-Fi
  // drops; a minute covers most of it.
  std::chrono::seconds reconnect_grace{60};

  // "error", "warn", "info" or "debug".
  std::string log_level = "info";
};

// The limits the network layer enforces, as the config sets them.
net::Limits network_limits(const Config& config);

// Reads a JSON config file over the defaults. Throws std::runtime_error with
// the file, field and problem on a bad file.
Config load_config_file(const std::string& path, Config base = {});

// Empty if the config holds together; otherwise the first problem.
std::string validate(const Config& config);

}  // namespace balint::app
