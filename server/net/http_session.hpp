// One HTTP connection: reads requests (keep-alive), answers them through the
// router, and hands WebSocket upgrades over.
#pragma once

#include "net/limits.hpp"
#include "net/net.hpp"
#include "net/router.hpp"

#include <memory>
#include <optional>

namespace balint::net {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(tcp::socket socket, std::shared_ptr<Router> router, Limits limits);
  void start();

 private:
  void read_request();
  void on_request(error_code ec);
  void write(Response response);
  void close();

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<Router> router_;
  Limits limits_;
};

}  // namespace balint::net
