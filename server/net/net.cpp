#include "net/net.hpp"

#include <boost/asio/ssl/error.hpp>
#include <boost/json.hpp>

#include <algorithm>

namespace balint::net {

bool is_expected_disconnect(const error_code& ec) {
  return ec == asio::error::operation_aborted || ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == websocket::error::closed || ec == beast::error::timeout ||
         ec == http::error::end_of_stream || ec == asio::ssl::error::stream_truncated;
}

Response json_response(http::status status, std::string body, unsigned version, bool keep_alive) {
  Response res{status, version};
  res.set(http::field::server, "balint-room");
  res.set(http::field::content_type, "application/json");
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(keep_alive);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response json_error(http::status status, std::string_view code, std::string_view message, unsigned version,
                    bool keep_alive) {
  boost::json::object error{{"code", code}, {"message", message}};
  return json_response(status, boost::json::serialize(boost::json::object{{"error", std::move(error)}}), version,
                       keep_alive);
}

}  // namespace balint::net

namespace balint::net {

asio::ip::address client_key(const asio::ip::address& address) {
  if (!address.is_v6()) return address;
  const auto v6 = address.to_v6();
  if (v6.is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, v6);
  auto bytes = v6.to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  return asio::ip::address_v6(bytes);
}

Response server_full_response() {
  auto response = json_error(http::status::service_unavailable, "server_full",
                             "the server has no room for another connection now; try again in a few seconds", 11, false);
  response.set(http::field::retry_after, "5");
  return response;
}

}  // namespace balint::net
