// Hostile use of the server's resources, against the real balint-server
// process so that its memory and processor time can be read from outside:
// a member who pings and never reads, and connections past the descriptors
// the process may open. Each test bounds what the attacker sends and how
// long it waits, and checks that a well-behaved member is still served.

#include "../process_memory.hpp"
#include "../raw_client.hpp"
#include "../raw_tcp.hpp"
#include "../server_process.hpp"

#include <catch2/catch.hpp>

#include <sys/resource.h>

#include <fstream>
#include <thread>

namespace balint::test {
namespace {

using Clock = std::chrono::steady_clock;

// A config file in its own folder, for `--config`.
class ConfigFile {
 public:
  explicit ConfigFile(const std::string& json) {
    std::ofstream(path()) << json;
  }
  std::string path() const { return (dir_.path() / "balint.json").string(); }

 private:
  TempDir dir_;
};

// A session on `server` with a facilitator (an SDK member, joined) and a
// participant "p2" for the attacker.
struct Group {
  explicit Group(const ServerProcess& server) {
    sdk::SessionRequest request;
    request.name = "resources";
    request.format = "ccdg";
    request.invitees = {invitee("fac", "Dr Ada", "facilitator"), invitee("p2", "Dr Bo", "participant")};
    session = server.admin().create_session(request);
    for (const auto& invite : session.invites)
      if (invite.participant_id == "fac") fac.join(invite);
  }
  const std::string& token(const std::string& id) const {
    for (const auto& invite : session.invites)
      if (invite.participant_id == id) return invite.token;
    throw std::out_of_range(id);
  }
  // The facilitator's command goes through and comes back with a new state.
  void expect_served() {
    const auto version = must(fac, sdk::cmd::next_phase());
    REQUIRE(fac.client().wait_for_version(version, kWait).has_value());
  }
  sdk::CreatedSession session;
  Member fac{"facilitator"};
};

// `count` pings of 125 bytes each, masked, in one string.
std::string pings(std::size_t count) {
  const std::string one = client_frame(0x89, std::string(125, 'p'));
  std::string all;
  all.reserve(one.size() * count);
  for (std::size_t i = 0; i < count; ++i) all += one;
  return all;
}

// Writes pings in batches of 500 (64 KiB) until `total` bytes went out or
// the server stopped taking them, with `gap` between batches; returns the
// bytes written.
std::size_t flood_pings(RawClient& raw, std::size_t total,
                        std::chrono::microseconds gap = std::chrono::microseconds(0)) {
  const std::string batch = pings(500);
  std::size_t sent = 0;
  while (sent < total && raw.write_raw(batch)) {
    sent += batch.size();
    std::this_thread::sleep_for(gap);
  }
  return sent;
}

constexpr long kMiB = 1024;  // resident_kib() counts KiB.

}  // namespace

TEST_CASE("Resources: a member who floods pings is closed at the control-frame rate, and memory stays put",
          "[hostile][resources]") {
  ServerProcess server;
  Group group(server);
  RawClient raw(server.port());
  REQUIRE(raw.join(group.token("p2")));
  const long before = resident_kib(server.pid());

  // 64 MiB of pings, none of whose pongs are read. Before the rate, every
  // pong waited in memory: the server grew by more than the flood.
  const auto sent = flood_pings(raw, 64u << 20);
  INFO("sent " << sent << " bytes of pings");
  CHECK(sent < (64u << 20));  // The server stopped taking them.
  const auto& ending = raw.wait_end();
  INFO("the connection ended with: " << ending.describe());
  CHECK(ending.kind != Ending::Kind::open);
  CHECK(ending.kind != Ending::Kind::timeout);
  const long after = resident_kib(server.pid());
  INFO("resident before " << before << " KiB, after " << after << " KiB");
  CHECK(after - before < 16 * kMiB);
  group.expect_served();
}

TEST_CASE("Resources: a member who pings and never reads holds one pong past the queue bound, and is let go",
          "[hostile][resources]") {
  // No rate on pings here, so that the queue bound alone is tested; a quiet
  // line is pinged after 2 s and given 2 s more: long enough for the flood.
  ConfigFile config(R"({"control_frames_per_second": 100000, "control_burst": 100000, "ping_interval_seconds": 2,
                        "ping_timeout_seconds": 2, "handshake_timeout_seconds": 2})");
  ServerProcess server({"--config", config.path()});
  Group group(server);
  RawClient raw(server.port());
  REQUIRE(raw.join(group.token("p2")));
  const long before = resident_kib(server.pid());

  // 32 MiB, paced under the rate (500 pings every 6 ms: 83,000 a second).
  const auto sent = flood_pings(raw, 32u << 20, std::chrono::microseconds(6000));
  CHECK(sent >= (32u << 20));
  const long flooded = resident_kib(server.pid());
  INFO("sent " << sent << " bytes of pings; resident before " << before << " KiB, after the flood " << flooded
               << " KiB");
  // The socket buffers hold a few MiB of pongs, the queue 512 KiB, and each
  // newer pong then takes the place of the one waiting.
  if (!kAddressSanitizer) CHECK(flooded - before < 16 * kMiB);

  // Its pings keep coming, but nothing it is sent moves: it is closed after
  // the ping interval and timeout together, at once (no closing handshake).
  const auto started = Clock::now();
  for (int i = 0; i < 40 && raw.write_raw(pings(1)); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto& ending = raw.wait_end(std::chrono::seconds(15));
  INFO("the connection ended with: " << ending.describe() << " after "
                                     << std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count()
                                     << " ms");
  CHECK(ending.kind != Ending::Kind::open);
  CHECK(ending.kind != Ending::Kind::timeout);
  const long after = resident_kib(server.pid());
  INFO("resident after the end " << after << " KiB");
  if (!kAddressSanitizer) CHECK(after - before < 16 * kMiB);
  group.expect_served();
}

TEST_CASE("Resources: out of descriptors, the server turns connections away with 503 instead of spinning",
          "[hostile][resources][descriptors]") {
  ConfigFile config(R"({"max_connections_per_ip": 100000, "max_connections": 100000})");
  ServerProcess server({"--config", config.path()});
  Group group(server);
  // 256 descriptors for the whole process, as `ulimit -n 256` would give.
  const rlimit small{256, 256};
  REQUIRE(::prlimit(server.pid(), RLIMIT_NOFILE, &small, nullptr) == 0);

  // 300 connections that say nothing, from 50 addresses: more than the
  // process can hold.
  std::vector<std::unique_ptr<RawTcp>> idle;
  for (int i = 0; i < 300; ++i) {
    const std::string source = "127.0.1." + std::to_string(2 + i % 50);
    idle.push_back(std::make_unique<RawTcp>(server.port(), source.c_str()));
    REQUIRE(idle.back()->connected());
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));

  // The listener waits between tries (before, it tried again at once and
  // took a whole core).
  const auto cpu_before = cpu_time(server.pid());
  std::this_thread::sleep_for(std::chrono::seconds(2));
  const auto cpu_used = cpu_time(server.pid()) - cpu_before;
  INFO("processor time over 2 s: " << cpu_used.count() << " ms");
  CHECK(cpu_used < std::chrono::milliseconds(1000));

  // A newcomer is told that the server is full, within the back-off (a
  // second at most), instead of waiting for a time-out.
  RawTcp newcomer(server.port());
  REQUIRE(newcomer.connected());
  REQUIRE(newcomer.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  const auto answer = newcomer.read_response(std::chrono::seconds(3));
  REQUIRE(answer.has_value());
  CHECK(answer->status == 503);
  const auto error = json_error_of(answer->body);
  REQUIRE(error.has_value());
  CHECK(error->code == "server_full");

  // Once the idle ones are gone, everyone is served again.
  idle.clear();
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  std::optional<HttpAnswer> healthy;
  while (Clock::now() < deadline) {
    RawTcp client(server.port());
    if (client.connected() && client.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n") &&
        (healthy = client.read_response(std::chrono::seconds(2))) && healthy->status == 200)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  REQUIRE(healthy.has_value());
  CHECK(healthy->status == 200);
  group.expect_served();
  CHECK_THAT(server.log(), Catch::Contains("out of descriptors"));
  CHECK_THAT(server.log(), Catch::Contains("open descriptors allowed"));
}

TEST_CASE("Resources: past max_connections a connection is answered 503 server_full, whatever its address",
          "[hostile][resources]") {
  ConfigFile config(R"({"max_connections": 4})");
  ServerProcess server({"--config", config.path()});
  std::vector<std::unique_ptr<RawTcp>> open;
  for (int i = 0; i < 4; ++i) {
    const std::string source = "127.0.2." + std::to_string(2 + i);
    open.push_back(std::make_unique<RawTcp>(server.port(), source.c_str()));
    REQUIRE(open.back()->connected());
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  RawTcp fifth(server.port(), "127.0.2.50");
  REQUIRE(fifth.connected());
  const auto answer = fifth.read_response();
  REQUIRE(answer.has_value());
  CHECK(answer->status == 503);
  const auto error = json_error_of(answer->body);
  REQUIRE(error.has_value());
  CHECK(error->code == "server_full");
  CHECK(fifth.wait_closed());

  // A place comes free when one of the four goes.
  open.pop_back();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  RawTcp next(server.port());
  REQUIRE(next.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  const auto healthy = next.read_response();
  REQUIRE(healthy.has_value());
  CHECK(healthy->status == 200);
}

}  // namespace balint::test
