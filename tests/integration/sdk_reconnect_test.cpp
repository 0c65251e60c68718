// The C++ SDK makes a connection the network dropped again by itself. The
// network is a TCP relay (tcp_relay.hpp) between the client and a real
// server.

#include "harness.hpp"
#include "hostile/jwt_forge.hpp"
#include "tcp_relay.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <condition_variable>
#include <future>
#include <thread>

namespace balint::test {
namespace {

using Clock = std::chrono::steady_clock;

// What on_connection and on_closed reported, in order.
class Watch {
 public:
  void attach(sdk::Client& client) {
    client.on_connection([this](sdk::ConnectionState state, const sdk::CloseInfo* info) {
      {
        std::lock_guard lock(mu_);
        seen_.emplace_back(state, info ? std::optional<sdk::CloseInfo>(*info) : std::nullopt);
      }
      cv_.notify_all();
    });
    client.on_closed([this](const sdk::CloseInfo&) {
      {
        std::lock_guard lock(mu_);
        ++closed_calls_;
      }
      cv_.notify_all();
    });
  }
  // Waits until `state` was reported `times` times; its latest report.
  std::optional<std::optional<sdk::CloseInfo>> wait(sdk::ConnectionState state, int times = 1) {
    std::unique_lock lock(mu_);
    std::optional<std::optional<sdk::CloseInfo>> last;
    cv_.wait_until(lock, Clock::now() + kWait, [&] {
      int n = 0;
      for (const auto& [s, info] : seen_)
        if (s == state && ++n == times) last = info;
      return last.has_value();
    });
    return last;
  }
  int count(sdk::ConnectionState state) const {
    std::lock_guard lock(mu_);
    return static_cast<int>(std::count_if(seen_.begin(), seen_.end(), [&](const auto& e) { return e.first == state; }));
  }
  std::vector<sdk::ConnectionState> states() const {
    std::lock_guard lock(mu_);
    std::vector<sdk::ConnectionState> out;
    for (const auto& e : seen_) out.push_back(e.first);
    return out;
  }
  int closed_calls() const {
    std::lock_guard lock(mu_);
    return closed_calls_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::pair<sdk::ConnectionState, std::optional<sdk::CloseInfo>>> seen_;
  int closed_calls_ = 0;
};

sdk::ClientOptions fast(bool reconnect = true) {
  sdk::ClientOptions options;
  options.reconnect = reconnect;
  options.reconnect_delays = {std::chrono::milliseconds(50)};
  return options;
}

// A CCDG session (its check-in lets everyone chat) with the facilitator
// joined directly; p1 comes in through the relay.
struct Group {
  explicit Group(const std::function<void(app::Config&)>& tweak = {}) : server(tweak), relay(server.port()) {
    sdk::SessionRequest request;
    request.name = "reconnect group";
    request.format = "ccdg";
    request.invitees = {invitee("fac", "Dr Ada", "facilitator"), invitee("pres", "Dr Pia", "presenter"),
                        invitee("p1", "Ben", "participant")};
    created = server.admin().create_session(request);
    fac.join(invite("fac"));
  }
  const sdk::Invite& invite(const std::string& id) const {
    const auto it = std::find_if(created.invites.begin(), created.invites.end(),
                                 [&](const sdk::Invite& i) { return i.participant_id == id; });
    REQUIRE(it != created.invites.end());
    return *it;
  }
  // Connects `client` as p1 through the relay, with `watch` on it; REQUIREs
  // that it opens.
  void join_p1(sdk::Client& client, Watch& watch) {
    watch.attach(client);
    const auto status = client.connect(relay.ws_url(), invite("p1").token);
    INFO(status.describe());
    REQUIRE(status.ok());
    REQUIRE(watch.wait(sdk::ConnectionState::open));
  }
  // Waits until the facilitator sees p1 with this connection status.
  void fac_sees_p1(v1::ConnectionStatus status) {
    INFO("waiting for p1 to be " << v1::ConnectionStatus_Name(status));
    REQUIRE(fac.client().wait_for_state(
        [&](const v1::SessionState& s) {
          const auto* m = sdk::find_member(s, "p1");
          return m && m->connection() == status;
        },
        kWait));
  }

  TestServer server;
  TcpRelay relay;
  sdk::CreatedSession created;
  Member fac{"facilitator"};
};

bool read_chat(const Member& m, const std::string& sender, const std::string& text) {
  const auto deadline = Clock::now() + kWait;
  while (Clock::now() < deadline) {
    const auto chats = m.chats();
    if (std::any_of(chats.begin(), chats.end(),
                    [&](const sdk::ChatMessage& c) { return c.sender_id == sender && c.text == text; }))
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

// Waits until the relay has accepted more than `than` connections.
bool attempts_beyond(const TcpRelay& relay, int than) {
  const auto deadline = Clock::now() + kWait;
  while (Clock::now() < deadline) {
    if (relay.accepted() > than) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

using sdk::ConnectionState;

}  // namespace

TEST_CASE("SDK reconnect: a dropped connection comes back with the current state, fresh keys and chat",
          "[reconnect][sdk]") {
  Group g;
  Watch watch;
  Member p1("participant p1", fast());
  g.join_p1(p1.client(), watch);
  CHECK(watch.states() == std::vector<ConnectionState>{ConnectionState::connecting, ConnectionState::open});
  CHECK(p1.client().connection_state() == ConnectionState::open);
  wait_keys_settled({&g.fac, &p1});
  const auto code_before = p1.client().security_code();
  CHECK(code_before == g.fac.client().security_code());
  REQUIRE(p1.client().send_chat("hello").code() == v1::ERROR_CODE_OK);
  REQUIRE(read_chat(g.fac, "p1", "hello"));

  g.relay.drop();
  const auto dropped = watch.wait(ConnectionState::reconnecting);
  REQUIRE(dropped);
  REQUIRE(dropped->has_value());
  INFO("dropped: " << (*dropped)->reason);
  CHECK((*dropped)->by_server);
  CHECK_FALSE((*dropped)->goodbye);
  CHECK_FALSE(p1.client().connected());
  CHECK(p1.client().connection_state() == ConnectionState::reconnecting);

  // Meanwhile nothing blocks: commands answer at once with the client code.
  const auto asked = Clock::now();
  const auto result = p1.client().send(sdk::cmd::raise_hand());
  CHECK(result.code() == sdk::kErrorNotConnected);
  CHECK(p1.client().send_chat("while away").code() == sdk::kErrorNotConnected);
  CHECK_FALSE(p1.client().send_media(0, "frame"));
  std::optional<v1::CommandResult> async_result;
  CHECK(p1.client().send_async(sdk::cmd::raise_hand(), [&](const v1::CommandResult& r) { async_result = r; }) == 0);
  REQUIRE(async_result);
  CHECK(async_result->code() == sdk::kErrorNotConnected);
  CHECK(Clock::now() - asked < std::chrono::milliseconds(500));
  const auto connect_again = p1.client().connect(g.relay.ws_url(), g.invite("p1").token);
  CHECK(connect_again.code == "busy");

  // The facilitator moves on while p1 is away; p1's waiter waits across the reconnect.
  g.fac_sees_p1(v1::CONNECTION_STATUS_RECONNECTING);
  const auto version = must(g.fac, sdk::cmd::next_phase());
  auto waiter = std::async(std::launch::async, [&] { return p1.client().wait_for_version(version, kWait); });
  REQUIRE(attempts_beyond(g.relay, 2));  // Attempts turned away while the network is down.
  CHECK(watch.count(ConnectionState::reconnecting) == 1);

  g.relay.restore();
  REQUIRE(watch.wait(ConnectionState::open, 2));
  CHECK(p1.client().connected());
  const auto caught_up = waiter.get();
  REQUIRE(caught_up);
  CHECK(caught_up->phase_index() == 0);
  CHECK(p1.client().state().phase_index() == g.fac.client().state().phase_index());
  CHECK(watch.states() == std::vector<ConnectionState>{ConnectionState::connecting, ConnectionState::open,
                                                      ConnectionState::reconnecting, ConnectionState::open});
  CHECK(watch.closed_calls() == 0);

  // Fresh keys: a new code, the same on both screens.
  g.fac_sees_p1(v1::CONNECTION_STATUS_CONNECTED);
  wait_keys_settled({&g.fac, &p1});
  const auto code_after = p1.client().security_code();
  CHECK_FALSE(code_after.empty());
  CHECK(code_after != code_before);
  CHECK(code_after == g.fac.client().security_code());

  // Chat works both ways again.
  REQUIRE(p1.client().send_chat("back from p1").code() == v1::ERROR_CODE_OK);
  REQUIRE(g.fac.client().send_chat("welcome back").code() == v1::ERROR_CODE_OK);
  CHECK(read_chat(g.fac, "p1", "back from p1"));
  CHECK(read_chat(p1, "fac", "welcome back"));
  CHECK(p1.client().send(sdk::cmd::raise_hand()).code() == v1::ERROR_CODE_OK);
}

TEST_CASE("SDK reconnect: a Goodbye is final", "[reconnect][sdk]") {
  Group g;
  Watch watch;
  Member p1("participant p1", fast());
  g.join_p1(p1.client(), watch);
  REQUIRE(g.relay.accepted() == 1);

  must(g.fac, sdk::cmd::remove_member("p1"));
  const auto closed = watch.wait(ConnectionState::closed);
  REQUIRE(closed);
  REQUIRE(closed->has_value());
  INFO("closed: " << (*closed)->reason);
  CHECK((*closed)->goodbye == v1::GOODBYE_REASON_REMOVED);
  CHECK((*closed)->by_server);
  CHECK(p1.client().wait_closed(kWait));
  CHECK(watch.closed_calls() == 1);

  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // Six times the reconnect delay.
  CHECK(g.relay.accepted() == 1);
  CHECK(watch.count(ConnectionState::reconnecting) == 0);
  CHECK(p1.client().connection_state() == ConnectionState::closed);
}

TEST_CASE("SDK reconnect: close() or the destructor stops the attempts at once", "[reconnect][sdk]") {
  Group g;
  Watch watch;
  Member p1("participant p1", fast());
  g.join_p1(p1.client(), watch);

  g.relay.drop();
  REQUIRE(watch.wait(ConnectionState::reconnecting));
  REQUIRE(attempts_beyond(g.relay, 3));
  const auto asked = Clock::now();
  p1.client().close();
  CHECK(Clock::now() - asked < std::chrono::milliseconds(1000));
  CHECK(p1.client().connection_state() == ConnectionState::closed);
  const auto closed = watch.wait(ConnectionState::closed);
  REQUIRE(closed);
  REQUIRE(closed->has_value());
  CHECK((*closed)->reason == "closed by client");
  CHECK(watch.closed_calls() == 1);
  const int attempts = g.relay.accepted();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(g.relay.accepted() == attempts);
  CHECK(p1.client().send(sdk::cmd::raise_hand()).code() == sdk::kErrorConnectionClosed);

  // The destructor too, bounded.
  g.relay.restore();
  Watch watch2;
  auto client = std::make_unique<sdk::Client>(fast());
  g.join_p1(*client, watch2);
  g.relay.drop();
  REQUIRE(watch2.wait(ConnectionState::reconnecting));
  REQUIRE(attempts_beyond(g.relay, g.relay.accepted() + 1));
  const auto destroying = Clock::now();
  client.reset();
  CHECK(Clock::now() - destroying < std::chrono::milliseconds(2000));
  CHECK(watch2.closed_calls() == 1);
  const int attempts2 = g.relay.accepted();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(g.relay.accepted() == attempts2);
}

TEST_CASE("SDK reconnect: with reconnect off a drop closes the client", "[reconnect][sdk]") {
  Group g;
  Watch watch;
  Member p1("participant p1", fast(false));
  g.join_p1(p1.client(), watch);

  g.relay.drop();
  const auto closed = watch.wait(ConnectionState::closed);
  REQUIRE(closed);
  REQUIRE(closed->has_value());
  CHECK((*closed)->by_server);
  CHECK_FALSE((*closed)->goodbye);
  CHECK(p1.client().wait_closed(kWait));
  CHECK(watch.closed_calls() == 1);
  CHECK(watch.count(ConnectionState::reconnecting) == 0);
  g.relay.restore();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(g.relay.accepted() == 1);
  CHECK(p1.client().send(sdk::cmd::raise_hand()).code() == sdk::kErrorConnectionClosed);
}

TEST_CASE("SDK reconnect: a refused attempt ends the retries with the server's reason", "[reconnect][sdk]") {
  Group g;
  Watch watch;
  Member p1("participant p1", fast());
  g.join_p1(p1.client(), watch);

  g.relay.drop();
  REQUIRE(watch.wait(ConnectionState::reconnecting));
  g.server.admin().end_session(g.created.session_id);  // While p1 is away.
  g.relay.restore();

  const auto closed = watch.wait(ConnectionState::closed);
  REQUIRE(closed);
  REQUIRE(closed->has_value());
  const auto& info = **closed;
  INFO("closed: " << info.reason);
  REQUIRE(info.refused);
  INFO("refused: " << info.refused->describe());
  CHECK((info.refused->http_status == 404 || info.refused->http_status == 409));
  CHECK_FALSE(info.refused->code.empty());
  CHECK_FALSE(info.reason.empty());
  CHECK(info.reason == info.refused->message);
  CHECK(info.by_server);
  CHECK(p1.client().wait_closed(kWait));
  CHECK(watch.closed_calls() == 1);
  CHECK(watch.count(ConnectionState::open) == 1);
  CHECK(p1.client().close_info()->refused.has_value());
  const int attempts = g.relay.accepted();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(g.relay.accepted() == attempts);
}

TEST_CASE("SDK reconnect: a member whose join token expired meanwhile comes back with the resume credential",
          "[reconnect][sdk][resume]") {
  Group g([](app::Config& config) { config.token_leeway = std::chrono::seconds(0); });
  auto claims = JwtForge::claims(g.created.session_id, "p1", "Ben", "participant");
  claims["exp"] = unix_now() + 1;  // Valid through the next second, no longer.
  const auto short_lived = JwtForge::from_data_dir(g.server.data_dir()).sign(claims);
  Watch watch;
  Member p1("participant p1", fast());
  watch.attach(p1.client());
  REQUIRE(p1.client().connect(g.relay.ws_url(), short_lived).ok());
  const auto first_credential = p1.client().welcome().resume_credential();
  CHECK(first_credential.starts_with(g.created.session_id + ".p1."));

  // Past the token's expiry: the link itself is refused now.
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  sdk::Client late;
  CHECK(late.connect(g.server.ws_url(), short_lived).code == "invalid_token");

  g.relay.drop();
  REQUIRE(watch.wait(ConnectionState::reconnecting));
  g.relay.restore();
  REQUIRE(watch.wait(ConnectionState::open, 2));
  g.fac_sees_p1(v1::CONNECTION_STATUS_CONNECTED);
  CHECK(watch.count(ConnectionState::closed) == 0);
  // Every connection brings a new credential; the one used is spent.
  CHECK(p1.client().welcome().resume_credential() != first_credential);
  const auto spent = sdk::AdminClient(g.server.http_url(), "").request("GET", "/api/v1/join?resume=" + first_credential);
  CHECK(spent.status == 401);
  CHECK(spent.body.find("resume_refused") != std::string::npos);
  const auto current = sdk::AdminClient(g.server.http_url(), "")
                           .request("GET", "/api/v1/join?resume=" + p1.client().welcome().resume_credential());
  CHECK(current.status == 200);
  CHECK(current.body.find(R"("participant_id":"p1")") != std::string::npos);
}

TEST_CASE("SDK reconnect: a resume credential the server refuses gives way to the join token",
          "[reconnect][sdk][resume]") {
  Group g;
  Watch watch;
  Member p1("participant p1", fast());
  g.join_p1(p1.client(), watch);
  g.relay.drop();
  REQUIRE(watch.wait(ConnectionState::reconnecting));
  // Meanwhile p1 signs in elsewhere with the link: the credential p1's
  // client holds is spent, so its next attempt is refused and it falls back
  // to the token (and so takes the seat back, as a newer sign-in does).
  {
    Member elsewhere("p1 elsewhere");
    elsewhere.join(g.invite("p1"));
  }
  const int turned_away = g.relay.accepted();
  g.relay.restore();
  REQUIRE(watch.wait(ConnectionState::open, 2));
  CHECK(watch.count(ConnectionState::closed) == 0);
  CHECK(p1.client().connected());
  CHECK(g.relay.accepted() - turned_away == 2);  // The refused resume, then the token.
}

}  // namespace balint::test
