// The C++ SDK makes a connection the network dropped again by itself. The
// network is a TCP relay between the client and a real server: drop()
// closes every connection through it and turns new ones away (accepts and
// closes them at once), restore() lets them through again. The relay counts
// every connection it accepts, which is how the tests see reconnect
// attempts, or their absence.

#include "harness.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <future>
#include <thread>

namespace balint::test {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

class TcpRelay {
 public:
  explicit TcpRelay(std::uint16_t upstream_port)
      : upstream_(net::ip::make_address("127.0.0.1"), upstream_port),
        acceptor_(ioc_, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0)) {
    accept();
    thread_ = std::thread([this] { ioc_.run(); });
  }
  ~TcpRelay() {
    ioc_.stop();
    thread_.join();
  }
  TcpRelay(const TcpRelay&) = delete;
  TcpRelay& operator=(const TcpRelay&) = delete;

  std::string ws_url() const { return "ws://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/ws"; }
  // Connections accepted so far, the ones turned away included.
  int accepted() const { return accepted_.load(); }

  // Closes every relayed connection and turns new ones away; returns once done.
  void drop() {
    run([this] {
      dropped_ = true;
      for (auto& weak : pairs_)
        if (auto pair = weak.lock()) pair->close();
      pairs_.clear();
    });
  }
  void restore() {
    run([this] { dropped_ = false; });
  }

 private:
  struct Pair {
    explicit Pair(tcp::socket d, net::io_context& ioc) : down(std::move(d)), up(ioc) {}
    void close() {
      boost::system::error_code ignored;
      down.close(ignored);
      up.close(ignored);
    }
    tcp::socket down;
    tcp::socket up;
    std::array<char, 16384> from_down{};
    std::array<char, 16384> from_up{};
  };

  template <class F>
  void run(F f) {
    std::promise<void> done;
    net::post(ioc_, [&] {
      f();
      done.set_value();
    });
    done.get_future().wait();
  }

  void accept() {
    acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
      if (ec) return;
      ++accepted_;
      if (dropped_) {
        boost::system::error_code ignored;
        socket.close(ignored);
      } else {
        auto pair = std::make_shared<Pair>(std::move(socket), ioc_);
        pairs_.push_back(pair);
        pair->up.async_connect(upstream_, [this, pair](const boost::system::error_code& error) {
          if (error || dropped_) return pair->close();
          pump(pair, pair->down, pair->up, pair->from_down);
          pump(pair, pair->up, pair->down, pair->from_up);
        });
      }
      accept();
    });
  }

  static void pump(const std::shared_ptr<Pair>& pair, tcp::socket& from, tcp::socket& to,
                   std::array<char, 16384>& buffer) {
    from.async_read_some(net::buffer(buffer), [pair, &from, &to, &buffer](const boost::system::error_code& ec,
                                                                          std::size_t n) {
      if (ec) return pair->close();
      net::async_write(to, net::buffer(buffer.data(), n),
                       [pair, &from, &to, &buffer](const boost::system::error_code& error, std::size_t) {
                         if (error) return pair->close();
                         pump(pair, from, to, buffer);
                       });
    });
  }

  net::io_context ioc_;
  tcp::endpoint upstream_;
  tcp::acceptor acceptor_;
  std::thread thread_;
  std::atomic<int> accepted_{0};
  bool dropped_ = false;                    // I/O thread.
  std::vector<std::weak_ptr<Pair>> pairs_;  // I/O thread.
};

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
  Group() : relay(server.port()) {
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
  // Connects `client` as p1 through the relay; REQUIREs success.
  void join_p1(sdk::Client& client) {
    const auto status = client.connect(relay.ws_url(), invite("p1").token);
    INFO(status.describe());
    REQUIRE(status.ok());
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
  watch.attach(p1.client());
  g.join_p1(p1.client());
  REQUIRE(watch.wait(ConnectionState::open));
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
  watch.attach(p1.client());
  g.join_p1(p1.client());
  REQUIRE(watch.wait(ConnectionState::open));
  REQUIRE(g.relay.accepted() == 1);

  must(g.fac, sdk::cmd::remove_member("p1"));
  const auto closed = watch.wait(ConnectionState::closed);
  REQUIRE(closed);
  REQUIRE(closed->has_value());
  INFO("closed: " << (*closed)->reason);
  CHECK((*closed)->goodbye);
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
  watch.attach(p1.client());
  g.join_p1(p1.client());
  REQUIRE(watch.wait(ConnectionState::open));

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
  watch2.attach(*client);
  g.join_p1(*client);
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
  watch.attach(p1.client());
  g.join_p1(p1.client());
  REQUIRE(watch.wait(ConnectionState::open));

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
  watch.attach(p1.client());
  g.join_p1(p1.client());
  REQUIRE(watch.wait(ConnectionState::open));

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

}  // namespace balint::test
