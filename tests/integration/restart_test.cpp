// A restart loses nothing. The real balint-server process is killed with
// SIGKILL (nothing it can do about it) or stopped with SIGTERM in the middle
// of a session and started again on the same port and data directory; SDK
// clients come back by themselves with their resume credentials, and the
// state they see equals the state before.

#include "../lasting_state.hpp"
#include "harness.hpp"
#include "server_process.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <signal.h>
#include <thread>

namespace balint::test {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kBack = std::chrono::seconds(15);  // Restart plus reconnect attempts, with room to spare.

sdk::ClientOptions quick_reconnect() {
  sdk::ClientOptions options;
  options.reconnect_delays = {std::chrono::milliseconds(200)};
  return options;
}

const sdk::Invite& invite_of(const sdk::CreatedSession& session, const std::string& id) {
  const auto it = std::find_if(session.invites.begin(), session.invites.end(),
                               [&](const sdk::Invite& i) { return i.participant_id == id; });
  REQUIRE(it != session.invites.end());
  return *it;
}

sdk::CreatedSession create_ccdg(const ServerProcess& server, const std::vector<std::string>& participants) {
  sdk::SessionRequest request;
  request.name = "night shift group";
  request.format = "ccdg";
  request.invitees = {invitee("fac", "Dr Ada", "facilitator"), invitee("pres", "Dr Pia", "presenter")};
  for (const auto& id : participants) request.invitees.push_back(invitee(id, "Dr " + id, "participant"));
  return server.admin().create_session(request);
}


bool everyone_connected(const v1::SessionState& s) {
  return std::all_of(s.roster().begin(), s.roster().end(),
                     [](const v1::Member& m) { return m.connection() == v1::CONNECTION_STATUS_CONNECTED; });
}

void wait_connection_state(Member& member, sdk::ConnectionState expected, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (member.client().connection_state() != expected && Clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  INFO(member.label() << " waiting for connection state " << static_cast<int>(expected));
  REQUIRE(member.client().connection_state() == expected);
}

// Waits until every member's client has noticed the server went away;
// returns the newest version any of them saw.
std::uint64_t wait_everyone_reconnecting(const std::vector<Member*>& members) {
  std::uint64_t newest = 0;
  for (Member* member : members) {
    wait_connection_state(*member, sdk::ConnectionState::reconnecting, kWait);
    newest = std::max(newest, member->client().state().version());
  }
  return newest;
}

// Waits until every member sees a state newer than `version` with everyone
// connected again; returns the facilitator's.
v1::SessionState wait_everyone_back(const std::vector<Member*>& members, std::uint64_t version) {
  v1::SessionState seen;
  for (Member* member : members) {
    INFO(member->label() << " waiting to see everyone back after version " << version);
    const auto state = member->client().wait_for_state(
        [&](const v1::SessionState& s) { return s.version() > version && everyone_connected(s); }, kBack);
    REQUIRE(state.has_value());
    // Open once the server has also taken the connection's new keys.
    wait_connection_state(*member, sdk::ConnectionState::open, kWait);
    if (member == members.front()) seen = *state;
  }
  return seen;
}

// A CCDG go-around under way: p1 finished, p2 holds the turn, p3's hand is
// up, p1 muted, the phase extended, p4 removed with their token revoked.
struct GoAroundUnderWay {
  explicit GoAroundUnderWay(const ServerProcess& server)
      : session(create_ccdg(server, {"p1", "p2", "p3", "p4"})),
        fac("fac", quick_reconnect()),
        pres("pres", quick_reconnect()),
        p1("p1", quick_reconnect()),
        p2("p2", quick_reconnect()),
        p3("p3", quick_reconnect()) {
    for (Member* m : members()) m->join(invite_of(session, m->label()));
    Member p4("p4");
    p4.join(invite_of(session, "p4"));
    for (int phase = 0; phase < 3; ++phase) must(fac, sdk::cmd::next_phase());
    must(fac, sdk::cmd::build_go_around());
    must(fac, sdk::cmd::start_go_around());
    REQUIRE(fac.client().state().go_around().turn_holder_id() == "p1");
    must(p1, sdk::cmd::finish_turn());
    must(p3, sdk::cmd::raise_hand());
    must(fac, sdk::cmd::mute("p1"));
    must(fac, sdk::cmd::extend_phase(120));
    const auto version = must(fac, sdk::cmd::revoke_member("p4"));
    wait_all(members(), version);
    before = fac.client().state();
    REQUIRE(before.go_around().turn_holder_id() == "p2");
  }
  std::vector<Member*> members() { return {&fac, &pres, &p1, &p2, &p3}; }

  sdk::CreatedSession session;
  Member fac, pres, p1, p2, p3;
  v1::SessionState before;
};

TEST_CASE("Restart: SIGKILL in the middle of a go-around loses nothing, every client resumes to the same state",
          "[restart]") {
  TempDir dir;
  auto server = std::make_unique<ServerProcess>(std::vector<std::string>{}, ServerPlace{dir.path(), 0});
  const auto place = server->place();
  GoAroundUnderWay group(*server);

  CHECK(server->kill() == 128 + SIGKILL);
  const auto last_seen = wait_everyone_reconnecting(group.members());
  ServerProcess restarted({}, place);
  const auto after = wait_everyone_back(group.members(), last_seen);

  CHECK(lasting_fields(after) == lasting_fields(group.before));
  CHECK(after.go_around().turn_holder_id() == "p2");
  CHECK(std::vector<std::string>(after.hand_queue().begin(), after.hand_queue().end()) ==
        std::vector<std::string>{"p3"});
  CHECK(sdk::find_member(after, "p1")->muted());
  CHECK(sdk::find_member(after, "p4") == nullptr);
  CHECK(after.controller_id() == "fac");
  const auto log = restarted.log();
  CHECK(log.find("restored 1 sessions (1 not ended)") != std::string::npos);
  for (Member* m : group.members()) {
    INFO(m->label() << " came back with its resume credential, not its join token");
    CHECK(log.find("member resumes session=" + group.session.session_id + " participant=" + m->label()) !=
          std::string::npos);
  }

  // The session carries on: the turn moves on, chat opens under new keys,
  // and the revoked link stays refused.
  const auto version = must(group.p2, sdk::cmd::finish_turn());
  wait_all(group.members(), version);
  CHECK(group.fac.client().state().go_around().turn_holder_id() == "p3");
  wait_keys_settled(group.members());
  REQUIRE(group.p3.client().send_chat("restart|p3").code() == v1::ERROR_CODE_OK);
  group.fac.client().send(group.fac.harmless_command());  // Relayed in order: the chat has arrived by its answer.
  CHECK(group.fac.chat_senders_with_tag("restart") == std::multiset<std::string>{"p3"});
  Member p4("p4");
  const auto refused = p4.try_join(invite_of(group.session, "p4"));
  CHECK(refused.http_status == 403);
  CHECK(refused.code == "token_revoked");
}

TEST_CASE("Restart: SIGTERM tells every client the server is restarting, it exits at once and they come back",
          "[restart]") {
  TempDir dir;
  auto server = std::make_unique<ServerProcess>(std::vector<std::string>{}, ServerPlace{dir.path(), 0});
  const auto place = server->place();
  const auto session = create_ccdg(*server, {"p1"});
  // Before the members: their clients report to these until they are gone.
  std::atomic<int> told_restarting{0};
  std::atomic<int> closed{0};
  Member fac("fac", quick_reconnect());
  Member p1("p1", quick_reconnect());
  for (Member* m : {&fac, &p1}) {
    m->client().on_connection([&](sdk::ConnectionState state, const sdk::CloseInfo* info) {
      if (state == sdk::ConnectionState::reconnecting && info && info->goodbye == v1::GOODBYE_REASON_RESTARTING) ++told_restarting;
      if (state == sdk::ConnectionState::closed) ++closed;
    });
    m->join(invite_of(session, m->label()));
  }
  must(fac, sdk::cmd::next_phase());
  const auto version = must(p1, sdk::cmd::raise_hand());
  wait_all({&fac, &p1}, version);
  const auto before = fac.client().state();

  const auto stopping = Clock::now();
  CHECK(server->stop() == 0);
  const auto took = Clock::now() - stopping;
  INFO("stopping took " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms");
  CHECK(took < std::chrono::seconds(5));  // The shutdown grace; clients that were told close at once.
  CHECK(server->log().find("stopped") != std::string::npos);

  const auto last_seen = wait_everyone_reconnecting({&fac, &p1});
  ServerProcess restarted({}, place);
  const auto after = wait_everyone_back({&fac, &p1}, last_seen);
  CHECK(lasting_fields(after) == lasting_fields(before));
  CHECK(told_restarting == 2);
  CHECK(closed == 0);  // Until the members go at the end of the test.
}

TEST_CASE("Restart: an ended session stays ended, and its links say so", "[restart]") {
  TempDir dir;
  auto server = std::make_unique<ServerProcess>(std::vector<std::string>{}, ServerPlace{dir.path(), 0});
  const auto place = server->place();
  const auto running = create_ccdg(*server, {"p1"});
  const auto ended = create_ccdg(*server, {"p1"});
  server->admin().end_session(ended.session_id);
  CHECK(server->kill() == 128 + SIGKILL);

  ServerProcess restarted({}, place);
  CHECK(restarted.log().find("restored 2 sessions (1 not ended)") != std::string::npos);
  Member late("p1");
  const auto refused = late.try_join(invite_of(ended, "p1"));
  CHECK(refused.http_status == 409);
  CHECK(refused.code == "session_ended");
  // A session nobody had joined yet is there too, with its links.
  Member early("p1");
  early.join(invite_of(running, "p1"));
  CHECK(early.client().state().name() == "night shift group");
}

}  // namespace
}  // namespace balint::test
