// Hostile use of the two doors a browser or a script can knock on: a page
// from another origin holding someone's link, and guesses at the admin
// secret. Each is refused with its code, changes nothing, and the session
// in progress does not notice.

#include "hostile_session.hpp"

#include "app/admin_api.hpp"

#include <catch2/catch.hpp>

#include <thread>

namespace balint::test {
namespace {

std::string admin_request(const std::string& secret) {
  return "GET /api/v1/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + secret + "\r\n\r\n";
}

// The admin API's answer to `secret`, asked from `source` (a loopback
// address) on a connection of its own.
HttpAnswer ask_admin(std::uint16_t port, const std::string& secret, const char* source = nullptr) {
  RawTcp tcp(port, source);
  REQUIRE(tcp.connected());
  REQUIRE(tcp.write(admin_request(secret)));
  auto answer = tcp.read_response();
  REQUIRE(answer.has_value());
  return *answer;
}

}  // namespace

TEST_CASE("Origin: a page from another origin cannot join with a link, and nobody joins", "[hostile][origin]") {
  HostileSession s;
  const auto before = s.snapshot();
  for (const std::string_view origin : {"https://evil.example", "http://127.0.0.1:1", "null", "http://127.0.0.1.evil.example"}) {
    INFO("Origin: " << origin);
    RawClient raw(s.server.port());
    const auto answer = raw.upgrade("/ws", {{"Authorization", "Bearer " + s.token("p2")}, {"Origin", std::string(origin)}});
    CHECK_FALSE(answer.upgraded);
    expect_json_error(answer.status, answer.body, {403}, "origin_not_allowed");
  }
  s.expect_unchanged(before);
  const auto seen = s.fac.client().state();
  CHECK(sdk::find_member(seen, "p2") == nullptr);
  s.expect_others_served();
}

TEST_CASE("Origin: the server's own pages, and clients that send no Origin, join", "[hostile][origin]") {
  HostileSession s;
  // The page the server served (same host and port as the upgrade asks),
  // in any case of letters; then the public_url's origin.
  const std::string own = "http://127.0.0.1:" + std::to_string(s.server.port());
  for (const std::string& origin : {own, "HTTP://127.0.0.1:" + std::to_string(s.server.port()), std::string{}}) {
    INFO("Origin: " << origin);
    RawClient raw(s.server.port());
    RawClient::Headers headers{{"Authorization", "Bearer " + s.token("p2")}};
    if (!origin.empty()) headers.push_back({"Origin", origin});
    const auto answer = raw.upgrade("/ws", headers);
    INFO(answer.body);
    CHECK(answer.upgraded);
  }
  s.expect_others_served();
}

TEST_CASE("Origin: allowed_origins lets pages elsewhere join too, and no others", "[hostile][origin]") {
  HostileSession s([](app::Config& c) { c.allowed_origins = {"https://portal.example.org"}; });
  RawClient allowed(s.server.port());
  CHECK(allowed.upgrade("/ws", {{"Authorization", "Bearer " + s.token("p2")}, {"Origin", "https://portal.example.org:443"}})
            .upgraded);
  // The server's own pages still may.
  RawClient own(s.server.port());
  CHECK(own.upgrade("/ws", {{"Authorization", "Bearer " + s.token("pres")},
                            {"Origin", "http://127.0.0.1:" + std::to_string(s.server.port())}})
            .upgraded);
  RawClient other(s.server.port());
  const auto answer = other.upgrade("/ws", {{"Authorization", "Bearer " + s.token("room1")}, {"Origin", "https://evil.example"}});
  expect_json_error(answer.status, answer.body, {403}, "origin_not_allowed");
  s.expect_others_served();
}

TEST_CASE("Origin: the join check refuses a page of another origin as the upgrade would", "[hostile][origin]") {
  HostileSession s;
  RawTcp tcp(s.server.port());
  REQUIRE(tcp.write("GET /api/v1/join?token=" + s.token("p2") +
                    " HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://evil.example\r\n\r\n"));
  const auto answer = tcp.read_response();
  REQUIRE(answer.has_value());
  expect_json_error(answer->status, answer->body, {403}, "origin_not_allowed");
}

TEST_CASE("Admin API: wrong secrets from one address are throttled with 429 and Retry-After, and logged without the guess",
          "[hostile][admin]") {
  CapturedLog captured;
  HostileSession s([](app::Config& c) { c.log_level = "info"; });
  const std::string guess = "guess-" + std::string(40, 'g');
  for (std::uint32_t i = 0; i < app::AdminApi::kFailureBurst; ++i) {
    const auto answer = ask_admin(s.server.port(), guess);
    INFO("try " << i);
    expect_json_error(answer.status, answer.body, {401}, "unauthorized");
  }
  // Now even the right secret waits: a throttled address is not checked.
  for (const std::string& secret : {guess, s.server.admin_secret()}) {
    const auto answer = ask_admin(s.server.port(), secret);
    expect_json_error(answer.status, answer.body, {429}, "too_many_failures");
  }
  const auto retry_after = ask_admin(s.server.port(), guess).retry_after;
  INFO("Retry-After: " << retry_after);
  REQUIRE_FALSE(retry_after.empty());
  CHECK(std::stoi(retry_after) >= 1);
  CHECK(std::stoi(retry_after) <= app::AdminApi::kFailureInterval.count());

  // Another address is not held back by this one.
  const auto other = ask_admin(s.server.port(), s.server.admin_secret(), "127.0.0.2");
  CHECK(other.status == 200);

  const auto log = captured.text();
  CHECK_THAT(log, Catch::Contains("admin authentication failed from 127.0.0.1 (10 in a row)"));
  CHECK_THAT(log, !Catch::Contains(guess));
  s.expect_others_served();
}

TEST_CASE("Admin API: on a listener of its own, the public port does not answer it", "[hostile][admin]") {
  TestServer server([](app::Config& c) {
    c.admin_bind_address = "127.0.0.1";
    c.admin_port = 0;
    c.max_connections = 3;
  });
  REQUIRE(server.admin_port() != server.port());
  const auto on_public = ask_admin(server.port(), server.admin_secret());
  expect_json_error(on_public.status, on_public.body, {404}, "not_found");
  const auto on_admin = ask_admin(server.admin_port(), server.admin_secret());
  CHECK(on_admin.status == 200);
  CHECK(on_admin.body.find("\"sessions\"") != std::string::npos);
  // The public port full, the admin's door stays open: it counts its own.
  std::vector<std::unique_ptr<RawTcp>> filling;
  for (int i = 0; i < 3; ++i) filling.push_back(std::make_unique<RawTcp>(server.port()));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  RawTcp turned_away(server.port());
  const auto full = turned_away.read_response();
  REQUIRE(full.has_value());
  CHECK(full->status == 503);
  CHECK(ask_admin(server.admin_port(), server.admin_secret()).status == 200);
  // The admin listener takes no WebSockets.
  RawClient raw(server.admin_port());
  const auto upgrade = raw.upgrade("/ws");
  expect_json_error(upgrade.status, upgrade.body, {404}, "not_found");
}

}  // namespace balint::test
