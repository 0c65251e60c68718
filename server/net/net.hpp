// Names every file of the network layer shares.
#pragma once

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <functional>
#include <string_view>

namespace balint::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = boost::asio::ip::tcp;
using error_code = boost::system::error_code;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// Hands an HTTP response back to the connection that asked; callable once,
// from any thread.
using Respond = std::function<void(Response)>;

// True for the errors that only mean "the other side or we went away".
bool is_expected_disconnect(const error_code& ec);

// A JSON error response: {"error":{"code":...,"message":...}}.
Response json_error(http::status status, std::string_view code, std::string_view message, unsigned version,
                    bool keep_alive);

// The address a client is counted by: an IPv4 address as itself (also
// when it comes mapped into IPv6), an IPv6 address by its /64, which is
// what one home or office is given, so that a client cannot step past a
// per-address limit by changing the low bits.
asio::ip::address client_key(const asio::ip::address& address);

// 503 server_full with a Retry-After: the server has no room for another
// connection now.
Response server_full_response();

// A JSON response with the given body.
Response json_response(http::status status, std::string body, unsigned version, bool keep_alive);

}  // namespace balint::net
