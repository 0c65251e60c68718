// One HTTP connection: the TLS handshake if there is TLS, then requests
// (keep-alive) answered through the router, until a WebSocket upgrade is
// handed over.
#pragma once

#include "net/limits.hpp"
#include "net/net.hpp"
#include "net/router.hpp"
#include "net/transport.hpp"

#include <memory>
#include <optional>

namespace balint::net {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(Transport transport, std::shared_ptr<Router> router, Limits limits);
  void start();

 private:
  void begin();  // After the TLS handshake, if any.
  void read_request(std::chrono::seconds timeout);
  void on_request(error_code ec);
  void write(Response response);
  void close();

  Transport transport_;
  asio::ip::address peer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<Router> router_;
  Limits limits_;
};

}  // namespace balint::net
