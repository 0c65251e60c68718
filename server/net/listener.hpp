// Accepts TCP connections and starts an HTTP session for each, spreading
// them over the workers.
#pragma once

#include "net/address_limit.hpp"
#include "net/limits.hpp"
#include "net/net.hpp"
#include "net/router.hpp"
#include "net/worker_pool.hpp"

#include <boost/asio/ssl/context.hpp>

#include <memory>

namespace balint::net {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  // Binds at once; throws boost::system::system_error if it cannot. With a
  // TLS context every connection must speak TLS.
  Listener(asio::io_context& accept_context, WorkerPool& workers, tcp::endpoint endpoint,
           std::shared_ptr<Router> router, Limits limits, std::shared_ptr<asio::ssl::context> tls = nullptr);

  void start();
  void stop();  // Stops accepting; open connections are left alone.
  std::uint16_t port() const;

 private:
  void accept_next();
  void serve(tcp::socket socket);

  tcp::acceptor acceptor_;
  WorkerPool& workers_;
  std::shared_ptr<Router> router_;
  Limits limits_;
  std::shared_ptr<asio::ssl::context> tls_;
  std::shared_ptr<AddressLimit> per_address_;
};

}  // namespace balint::net
