#include "net/listener.hpp"

#include "net/http_session.hpp"

namespace balint::net {

Listener::Listener(asio::io_context& accept_context, WorkerPool& workers, tcp::endpoint endpoint,
                   std::shared_ptr<Router> router, Limits limits, std::shared_ptr<asio::ssl::context> tls)
    : acceptor_(accept_context),
      workers_(workers),
      router_(std::move(router)),
      limits_(limits),
      tls_(std::move(tls)),
      per_address_(std::make_shared<AddressLimit>(limits.max_connections_per_ip)) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(asio::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(asio::socket_base::max_listen_connections);
}

void Listener::start() {
  asio::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->accept_next(); });
}

void Listener::stop() {
  asio::dispatch(acceptor_.get_executor(), [self = shared_from_this()] {
    error_code ignored;
    self->acceptor_.close(ignored);
  });
}

std::uint16_t Listener::port() const { return acceptor_.local_endpoint().port(); }

void Listener::accept_next() {
  acceptor_.async_accept(workers_.next(), [self = shared_from_this()](error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !self->acceptor_.is_open()) return;
    if (!ec) self->serve(std::move(socket));
    // Other accept errors (e.g. too many open files) are transient: keep going.
    self->accept_next();
  });
}

void Listener::serve(tcp::socket socket) {
  error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  const auto peer = socket.remote_endpoint(ec);
  if (ec) return;  // Gone already.
  // Over the per-address limit the slot is null; the session answers 429.
  auto slot = per_address_->take(peer.address());
  Transport transport = tls_ ? Transport{TlsStream(PlainStream(std::move(socket)), *tls_), std::move(slot)}
                             : Transport{PlainStream(std::move(socket)), std::move(slot)};
  std::make_shared<HttpSession>(std::move(transport), router_, limits_)->start();
}

}  // namespace balint::net
