// The limits a member meets when they overdo it: commands and media per
// second (an error first, then a close), connections per address, sessions
// per server, and the keep-alive that finds clients gone silent. Each keeps
// the session unchanged and the others served.

#include "hostile/hostile_session.hpp"

#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include <thread>

namespace balint::test {
namespace {

// A rate so slow that no token comes back while a test runs.
constexpr double kNoRefill = 0.01;

}  // namespace

TEST_CASE("Limits: a command flood is answered RATE_LIMITED, then closed with 1008", "[hostile][limits]") {
  HostileSession s([](app::Config& c) {
    c.commands_per_second = kNoRefill;
    c.command_burst = 3;
  });
  auto flooder = s.join_raw("p2");
  const auto before = s.snapshot();

  // Lowering a hand that is not raised changes nothing: the first three are
  // answered on their merits, the next three refused for the rate, and the
  // seventh in a row ends the connection.
  for (std::uint64_t id = 1; id <= 10; ++id) REQUIRE(flooder->send_command(id, sdk::cmd::lower_hand()));
  for (std::uint64_t id = 1; id <= 3; ++id) {
    const auto result = flooder->wait_result(id);
    REQUIRE(result.has_value());
    CHECK(result->code() == v1::ERROR_CODE_NO_CHANGE);
  }
  for (std::uint64_t id = 4; id <= 6; ++id) expect_refused(flooder->wait_result(id), v1::ERROR_CODE_RATE_LIMITED, before.version());
  const auto& ending = flooder->wait_end();
  expect_close(ending, 1008);
  CHECK_THAT(ending.close_reason, Catch::Contains("too many commands"));

  s.expect_unchanged(before, {.version_steps = 0, .disconnected = "p2"});
  s.expect_others_served();
}

TEST_CASE("Limits: key exchange is not charged, but a flood of refused key messages is closed with 1008",
          "[hostile][limits]") {
  HostileSession s([](app::Config& c) {
    c.commands_per_second = kNoRefill;
    c.command_burst = 3;
  });
  // The members' own key exchange did not use up their budget: three
  // commands still go through, and their keys are complete.
  wait_keys_settled({&s.fac, &s.p1});
  for (int i = 0; i < 3; ++i) CHECK(s.p1.client().send(s.p1.harmless_command()).code() == v1::ERROR_CODE_NO_CHANGE);

  auto flooder = s.join_raw("p2");
  const auto before = s.snapshot();
  v1::Command bad_keys;
  bad_keys.mutable_announce_keys()->mutable_keys()->set_identity_key("too short");
  for (std::uint64_t id = 1; id <= 10; ++id) REQUIRE(flooder->send_command(id, bad_keys));
  for (std::uint64_t id = 1; id <= 3; ++id) expect_refused(flooder->wait_result(id), v1::ERROR_CODE_INVALID_ARGUMENT, before.version());
  for (std::uint64_t id = 4; id <= 6; ++id) expect_refused(flooder->wait_result(id), v1::ERROR_CODE_RATE_LIMITED, before.version());
  const auto& ending = flooder->wait_end();
  expect_close(ending, 1008);

  s.expect_unchanged(before, {.version_steps = 0, .disconnected = "p2"});
}

TEST_CASE("Limits: a media flood is told once, its extra frames dropped, then closed with 1008", "[hostile][limits]") {
  HostileSession s([](app::Config& c) {
    c.media_frames_per_second = kNoRefill;
    c.media_burst = 3;
  });
  auto flooder = s.join_raw("p2");
  s.go_to_phase(2);  // Observation: participants may speak.
  const auto before = s.snapshot();

  for (int i = 0; i < 10; ++i) REQUIRE(flooder->send_media(0, "frame-" + std::to_string(i)));

  // One RATE_LIMITED notice for the run of dropped frames, then the close.
  const auto notice = flooder->wait_result(0);
  expect_refused(notice, v1::ERROR_CODE_RATE_LIMITED, before.version());
  CHECK_THAT(notice->message(), Catch::Contains("media frames"));
  const auto& ending = flooder->wait_end();
  expect_close(ending, 1008);
  CHECK_THAT(ending.close_reason, Catch::Contains("too many media frames"));

  s.expect_unchanged(before, {.version_steps = 0, .disconnected = "p2"});
  s.expect_others_served();
  // Only the burst was forwarded; the flooder has no keys, so its frames
  // reach the facilitator's client but do not open there.
  CHECK(s.fac.client().undecryptable_media_frames() == 3);
  CHECK(s.fac.frames().empty());
}

TEST_CASE("Limits: connections past the per-address limit get 429, and a freed place is given again",
          "[hostile][limits]") {
  HostileSession s([](app::Config& c) { c.max_connections_per_ip = 4; });
  const auto before = s.snapshot();

  // Two members are connected; the admin client's last connection may still
  // be closing. Open bare connections until one is refused.
  std::vector<std::unique_ptr<RawTcp>> held;
  std::optional<HttpAnswer> refusal;
  for (int i = 0; i < 4 && !refusal; ++i) {
    auto tcp = std::make_unique<RawTcp>(s.server.port());
    REQUIRE(tcp->write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto answer = tcp->read_response();
    REQUIRE(answer.has_value());
    if (answer->status == 429) refusal = answer;
    else held.push_back(std::move(tcp));
  }
  REQUIRE(refusal.has_value());
  expect_json_error(refusal->status, refusal->body, {429}, "too_many_connections");
  CHECK(held.size() <= 2);  // Never more than the limit: 2 members + these.

  // One gives its place back; a new connection gets it.
  held.clear();
  bool served = false;
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (!served && std::chrono::steady_clock::now() < deadline) {
    RawTcp tcp(s.server.port());
    REQUIRE(tcp.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    const auto answer = tcp.read_response();
    served = answer && answer->status == 200;
  }
  CHECK(served);
  s.expect_unchanged(before);
  s.expect_others_served();
}

TEST_CASE("Limits: a member past the session's cap is refused with 409 session_full", "[hostile][limits]") {
  HostileSession s([](app::Config& c) { c.default_max_members = 2; });  // p1 is one; facilitators do not count.
  auto p2 = s.join_raw("p2");
  const auto before = s.snapshot();

  RawClient late(s.server.port());
  const auto answer = late.upgrade_with_token(s.token("pres"));
  CHECK_FALSE(answer.upgraded);
  expect_json_error(answer.status, answer.body, {409}, "session_full");
  s.expect_unchanged(before);
  s.expect_others_served();
}

TEST_CASE("Limits: sessions past the server's maximum are refused with 503 until one ends", "[hostile][limits]") {
  HostileSession s([](app::Config& c) { c.max_sessions = 2; });
  const auto before = s.snapshot();
  auto admin = s.server.admin();
  const std::string body = R"({"name":"g","format":"balint","invitees":[{"name":"Ada","role":"facilitator"}]})";

  const auto second = admin.request("POST", "/api/v1/sessions", body);
  REQUIRE(second.status == 201);
  const auto third = admin.request("POST", "/api/v1/sessions", body);
  expect_json_error(third.status, third.body, {503}, "too_many_sessions");
  CHECK(admin.list_sessions().size() == 2);

  const auto second_id = boost::json::parse(second.body).at("session_id").as_string();
  admin.end_session(std::string(second_id));
  CHECK(admin.request("POST", "/api/v1/sessions", body).status == 201);
  s.expect_unchanged(before);
  s.expect_others_served();
}

TEST_CASE("Limits: an HTTP keep-alive connection left idle is closed after the idle timeout", "[hostile][limits]") {
  HostileSession s([](app::Config& c) { c.idle_timeout = std::chrono::seconds(1); });
  const auto before = s.snapshot();
  RawTcp tcp(s.server.port());
  REQUIRE(tcp.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  const auto answer = tcp.read_response();
  REQUIRE(answer.has_value());
  CHECK(answer->status == 200);
  // Kept alive for a next request that never comes.
  CHECK(tcp.wait_closed(kWait));
  s.expect_unchanged(before);
  s.expect_others_served();
}

TEST_CASE("Limits: a client that stops answering pings is closed, members that answer stay", "[hostile][limits]") {
  HostileSession s([](app::Config& c) {
    c.ping_interval = std::chrono::seconds(1);
    c.ping_timeout = std::chrono::seconds(1);
    // Far longer than the wait below: a silent peer is let go at once, not
    // after a closing handshake it would never answer.
    c.handshake_timeout = std::chrono::seconds(60);
  });
  auto silent = s.join_raw("p2");  // Joined, and now never reads: it cannot answer a ping.
  const auto before = s.snapshot();

  const auto gone = s.fac.client().wait_for_state(
      [](const v1::SessionState& state) {
        for (const auto& m : state.roster())
          if (m.participant_id() == "p2") return m.connection() == v1::CONNECTION_STATUS_RECONNECTING;
        return false;
      },
      kWait);
  REQUIRE(gone.has_value());
  const auto& ending = silent->wait_end();
  INFO(ending.describe());
  CHECK((ending.kind == Ending::Kind::eof || ending.kind == Ending::Kind::reset));

  // The SDK members were as quiet, for longer, but answered every ping.
  CHECK(s.fac.client().connected());
  CHECK(s.p1.client().connected());
  s.expect_unchanged(before, {.version_steps = 0, .disconnected = "p2"});
  s.expect_others_served();
}

namespace {

// A session whose queue bound is one 16 KiB frame, and no rate limits.
void slow_reader_config(app::Config& c, bool io_uring) {
  c.io_uring = io_uring;
  c.max_message_bytes = 16 * 1024;
  c.max_queue_bytes = 16 * 1024;
  c.media_frames_per_second = 100000;
  c.media_burst = 100000;
  c.commands_per_second = 100000;
  c.command_burst = 100000;
}

// 18 MB of media from the presenter, far more than the kernel's socket
// buffers and the queue bound hold for a member who reads nothing; then
// 200 changes of state, which is never dropped and so backs up past twice
// the bound.
void back_up(HostileSession& s, RawClient& presenter) {
  s.go_to_phase(0);  // Presentation: the presenter speaks.
  for (int i = 0; i < 1200; ++i) REQUIRE(presenter.send_media(0, std::string(15000, static_cast<char>('a' + i % 26))));
  // Its answer comes once the room has relayed every frame before it.
  REQUIRE(presenter.send_command(1, sdk::cmd::lower_hand()));
  REQUIRE(presenter.wait_result(1));
  // Members who read got frames meanwhile (sealed for nobody: undecryptable);
  // with a one-frame bound even they may lose some in a burst like this.
  CHECK(s.fac.client().undecryptable_media_frames() > 0);
  for (int i = 0; i < 200; ++i) {
    const auto result = s.fac.client().send(i % 2 == 0 ? sdk::cmd::mute("p1") : sdk::cmd::unmute("p1"));
    REQUIRE(result.code() == v1::ERROR_CODE_OK);
  }
}

}  // namespace

TEST_CASE("Limits: a member who stops reading loses media past the queue bound, then is closed as a slow reader",
          "[hostile][limits]") {
  // Both ways of writing sockets: through io_uring, and a system call each.
  const bool io_uring = GENERATE(true, false);
  INFO("io_uring " << (io_uring ? "on" : "off"));
  HostileSession s([&](app::Config& c) { slow_reader_config(c, io_uring); });
  auto presenter = s.join_raw("pres");
  auto stalled = s.join_raw("p2");  // Reads nothing from here on.
  back_up(s, *presenter);
  // Reading again, the member finds the frames that fitted, then the close.
  const auto& ending = stalled->wait_end(2 * kWait);
  expect_close(ending, 1008);
  CHECK_THAT(ending.close_reason, Catch::Contains("slow reader"));
  s.expect_others_served();
}

TEST_CASE("Limits: a slow reader that never reads again is let go at the handshake timeout", "[hostile][limits]") {
  const bool io_uring = GENERATE(true, false);
  INFO("io_uring " << (io_uring ? "on" : "off"));
  HostileSession s([&](app::Config& c) {
    slow_reader_config(c, io_uring);
    c.handshake_timeout = std::chrono::seconds(1);
  });
  auto presenter = s.join_raw("pres");
  auto stalled = s.join_raw("p2");  // Never reads again.
  back_up(s, *presenter);
  // Its close frame cannot get out past the full buffers; a second later
  // the server ends the connection anyway, and the room shows p2 gone.
  const auto started = std::chrono::steady_clock::now();
  const auto gone = s.fac.client().wait_for_state(
      [](const v1::SessionState& state) {
        const auto* p2 = sdk::find_member(state, "p2");
        return p2 && p2->connection() == v1::CONNECTION_STATUS_RECONNECTING;
      },
      kWait);
  REQUIRE(gone);
  CHECK(std::chrono::steady_clock::now() - started < 4s);
  s.expect_others_served();
}

}  // namespace balint::test
