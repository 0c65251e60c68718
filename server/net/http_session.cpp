#include "net/http_session.hpp"

#include "net/ws_frames.hpp"

namespace balint::net {
namespace {

// How long a connection over a cap (and so outside the count) may take to
// read its refusal.
constexpr std::chrono::seconds kRefusalTimeout{1};

// Beast checks these too, but answers in plain text and only after the
// session has admitted the member; checked here, the refusal is JSON and
// comes before anything else happens.
std::optional<Response> upgrade_refusal(const Request& request) {
  if (request.method() != http::verb::get)
    return json_error(http::status::bad_request, "bad_upgrade", "a WebSocket upgrade must be a GET", request.version(), false);
  if (!ws::valid_client_key(request[http::field::sec_websocket_key]))
    return json_error(http::status::bad_request, "bad_upgrade", "the upgrade needs a Sec-WebSocket-Key of 16 bytes in base64",
                      request.version(), false);
  if (request[http::field::sec_websocket_version] != "13") {
    auto refusal = json_error(http::status::upgrade_required, "bad_upgrade", "only WebSocket version 13 is spoken",
                              request.version(), false);
    refusal.set(http::field::sec_websocket_version, "13");
    return refusal;
  }
  return std::nullopt;
}

}  // namespace

HttpSession::HttpSession(Transport transport, std::shared_ptr<Router> router, Limits limits)
    : transport_(std::move(transport)), router_(std::move(router)), limits_(limits) {
  error_code ec;
  peer_ = transport_.tcp().socket().remote_endpoint(ec).address();
}

void HttpSession::start() {
  asio::dispatch(transport_.tcp().get_executor(), [self = shared_from_this()] {
    auto* tls = std::get_if<TlsStream>(&self->transport_.stream);
    if (!tls) return self->begin();
    // Over a cap, a TLS handshake would hold the descriptor (uncounted) for
    // as long as the client likes: the connection is closed at once.
    if (self->transport_.full != ConnectionLimit::Full::none) return self->close();
    self->transport_.tcp().expires_after(self->limits_.handshake_timeout);
    tls->async_handshake(asio::ssl::stream_base::server, [self](error_code ec) {
      if (ec) return self->close();  // Not TLS, or a failed handshake: nothing to answer in.
      self->begin();
    });
  });
}

void HttpSession::begin() {
  // No slot: the server, or the peer's address, has its fill of connections.
  if (transport_.full == ConnectionLimit::Full::address)
    return answer_and_close(std::move(transport_),
                            json_error(http::status::too_many_requests, "too_many_connections",
                                       "too many connections from your address (at most " +
                                           std::to_string(limits_.max_connections_per_ip) + ")",
                                       11, false),
                            kRefusalTimeout);
  if (transport_.full == ConnectionLimit::Full::server)
    return answer_and_close(std::move(transport_), server_full_response(), kRefusalTimeout);
  read_request(limits_.handshake_timeout);
}

void HttpSession::read_request(std::chrono::seconds timeout) {
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
  parser_->body_limit(limits_.max_request_body_bytes);
  transport_.tcp().expires_after(timeout);
  std::visit(
      [self = shared_from_this()](auto& stream) {
        http::async_read(stream, self->buffer_, *self->parser_,
                         [self](error_code ec, std::size_t) { self->on_request(ec); });
      },
      transport_.stream);
}

void HttpSession::on_request(error_code ec) {
  if (ec == http::error::end_of_stream || is_expected_disconnect(ec)) return close();
  if (ec) {
    // Garbage, oversized headers or body: answer once, then hang up.
    auto status = http::status::bad_request;
    std::string_view code = "bad_request";
    if (ec == http::error::body_limit) status = http::status::payload_too_large, code = "body_too_large";
    if (ec == http::error::header_limit) status = http::status::request_header_fields_too_large, code = "headers_too_large";
    return answer_and_close(std::move(transport_), json_error(status, code, "malformed HTTP request: " + ec.message(), 11, false),
                            limits_.handshake_timeout);
  }

  Request request = parser_->release();
  if (websocket::is_upgrade(request)) {
    if (auto refusal = upgrade_refusal(request))
      return answer_and_close(std::move(transport_), std::move(*refusal), limits_.handshake_timeout);
    auto decision = router_->handle_upgrade(request);
    if (auto* refusal = std::get_if<Response>(&decision))
      return answer_and_close(std::move(transport_), std::move(*refusal), limits_.handshake_timeout);
    transport_.tcp().expires_never();
    // The application now owns the connection.
    return std::get<Admit>(decision)(std::move(transport_), std::move(request));
  }

  router_->handle_http(std::move(request), peer_, [self = shared_from_this()](Response response) {
    asio::post(self->transport_.tcp().get_executor(),
               [self, response = std::move(response)]() mutable { self->write(std::move(response)); });
  });
}

void HttpSession::write(Response response) {
  if (!response.keep_alive()) return answer_and_close(std::move(transport_), std::move(response), limits_.handshake_timeout);
  auto shared = std::make_shared<Response>(std::move(response));
  transport_.tcp().expires_after(limits_.handshake_timeout);
  std::visit(
      [self = shared_from_this(), shared](auto& stream) {
        http::async_write(stream, *shared, [self, shared](error_code ec, std::size_t) {
          if (ec) return self->close();
          self->read_request(self->limits_.idle_timeout);
        });
      },
      transport_.stream);
}

void HttpSession::close() {
  error_code ignored;
  transport_.tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
  transport_.tcp().close();
}

}  // namespace balint::net
