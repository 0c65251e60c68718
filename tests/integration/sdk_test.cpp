// The SDK's pieces that need no server: links, URLs, error bodies, names,
// command builders, and a client that is not connected.

#include "harness.hpp"

#include <catch2/catch.hpp>

namespace balint::test {

TEST_CASE("parse_join_link understands links, WebSocket URLs and bare tokens", "[sdk]") {
  auto t = sdk::parse_join_link("http://127.0.0.1:8080/join#abc.def.ghi");
  CHECK(t.ws_url == "ws://127.0.0.1:8080/ws");
  CHECK(t.token == "abc.def.ghi");

  t = sdk::parse_join_link("  https://balint.example.org/group/join#tok  ");
  CHECK(t.ws_url == "wss://balint.example.org/group/ws");
  CHECK(t.token == "tok");

  t = sdk::parse_join_link("http://[::1]:9000/join/#tok");
  CHECK(t.ws_url == "ws://[::1]:9000/ws");

  t = sdk::parse_join_link("ws://host:1234/ws?token=a%2Eb");
  CHECK(t.ws_url == "ws://host:1234/ws");
  CHECK(t.token == "a.b");

  t = sdk::parse_join_link("xyz.abc.def", "ws://127.0.0.1:8080/ws");
  CHECK(t.ws_url == "ws://127.0.0.1:8080/ws");
  CHECK(t.token == "xyz.abc.def");
  t = sdk::parse_join_link("#xyz", "ws://127.0.0.1:8080/ws");
  CHECK(t.token == "xyz");

  CHECK_THROWS_AS(sdk::parse_join_link(""), std::invalid_argument);
  CHECK_THROWS_AS(sdk::parse_join_link("just-a-token"), std::invalid_argument);
  CHECK_THROWS_AS(sdk::parse_join_link("http://host/join"), std::invalid_argument);
  CHECK_THROWS_AS(sdk::parse_join_link("ftp://host/join#t"), std::invalid_argument);
  CHECK_THROWS_AS(sdk::parse_join_link("tok", "http://not-a-ws-url"), std::invalid_argument);
}

TEST_CASE("parse_url splits what the clients need", "[sdk]") {
  auto u = sdk::parse_url("HTTP://Example.org/a/b?c=d#frag");
  CHECK(u.scheme == "http");
  CHECK(u.host == "Example.org");
  CHECK(u.port == 80);
  CHECK(u.target == "/a/b?c=d");
  CHECK(u.fragment == "frag");
  CHECK(u.host_header() == "Example.org");

  u = sdk::parse_url("wss://h:8443");
  CHECK(u.port == 8443);
  CHECK(u.target == "/");
  CHECK(u.secure());
  CHECK(u.host_header() == "h:8443");

  CHECK_THROWS_AS(sdk::parse_url("http://:80/"), std::invalid_argument);
  CHECK_THROWS_AS(sdk::parse_url("http://h:99999/"), std::invalid_argument);
  CHECK_THROWS_AS(sdk::parse_url("http://user@h/"), std::invalid_argument);
  CHECK(sdk::url_encode("a b/c") == "a%20b%2Fc");
}

TEST_CASE("error bodies become a status with code and message", "[sdk]") {
  auto s = sdk::status_from_error_body(
      401, R"({"error":{"code":"invalid_token","message":"token signature does not match"}})");
  CHECK(s.http_status == 401);
  CHECK(s.code == "invalid_token");
  CHECK(s.message == "token signature does not match");
  CHECK(s.describe() == "401 invalid_token: token signature does not match");
  CHECK_FALSE(s.ok());

  s = sdk::status_from_error_body(502, "Bad Gateway\nmore");
  CHECK(s.http_status == 502);
  CHECK(s.message == "Bad Gateway");
  s = sdk::status_from_error_body(500, "");
  CHECK(s.message == "HTTP 500");
  CHECK(sdk::Status::success().ok());
}

TEST_CASE("names and descriptions", "[sdk]") {
  CHECK(sdk::error_name(v1::ERROR_CODE_PERMISSION_DENIED) == "PERMISSION_DENIED");
  CHECK(sdk::error_name(sdk::kErrorTimeout) == "TIMEOUT");
  v1::CommandResult r;
  CHECK(sdk::describe(r) == "ok");
  r.set_code(v1::ERROR_CODE_NOT_YOUR_TURN);
  r.set_message("it is p2's turn");
  CHECK(sdk::describe(r) == "NOT_YOUR_TURN: it is p2's turn");
  CHECK(sdk::role_name(v1::ROLE_CO_FACILITATOR) == "co_facilitator");
  CHECK(sdk::parse_role("co-facilitator") == v1::ROLE_CO_FACILITATOR);
  CHECK_FALSE(sdk::parse_role("chief").has_value());
  CHECK(sdk::rule_name(v1::SPEAKING_RULE_ALL_BUT_PRESENTER) == "all_but_presenter");
  CHECK(sdk::turn_status_name(v1::TURN_STATUS_PASSED) == "passed");
}

TEST_CASE("command builders set exactly the intended command", "[sdk]") {
  CHECK(sdk::cmd::next_phase().kind_case() == v1::Command::kNextPhase);
  CHECK(sdk::cmd::jump_to_phase(3).jump_to_phase().phase_index() == 3);
  const auto order = sdk::cmd::set_go_around_order({"a", "b"});
  REQUIRE(order.set_go_around_order().participant_ids_size() == 2);
  CHECK(order.set_go_around_order().participant_ids(1) == "b");
  const auto add = sdk::cmd::add_room_attendee("Ann", "room1");
  CHECK(add.add_room_attendee().display_name() == "Ann");
  CHECK(add.add_room_attendee().room_device_id() == "room1");
  CHECK(sdk::cmd::lower_hand().has_lower_hand());
  CHECK(sdk::cmd::give_floor().give_floor().participant_id().empty());
}

TEST_CASE("a client that is not connected answers at once", "[sdk]") {
  sdk::Client client;
  CHECK_FALSE(client.connected());
  CHECK(client.send(sdk::cmd::next_phase()).code() == sdk::kErrorNotConnected);
  CHECK_FALSE(client.send_media(0, "x"));
  CHECK_FALSE(client.wait_for_version(1, 10ms).has_value());
  CHECK(client.connect("http://127.0.0.1:1/ws", "t").code == "invalid_argument");
  CHECK(client.connect("wss://127.0.0.1:1/ws", "t").code == "network");  // Nobody listens on port 1.
  CHECK(client.connect("not a url", "t").code == "invalid_argument");
  bool called = false;
  CHECK(client.send_async(sdk::cmd::next_phase(), [&](const v1::CommandResult& r) {
    called = r.code() == sdk::kErrorNotConnected;
  }) == 0);
  CHECK(called);
  client.close();  // Harmless when not connected.
}

}  // namespace balint::test
