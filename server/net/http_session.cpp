#include "net/http_session.hpp"

namespace balint::net {

HttpSession::HttpSession(tcp::socket socket, std::shared_ptr<Router> router, Limits limits)
    : stream_(std::move(socket)), router_(std::move(router)), limits_(limits) {}

void HttpSession::start() {
  asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_request(); });
}

void HttpSession::read_request() {
  parser_.emplace();
  parser_->header_limit(8 * 1024);
  parser_->body_limit(limits_.max_request_body_bytes);
  stream_.expires_after(limits_.handshake_timeout);
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](error_code ec, std::size_t) { self->on_request(ec); });
}

void HttpSession::on_request(error_code ec) {
  if (ec == http::error::end_of_stream || is_expected_disconnect(ec)) return close();
  if (ec) {
    // Garbage, oversized headers or body: answer once, then hang up.
    const auto status = ec == http::error::body_limit ? http::status::payload_too_large : http::status::bad_request;
    auto response = json_error(status, "bad_request", "malformed HTTP request: " + ec.message(), 11, false);
    return write(std::move(response));
  }

  Request request = parser_->release();
  if (websocket::is_upgrade(request)) {
    auto decision = router_->handle_upgrade(request);
    if (auto* refusal = std::get_if<Response>(&decision)) {
      refusal->keep_alive(false);
      return write(std::move(*refusal));
    }
    stream_.expires_never();
    // The application now owns the connection.
    return std::get<Admit>(decision)(stream_.release_socket(), std::move(request));
  }

  router_->handle_http(std::move(request), [self = shared_from_this()](Response response) {
    asio::post(self->stream_.get_executor(),
               [self, response = std::move(response)]() mutable { self->write(std::move(response)); });
  });
}

void HttpSession::write(Response response) {
  auto shared = std::make_shared<Response>(std::move(response));
  stream_.expires_after(limits_.handshake_timeout);
  http::async_write(stream_, *shared, [self = shared_from_this(), shared](error_code ec, std::size_t) {
    if (ec || !shared->keep_alive()) return self->close();
    self->read_request();
  });
}

void HttpSession::close() {
  error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream_.close();
}

}  // namespace balint::net

namespace balint::net {

void refuse_upgrade(tcp::socket socket, Response response) {
  auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
  auto shared = std::make_shared<Response>(std::move(response));
  shared->keep_alive(false);
  stream->expires_after(std::chrono::seconds(5));
  http::async_write(*stream, *shared, [stream, shared](error_code, std::size_t) {
    error_code ignored;
    stream->socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream->close();
  });
}

}  // namespace balint::net
