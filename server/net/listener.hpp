// Accepts TCP connections and starts an HTTP session for each, spreading
// them over the workers.
//
// Out of descriptors (EMFILE, ENFILE), accepting again at once would spin:
// the listener then waits a little longer each time (up to a second), and
// spends a descriptor it keeps in reserve to take the waiting connection,
// tell it 503 and close it, so that a client learns the server is full
// instead of waiting for a time-out.
#pragma once

#include "net/connection_limit.hpp"
#include "net/limits.hpp"
#include "net/net.hpp"
#include "net/router.hpp"
#include "net/worker_pool.hpp"

#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <memory>

namespace balint::net {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Binds at once; throws boost::system::system_error if it cannot. With a
  // TLS context every connection must speak TLS. `connections` is the
  // count it shares with the server's other listeners.
  Listener(asio::io_context& accept_context, WorkerPool& workers, tcp::endpoint endpoint,
           std::shared_ptr<Router> router, Limits limits, std::shared_ptr<ConnectionLimit> connections,
           std::shared_ptr<asio::ssl::context> tls = nullptr);
  ~Listener();

  void start();
  void stop();  // Stops accepting; open connections are left alone.
  std::uint16_t port() const;

 private:
  void accept_next();
  void out_of_descriptors(const error_code& ec);
  void serve(tcp::socket socket);

  tcp::acceptor acceptor_;
  asio::steady_timer backoff_timer_;
  std::chrono::milliseconds backoff_{0};
  int reserve_fd_ = -1;  // Spent to turn one connection away when none are left.
  WorkerPool& workers_;
  std::shared_ptr<Router> router_;
  Limits limits_;
  std::shared_ptr<asio::ssl::context> tls_;
  std::shared_ptr<ConnectionLimit> connections_;
};

// Raises this process's soft limit on open descriptors to its hard limit,
// and returns both as they are then.
struct DescriptorLimit {
  std::uint64_t soft = 0;
  std::uint64_t hard = 0;
  std::uint64_t before = 0;  // The soft limit before.
};
DescriptorLimit raise_descriptor_limit();

}  // namespace balint::net
