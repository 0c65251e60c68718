// An accepted connection on its way from HTTP to WebSocket: the byte stream,
// plain TCP or TLS, and its place in the count of connections.
#pragma once

#include "net/connection_limit.hpp"
#include "net/net.hpp"

#include <boost/asio/ssl.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <variant>

namespace balint::net {

using PlainStream = beast::tcp_stream;
using TlsStream = asio::ssl::stream<beast::tcp_stream>;

struct Transport {
  std::variant<PlainStream, TlsStream> stream;
  ConnectionLimit::Slot slot;  // Given back when the connection is gone.
  // Without a slot, which count was full: the session answers 503 or 429.
  ConnectionLimit::Full full = ConnectionLimit::Full::none;

  PlainStream& tcp() {
    return std::visit([](auto& s) -> PlainStream& { return beast::get_lowest_layer(s); }, stream);
  }
};

// Runs the connection on `target` from now on. A TLS connection keeps its
// session: the OpenSSL state moves along with the socket. Only for a
// connection with nothing buffered, such as one whose client has sent its
// WebSocket upgrade request and waits for the answer.
Transport move_transport(Transport transport, asio::io_context& target);

// A server-side TLS context from PEM files: TLS 1.2 and up, the
// certificate chain and its private key. Throws std::runtime_error saying
// which file is wrong.
std::shared_ptr<asio::ssl::context> make_tls_context(const std::string& certificate_file,
                                                     const std::string& private_key_file);

// Writes `response`, then ends the connection (with a TLS close_notify when
// there is TLS), all within `timeout`.
void answer_and_close(Transport transport, Response response, std::chrono::seconds timeout);

}  // namespace balint::net
