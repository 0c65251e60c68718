#include "net/listener.hpp"

#include "net/http_session.hpp"

namespace balint::net {

Listener::Listener(asio::io_context& accept_context, WorkerPool& workers, tcp::endpoint endpoint,
                   std::shared_ptr<Router> router, Limits limits)
    : acceptor_(accept_context), workers_(workers), router_(std::move(router)), limits_(limits) {
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
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      std::make_shared<HttpSession>(std::move(socket), self->router_, self->limits_)->start();
    }
    // Other accept errors (e.g. too many open files) are transient: keep going.
    self->accept_next();
  });
}

tcp::socket move_socket(tcp::socket socket, asio::io_context& target) {
  if (&static_cast<asio::io_context&>(socket.get_executor().context()) == &target) return socket;
  const auto protocol = socket.local_endpoint().protocol();
  const auto handle = socket.release();
  return tcp::socket(target, protocol, handle);
}

}  // namespace balint::net
