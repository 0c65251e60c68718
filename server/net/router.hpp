// What the network layer asks of the application: answer an HTTP request, or
// admit (or refuse) a WebSocket upgrade.
#pragma once

#include "net/net.hpp"
#include "net/transport.hpp"

#include <functional>
#include <variant>

namespace balint::net {

// Takes over a connection that asks to upgrade, with its request. Called on
// the thread that read the request; it may move the connection to another
// io_context (see `move_transport`).
using Admit = std::function<void(Transport transport, Request request)>;

class Router {
 public:
  virtual ~Router() = default;

  // A plain HTTP request from `peer`. `respond` may be called later, from
  // any thread.
  virtual void handle_http(Request request, const asio::ip::address& peer, Respond respond) = 0;

  // A WebSocket upgrade request: a refusal to send back, or who takes it.
  virtual std::variant<Response, Admit> handle_upgrade(const Request& request) = 0;

  // The listener ran out of descriptors (or kernel memory) and turns
  // connections away until it has some again; told once each time.
  virtual void out_of_descriptors(const error_code& ec) = 0;
};

}  // namespace balint::net
