// The real balint-server binary as a child process, for tests that must look
// at the server from outside: its memory, its stderr log, its data directory.
// TestServer runs the server inside the test process, where the test's own
// copies of names and tokens would be found in the same memory.
#pragma once

#include "harness.hpp"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <sys/types.h>
#include <thread>
#include <vector>

namespace balint::test {

// Where a server runs: for a restart, the data dir and port of the one
// before. By default a fresh dir of its own and a free port.
struct ServerPlace {
  std::filesystem::path data_dir;
  std::uint16_t port = 0;
};

class ServerProcess {
 public:
  // Starts `balint-server --port <port> --data-dir <dir> --log-level debug`
  // followed by `extra_args`, and waits until it prints its address. Throws
  // std::runtime_error (with what the server said) if it does not come up.
  explicit ServerProcess(const std::vector<std::string>& extra_args = {}, ServerPlace place = {});
  // Stops the server if stop() has not.
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  pid_t pid() const { return pid_; }
  std::uint16_t port() const { return port_; }
  std::string http_url() const;  // http://127.0.0.1:<port>, as the server printed it
  std::string ws_url() const;    // ws://127.0.0.1:<port>/ws
  // From data_dir/admin.secret, as the server wrote it at the start.
  const std::string& admin_secret() const { return admin_secret_; }
  sdk::AdminClient admin() const;
  const std::filesystem::path& data_dir() const { return data_dir_; }
  ServerPlace place() const { return {data_dir_, port_}; }

  // Everything the server has written to stderr (its log) so far.
  std::string log();
  // Everything it has written to stdout so far.
  std::string out();

  // SIGTERM, then up to 10 s for the exit, then SIGKILL. Returns the exit
  // code (128 + signal if killed by one, -1 if it had to be killed);
  // calling it again returns the same.
  int stop();
  // SIGKILL: the server gets no chance to do anything. Returns as stop().
  int kill();

 private:
  void pump_loop();
  int end(int signal);

  TempDir own_dir_;  // Unused when a Place names the data dir.
  std::filesystem::path data_dir_;
  std::mutex mutex_;  // Guards process_ between the pump thread and callers.
  Process process_;
  pid_t pid_ = -1;
  std::string base_url_;  // As the server printed it.
  std::uint16_t port_ = 0;
  std::string admin_secret_;
  std::atomic<bool> pumping_{true};
  std::thread pump_;
  bool stopped_ = false;
  int exit_code_ = -1;
};

}  // namespace balint::test
