#include "server_process.hpp"

#include <fstream>
#include <signal.h>
#include <stdexcept>

namespace balint::test {
namespace {

constexpr auto kStartTimeout = std::chrono::seconds(10);
constexpr auto kStopTimeout = std::chrono::seconds(10);
// The server prints its banner in one go, ending with this line.
constexpr std::string_view kReadyLine = "Press Ctrl-C to stop.";
constexpr std::string_view kAddressLabel = "Server:";

std::vector<std::string> server_argv(const std::filesystem::path& data_dir, std::uint16_t port,
                                     const std::vector<std::string>& extra) {
  std::vector<std::string> argv = {BALINT_SERVER_PATH, "--port",      std::to_string(port), "--data-dir",
                                   data_dir.string(),  "--log-level", "debug"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return argv;
}

// The URL on the banner's "  Server:        http://127.0.0.1:PORT" line;
// empty if there is none.
std::string printed_base_url(const std::string& out) {
  const auto label = out.find(kAddressLabel);
  if (label == std::string::npos) return {};
  const auto start = out.find_first_not_of(' ', label + kAddressLabel.size());
  const auto end = out.find('\n', label);
  if (start == std::string::npos || end == std::string::npos || start >= end) return {};
  return out.substr(start, end - start);
}

std::uint16_t port_of(const std::string& base_url) {
  const auto colon = base_url.rfind(':');
  if (colon == std::string::npos) return 0;
  try {
    std::size_t used = 0;
    const std::string digits = base_url.substr(colon + 1);
    const unsigned long port = std::stoul(digits, &used);
    if (used != digits.size() || port == 0 || port > 65535) return 0;
    return static_cast<std::uint16_t>(port);
  } catch (const std::exception&) {
    return 0;
  }
}

std::string read_trimmed(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return {};
  const auto end = text.find_last_not_of(" \t\r\n");
  return text.substr(begin, end - begin + 1);
}

}  // namespace

ServerProcess::ServerProcess(const std::vector<std::string>& extra_args, ServerPlace place)
    : data_dir_(place.data_dir.empty() ? own_dir_.path() : place.data_dir),
      process_(server_argv(data_dir_, place.port, extra_args)) {
  pid_ = process_.pid();
  const bool ready = process_.wait_for_output(std::string(kReadyLine), kStartTimeout);
  base_url_ = printed_base_url(process_.out());
  port_ = port_of(base_url_);
  if (!ready || port_ == 0) {
    const int code = process_.wait(std::chrono::milliseconds(500));
    stopped_ = true;
    throw std::runtime_error("balint-server (" + std::string(BALINT_SERVER_PATH) + ") did not come up within " +
                             std::to_string(kStartTimeout.count()) + " s (exit code " + std::to_string(code) +
                             ")\n--- stdout ---\n" + process_.out() + "\n--- stderr ---\n" + process_.err());
  }
  admin_secret_ = read_trimmed(data_dir_ / "admin.secret");
  pump_ = std::thread([this] { pump_loop(); });
}

ServerProcess::~ServerProcess() { stop(); }

void ServerProcess::pump_loop() {
  // The server logs at debug level; a pipe nobody reads fills at 64 KiB and
  // then the server's log call, holding the log mutex, blocks every thread.
  while (pumping_) {
    {
      std::lock_guard lock(mutex_);
      process_.drain();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string ServerProcess::http_url() const { return base_url_; }

std::string ServerProcess::ws_url() const { return "ws" + base_url_.substr(4) + "/ws"; }

sdk::AdminClient ServerProcess::admin() const {
  return sdk::AdminClient(http_url(), admin_secret(), sdk::AdminOptions{kWait, {}});
}

std::string ServerProcess::log() {
  std::lock_guard lock(mutex_);
  if (!stopped_) process_.drain();
  return process_.err();
}

std::string ServerProcess::out() {
  std::lock_guard lock(mutex_);
  if (!stopped_) process_.drain();
  return process_.out();
}

int ServerProcess::stop() { return end(SIGTERM); }

int ServerProcess::kill() { return end(SIGKILL); }

int ServerProcess::end(int signal) {
  pumping_ = false;
  if (pump_.joinable()) pump_.join();
  std::lock_guard lock(mutex_);
  if (stopped_) return exit_code_;
  stopped_ = true;
  process_.send_signal(signal);
  exit_code_ = process_.wait(kStopTimeout);  // Sends SIGKILL when the time is up.
  return exit_code_;
}

}  // namespace balint::test
