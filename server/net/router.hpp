// What the network layer asks of the application: answer an HTTP request, or
// admit (or refuse) a WebSocket upgrade.
#pragma once

#include "net/net.hpp"

#include <functional>
#include <variant>

namespace balint::net {

// Takes an upgraded connection's socket and the upgrade request. Called on
// the thread that read the request; it may move the socket to another
// io_context (see `move_socket`).
using Admit = std::function<void(tcp::socket socket, Request request)>;

class Router {
 public:
  virtual ~Router() = default;

  // A plain HTTP request. `respond` may be called later, from any thread.
  virtual void handle_http(Request request, Respond respond) = 0;

  // A WebSocket upgrade request: a refusal to send back, or who takes it.
  virtual std::variant<Response, Admit> handle_upgrade(const Request& request) = 0;
};

// Re-opens `socket`'s connection on `target`, so that it runs on that
// worker's thread from now on.
tcp::socket move_socket(tcp::socket socket, asio::io_context& target);

}  // namespace balint::net

namespace balint::net {

// Answers an upgrade that the application refuses after taking it (e.g. the
// session turned out to be full), then closes the connection.
void refuse_upgrade(tcp::socket socket, Response response);

}  // namespace balint::net
