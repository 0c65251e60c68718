// The whole server in one object: listener, worker threads, session
// registry, admin API. main() and the integration tests both use it.
#pragma once

#include "app/config.hpp"
#include "app/store.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace balint::app {

class Server {
 public:
  // Opens the store the server keeps its sessions in; by default the
  // SQLite database in config.data_dir.
  using OpenStore = std::function<std::unique_ptr<Store>(const Config& config)>;

  explicit Server(Config config, OpenStore open_store = {});
  ~Server();  // Stops if still running.

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Loads or creates the secrets, opens the store and restores the sessions
  // in it, binds, starts the worker threads. Throws
  // std::runtime_error (e.g. the port is taken) and leaves nothing running.
  void start();

  // Tells every client the server is restarting (a Goodbye they come back
  // after), stops accepting, closes every connection and joins the threads;
  // returns within config.shutdown_grace, once the store has written every
  // change handed to it.
  void stop();

  // Blocks until stop() is called from another thread or a signal handler.
  void wait();

  std::uint16_t port() const;              // The bound port (after start).
  std::uint16_t admin_port() const;        // The admin API's: port() unless it listens apart.
  const std::string& admin_secret() const; // The admin credential in force.
  std::string base_url() const;            // e.g. http://127.0.0.1:8080

 private:
  void restore_sessions(const std::vector<std::string>& records);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace balint::app
