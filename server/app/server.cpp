#include "app/server.hpp"

#include "app/gateway.hpp"
#include "app/log.hpp"
#include "app/registry.hpp"
#include "app/secrets.hpp"
#include "app/sqlite_store.hpp"
#include "app/store_thread.hpp"
#include "net/listener.hpp"
#include "net/transport.hpp"
#include "net/worker_pool.hpp"

#include <google/protobuf/stubs/logging.h>

#include <condition_variable>
#include <limits>
#include <mutex>
#include <stdexcept>

namespace balint::app {
namespace {

// Protobuf reports input it rejects (e.g. invalid UTF-8 in a string field)
// on stderr by itself. Those reports name a field, never its contents, and
// the client already got MALFORMED; they go to the debug log instead.
// Open connections the admin listener takes, from one address and in all.
constexpr std::uint32_t kAdminConnections = 64;

void protobuf_log(google::protobuf::LogLevel level, const char*, int, const std::string& message) {
  log(level == google::protobuf::LOGLEVEL_FATAL ? LogLevel::error : LogLevel::debug, "protobuf: ", message);
}

}  // namespace

struct Server::Impl {
  Impl(Config c, OpenStore open) : config(std::move(c)), open_store(std::move(open)), workers(config.threads, config.io_uring) {}

  Config config;
  OpenStore open_store;
  net::WorkerPool workers;
  Registry registry;
  std::shared_ptr<StoreThread> store;
  std::shared_ptr<Gateway> gateway;
  std::shared_ptr<net::Listener> listener;
  std::shared_ptr<net::Listener> admin_listener;  // With admin_bind_address.
  std::uint16_t port = 0;

  std::mutex mutex;
  std::condition_variable stopped_signal;
  bool running = false;
};

Server::Server(Config config, OpenStore open_store) : impl_(std::make_unique<Impl>(std::move(config), std::move(open_store))) {}

Server::~Server() { stop(); }

void Server::start() {
  auto& config = impl_->config;
  if (auto problem = validate(config); !problem.empty()) throw std::runtime_error("bad config: " + problem);
  LogLevel level = LogLevel::info;
  parse_log_level(config.log_level, level);
  set_log_level(level);
  // Once per process, before any server thread can be logging.
  static const bool protobuf_log_installed = (google::protobuf::SetLogHandler(&protobuf_log), true);
  (void)protobuf_log_installed;
  config.admin_secret = load_or_create_secret(config.admin_secret, config.data_dir, "admin.secret");
  if (config.token_keys.empty())
    config.token_keys.push_back({"local", load_or_create_secret("", config.data_dir, "token.secret")});
  std::shared_ptr<net::asio::ssl::context> tls;
  if (!config.tls_certificate_file.empty())
    tls = net::make_tls_context(config.tls_certificate_file, config.tls_private_key_file);

  const auto descriptors = net::raise_descriptor_limit();
  log(LogLevel::info, "open descriptors allowed: ", descriptors.soft, " (raised from ", descriptors.before,
      "; hard limit ", descriptors.hard, ")");
  if (descriptors.soft < config.max_connections + 64ull)
    log(LogLevel::warn, "max_connections ", config.max_connections, " does not fit under the descriptor limit ",
        descriptors.soft, ": past about ", descriptors.soft > 64 ? descriptors.soft - 64 : 0,
        " connections new ones are answered 503 (raise LimitNOFILE, or lower max_connections)");

  auto store = impl_->open_store ? impl_->open_store(config)
                                 : std::unique_ptr<Store>(std::make_unique<SqliteStore>(config.data_dir));
  const auto records = store->session_records();  // Before the store thread has it.
  impl_->store = std::make_shared<StoreThread>(std::move(store));
  restore_sessions(records);
  const auto limits = network_limits(config);
  auto public_connections = std::make_shared<net::ConnectionLimit>(limits.max_connections_per_ip, limits.max_connections);
  auto admin = std::make_shared<AdminApi>(config, impl_->registry, impl_->workers, impl_->store);
  const bool admin_apart = !config.admin_bind_address.empty();
  impl_->gateway = std::make_shared<Gateway>(config, impl_->registry, admin_apart ? nullptr : admin);
  const auto listen = [&](const std::string& host, std::uint16_t port, std::shared_ptr<net::Router> router,
                          std::shared_ptr<net::ConnectionLimit> connections,
                          std::shared_ptr<net::asio::ssl::context> context) {
    try {
      return std::make_shared<net::Listener>(impl_->workers.next(), impl_->workers,
                                             net::tcp::endpoint(net::asio::ip::make_address(host), port),
                                             std::move(router), limits, connections, std::move(context));
    } catch (const boost::system::system_error& error) {
      throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port) + ": " + error.code().message());
    }
  };
  impl_->listener = listen(config.bind_address, config.port, impl_->gateway, public_connections, tls);
  // A count of its own: a flood of the public port leaves the admin's door
  // open.
  if (admin_apart)
    impl_->admin_listener =
        listen(config.admin_bind_address, config.admin_port, std::make_shared<AdminGateway>(admin),
               std::make_shared<net::ConnectionLimit>(kAdminConnections, kAdminConnections), std::move(tls));
  impl_->port = impl_->listener->port();
  if (config.public_url.empty()) config.public_url = base_url();
  impl_->listener->start();
  if (impl_->admin_listener) {
    impl_->admin_listener->start();
    log(LogLevel::info, "admin API listening on ", config.admin_bind_address, ":", impl_->admin_listener->port());
  }
  impl_->workers.start();
  {
    std::lock_guard lock(impl_->mutex);
    impl_->running = true;
  }
  log(LogLevel::info, "listening on ", config.bind_address, ":", impl_->port, " with ", impl_->workers.size(),
      " worker threads");
  if (const auto& problem = impl_->workers.io_uring_problem(); problem.empty())
    log(LogLevel::info, "sockets written through io_uring");
  else
    log(config.io_uring ? LogLevel::warn : LogLevel::info, "sockets written one system call each (", problem, ")");
}

void Server::stop() {
  {
    std::lock_guard lock(impl_->mutex);
    if (!impl_->running) return;
    impl_->running = false;
  }
  log(LogLevel::info, "shutting down");
  impl_->listener->stop();
  if (impl_->admin_listener) impl_->admin_listener->stop();
  for (const auto& room : impl_->registry.all())
    room->post([](Room& room) { room.shut_down(); });
  // Give clients the grace period to receive their goodbye and close.
  const auto deadline = std::chrono::steady_clock::now() + impl_->config.shutdown_grace;
  while (impl_->registry.open_connections() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  impl_->workers.stop(std::chrono::milliseconds(0));
  impl_->store->stop();  // Writes what is still queued.
  impl_->stopped_signal.notify_all();
  log(LogLevel::info, "stopped");
}

// Every session in the store comes back as it was, its members reconnecting.
// A record that cannot be read is skipped and named in the log, so that one
// damaged session does not keep the others from starting.
void Server::restore_sessions(const std::vector<std::string>& records) {
  std::size_t restored = 0;
  std::size_t running = 0;
  for (const auto& bytes : records) {
    std::string error;
    auto room = Room::restore(impl_->workers.next(), bytes, network_limits(impl_->config), impl_->store, error);
    if (!room) {
      log(LogLevel::error, "store: a session record cannot be restored: ", error);
      continue;
    }
    ++restored;
    running += room->summary().ended ? 0 : 1;
    impl_->registry.add(std::move(room), std::numeric_limits<std::size_t>::max());
  }
  if (restored > 0)
    log(LogLevel::info, "restored ", restored, " sessions (", running, " not ended) from ", impl_->store->where());
}

void Server::wait() {
  std::unique_lock lock(impl_->mutex);
  impl_->stopped_signal.wait(lock, [&] { return !impl_->running; });
}

std::uint16_t Server::port() const { return impl_->port; }
std::uint16_t Server::admin_port() const { return impl_->admin_listener ? impl_->admin_listener->port() : impl_->port; }
const std::string& Server::admin_secret() const { return impl_->config.admin_secret; }

std::string Server::base_url() const {
  const auto& host = impl_->config.bind_address;
  const bool v6 = host.find(':') != std::string::npos;
  const bool tls = !impl_->config.tls_certificate_file.empty();
  return (tls ? "https://" : "http://") + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(impl_->port);
}

}  // namespace balint::app
