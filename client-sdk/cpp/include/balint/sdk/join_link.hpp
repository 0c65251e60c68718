// Join links, WebSocket URLs and the small URL parser they share.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace balint::sdk {

// Where to connect and with which join token.
struct JoinTarget {
  std::string ws_url;  // e.g. ws://127.0.0.1:8080/ws
  std::string token;   // the join token (a JWT)
};

// Turns what a person was given into a connection target. Accepts
//   - a join link `<base>/join#<token>`: the WebSocket URL is the same host
//     and port, ws:// for http:// (wss:// for https://), path `<prefix>/ws`
//     where `<prefix>` is whatever came before `/join`;
//   - a WebSocket URL carrying `?token=<token>`;
//   - a bare token, used with `default_ws_url`.
// Throws std::invalid_argument when it can make nothing of the input (for a
// bare token: when `default_ws_url` is empty).
JoinTarget parse_join_link(std::string_view link_or_token, std::string_view default_ws_url = {});

// The join link for a token: `<public_url>/join#<token>`, where
// `public_url` is the server's public base URL (http:// or https://, with
// any path prefix; a trailing '/' is dropped). parse_join_link() turns it
// into the WebSocket URL and the token again. Throws std::invalid_argument
// on an empty token or a base URL that is not http(s) or has a query or
// fragment.
std::string make_join_link(std::string_view public_url, std::string_view token);

// A parsed http(s):// or ws(s):// URL.
struct Url {
  std::string scheme;  // "http", "https", "ws" or "wss", lower case
  std::string host;    // without brackets for IPv6 literals
  std::uint16_t port = 0;  // the scheme's default when the URL names none
  std::string target;  // path and query, at least "/"
  std::string fragment;  // after '#', without it

  bool secure() const { return scheme == "https" || scheme == "wss"; }
  // host[:port] as the Host header wants it (port left out when default).
  std::string host_header() const;
};

// Throws std::invalid_argument with what is wrong.
Url parse_url(std::string_view text);

// Percent-encodes everything but unreserved characters (RFC 3986).
std::string url_encode(std::string_view text);

}  // namespace balint::sdk
