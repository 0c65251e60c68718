// A bounded soak: 20 sessions of 12 members each on a real server process,
// every connection through one TCP relay that cuts a few of them at random
// several times a second, while members raise and lower hands and
// facilitators mute and unmute. The test keeps its own model of what every
// acknowledged command left. At the end every member is back, every
// client's state is the server's, hands and mutes are what the model says,
// and the server's memory did not grow.
//
// BALINT_SOAK_SECONDS sets the length (default 30); the figures go to
// stdout.

#include "harness.hpp"
#include "process_memory.hpp"
#include "server_process.hpp"
#include "tcp_relay.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <thread>

namespace balint::test {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kSessions = 20;
constexpr int kMembers = 12;  // A facilitator and eleven participants.

std::chrono::seconds soak_length() {
  const char* text = std::getenv("BALINT_SOAK_SECONDS");
  const int seconds = text ? std::atoi(text) : 0;
  return std::chrono::seconds(seconds > 0 ? seconds : 30);
}

// What the test knows of one flag (a raised hand, a mute): set by every
// definite answer, unknown after an answer lost with its connection (the
// command may or may not have been applied).
using Known = std::optional<bool>;

struct SoakSession {
  sdk::CreatedSession created;
  std::vector<std::unique_ptr<sdk::Client>> clients;  // [0] is the facilitator's.
  std::vector<std::string> ids;
  std::map<std::string, Known> hand;
  std::map<std::string, Known> muted;
};

struct Tally {
  int sent = 0;
  int applied = 0;      // OK
  int unchanged = 0;    // NO_CHANGE: the flag already was so
  int not_sent = 0;     // Not connected at the time: the client did not send it
  int lost = 0;         // The answer was lost with the connection
  std::map<std::string, int> unexpected;
};

// Sends `command` and updates `flag` with what the answer says it is now.
void send_and_learn(sdk::Client& client, const v1::Command& command, bool wanted, Known& flag, Tally& tally) {
  ++tally.sent;
  const auto result = client.send(command, std::chrono::seconds(3));
  // The SDK's own codes lie outside the enum: switch on the number.
  switch (static_cast<int>(result.code())) {
    case v1::ERROR_CODE_OK: ++tally.applied; flag = wanted; return;
    case v1::ERROR_CODE_NO_CHANGE: ++tally.unchanged; flag = wanted; return;
    case sdk::kErrorNotConnected: ++tally.not_sent; return;
    case sdk::kErrorTimeout:
    case sdk::kErrorConnectionClosed: ++tally.lost; flag.reset(); return;
    default: ++tally.unexpected[sdk::describe(result)]; flag.reset(); return;
  }
}

std::string lasting(v1::SessionState s) {
  s.clear_server_time_ms();
  return s.SerializeAsString();
}

TEST_CASE("Soak: 20 sessions x 12 members with random drops lose no state, and memory does not grow", "[soak]") {
  TempDir config_dir;
  const auto config_file = config_dir.path() / "soak.json";
  // Every client comes from 127.0.0.1.
  std::ofstream(config_file) << R"({"max_connections_per_ip": 1000, "log_level": "info"})";
  ServerProcess server({"--config", config_file.string()});
  TcpRelay relay(server.port());
  std::mt19937 random(20261202);

  sdk::ClientOptions options;
  options.reconnect_delays = {std::chrono::milliseconds(100), std::chrono::milliseconds(300)};
  std::vector<SoakSession> sessions(kSessions);
  const auto joining = Clock::now();
  for (int s = 0; s < kSessions; ++s) {
    sdk::SessionRequest request;
    request.name = "soak " + std::to_string(s);
    request.format = "ccdg";
    request.invitees = {invitee("fac", "Dr Ada", "facilitator")};
    for (int m = 1; m < kMembers; ++m)
      request.invitees.push_back(invitee("p" + std::to_string(m), "Dr " + std::to_string(m),
                                         m == 1 ? "presenter" : "participant"));
    auto& session = sessions[s];
    session.created = server.admin().create_session(request);
    for (const auto& invite : session.created.invites) {
      auto client = std::make_unique<sdk::Client>(options);
      const auto status = client->connect(relay.ws_url(), invite.token);
      INFO(invite.participant_id << ": " << status.describe());
      REQUIRE(status.ok());
      session.ids.push_back(invite.participant_id);
      session.hand[invite.participant_id] = false;
      session.muted[invite.participant_id] = false;
      session.clients.push_back(std::move(client));
    }
    REQUIRE(session.clients[0]->send(sdk::cmd::next_phase()).code() == v1::ERROR_CODE_OK);  // Check-in.
  }
  const auto joined_in = Clock::now() - joining;

  // The run: a command every few milliseconds, a few cuts every 250 ms.
  Tally tally;
  std::size_t cuts = 0;
  std::vector<long> rss;
  const auto started = Clock::now();
  const auto length = soak_length();
  auto next_cut = started;
  auto next_sample = started;
  while (Clock::now() - started < length) {
    if (Clock::now() >= next_sample) {
      rss.push_back(resident_kib(server.pid()));
      next_sample += std::chrono::seconds(2);
    }
    if (Clock::now() >= next_cut) {
      cuts += relay.cut(2, random);
      next_cut += std::chrono::milliseconds(250);
    }
    auto& session = sessions[std::uniform_int_distribution<int>(0, kSessions - 1)(random)];
    const int who = std::uniform_int_distribution<int>(1, kMembers - 1)(random);
    const auto& id = session.ids[who];
    const bool on = std::bernoulli_distribution(0.5)(random);
    if (std::bernoulli_distribution(0.7)(random)) {
      send_and_learn(*session.clients[who], on ? sdk::cmd::raise_hand() : sdk::cmd::lower_hand(), on,
                     session.hand[id], tally);
    } else {
      send_and_learn(*session.clients[0], on ? sdk::cmd::mute(id) : sdk::cmd::unmute(id), on, session.muted[id],
                     tally);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(4));
  }
  const auto ran = Clock::now() - started;

  // Everyone back; what the model does not know is settled by a definite answer.
  const auto settling = Clock::now();
  for (auto& session : sessions)
    for (auto& client : session.clients) {
      const auto deadline = Clock::now() + std::chrono::seconds(20);
      while (client->connection_state() != sdk::ConnectionState::open && Clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      REQUIRE(client->connection_state() == sdk::ConnectionState::open);
    }
  for (auto& session : sessions)
    for (int m = 1; m < kMembers; ++m) {
      const auto& id = session.ids[m];
      if (!session.hand[id]) send_and_learn(*session.clients[m], sdk::cmd::lower_hand(), false, session.hand[id], tally);
      if (!session.muted[id]) send_and_learn(*session.clients[0], sdk::cmd::unmute(id), false, session.muted[id], tally);
      REQUIRE(session.hand[id].has_value());
      REQUIRE(session.muted[id].has_value());
    }
  rss.push_back(resident_kib(server.pid()));

  int reconnects = 0;
  for (auto& session : sessions) {
    // The facilitator's harmless round trip: its answer's version is the newest.
    const auto barrier = session.clients[0]->send(sdk::cmd::lower_hand("fac"));
    REQUIRE(barrier.code() == v1::ERROR_CODE_NO_CHANGE);
    const auto server_state = server.admin().get_session(session.created.session_id);
    CHECK(server_state.version() == barrier.state_version());
    for (int m = 0; m < kMembers; ++m) {
      INFO("session " << session.created.session_id << ", " << session.ids[m]);
      const auto state = session.clients[m]->wait_for_version(barrier.state_version(), kWait);
      REQUIRE(state.has_value());
      CHECK(state->version() == barrier.state_version());
      CHECK(lasting(*state) == lasting(server_state));
      CHECK(state->roster_size() == kMembers);
      CHECK(state->phase_index() == 0);
      for (const auto& member : state->roster()) {
        INFO("member " << member.participant_id());
        CHECK(member.connection() == v1::CONNECTION_STATUS_CONNECTED);
        if (member.participant_id() == "fac") continue;
        CHECK(member.hand_raised() == *session.hand[member.participant_id()]);
        CHECK(member.muted() == *session.muted[member.participant_id()]);
      }
      std::set<std::string> hands(state->hand_queue().begin(), state->hand_queue().end());
      CHECK(hands.size() == static_cast<std::size_t>(state->hand_queue_size()));  // Nobody twice.
    }
  }
  for (const auto& [what, count] : tally.unexpected) UNSCOPED_INFO(count << " x " << what);
  CHECK(tally.unexpected.empty());
  CHECK(cuts > 0);
  CHECK(server.log().find("member resumes") != std::string::npos);
  const auto log = server.log();
  for (std::size_t at = log.find("member resumes"); at != std::string::npos; at = log.find("member resumes", at + 1))
    ++reconnects;

  // Memory: from the first sample after everyone joined to the last.
  const long warm = rss.size() > 1 ? rss[1] : rss.front();
  const long last = rss.back();
  const long peak = *std::max_element(rss.begin(), rss.end());
  const auto ms = [](auto d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
  std::cout << "soak: " << kSessions << " sessions x " << kMembers << " members, joined in " << ms(joined_in)
            << " ms; ran " << ms(ran) << " ms; settled in " << ms(Clock::now() - settling) << " ms\n"
            << "soak: " << cuts << " connections cut, " << reconnects << " resumes; " << tally.sent << " commands: "
            << tally.applied << " applied, " << tally.unchanged << " no change, " << tally.not_sent
            << " not sent (reconnecting), " << tally.lost << " answers lost with their connection\n"
            << "soak: server RSS " << warm / 1024.0 << " MiB after joining, " << last / 1024.0 << " MiB at the end, peak "
            << peak / 1024.0 << " MiB (" << rss.size() << " samples)" << std::endl;
  if (kAddressSanitizer) {
    std::cout << "soak: memory growth not judged under AddressSanitizer (its quarantine holds freed memory)\n";
  } else {
    INFO("RSS " << warm << " KiB -> " << last << " KiB");
    CHECK(last <= warm + std::max(8L * 1024, warm / 5));
  }
}

}  // namespace
}  // namespace balint::test
