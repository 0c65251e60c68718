// The Client runs one io_context on a thread of its own. A connection is a
// `Connection` object living on that thread: one coroutine connects and then
// reads, another writes the outgoing FIFO queue with at most one write in
// flight and sends the close after the last queued frame. Callers on other
// threads touch only `Impl`'s mutex-guarded fields and the connection's
// queue; they wait on a condition variable with a deadline.
//
// ws:// and wss:// share one code path: the connection holds either a plain
// or a TLS WebSocket stream, and its coroutines are templates on the one in
// use; only the TLS handshake step exists for wss:// alone.
//
// Reconnecting happens on the I/O thread too: when an open connection ends
// by the network, the stage becomes `reconnecting`, a timer waits the next
// delay, and a new Connection to the same target goes through the same
// steps as connect()'s (Welcome, fresh keys, state, announcement). Only the
// I/O thread moves the stage out of `reconnecting`; close() asks it to (and
// sets `close_wanted`, which every step checks).

#include "balint/sdk/client.hpp"

#include "balint/sdk/admin_client.hpp"
#include "balint/sdk/describe.hpp"
#include "e2ee_session.hpp"
#include "reconnect_policy.hpp"
#include "tls.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace balint::sdk {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

using PlainWebSocket = websocket::stream<beast::tcp_stream>;
using TlsWebSocket = websocket::stream<beast::ssl_stream<beast::tcp_stream>>;

namespace {

v1::CommandResult local_error(std::uint64_t request_id, v1::ErrorCode code, std::string message) {
  v1::CommandResult result;
  result.set_request_id(request_id);
  result.set_code(code);
  result.set_message(std::move(message));
  return result;
}

std::string millis(std::chrono::milliseconds ms) { return std::to_string(ms.count()) + " ms"; }

// The keyring's clock: steady milliseconds.
std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch()).count();
}

// The local answer when a chat message cannot be sealed.
v1::CommandResult not_sealed(e2ee::Error error) {
  const std::string why(e2ee::describe(error));
  switch (error) {
    case e2ee::Error::too_long: return local_error(0, v1::ERROR_CODE_INVALID_ARGUMENT, why);
    case e2ee::Error::unknown_sender:
      return local_error(0, v1::ERROR_CODE_UNKNOWN_PARTICIPANT, "the recipient has no valid end-to-end keys");
    default: return local_error(0, kErrorKeysNotReady, "end-to-end keys are not ready: " + why);
  }
}

}  // namespace

namespace detail {

// The callbacks, copied into each connection when it starts so that the I/O
// thread reads them without locking.
struct Handlers {
  Client::StateHandler state;
  Client::EventHandler event;
  Client::MediaHandler media;
  Client::VideoHandler video;
  Client::KeyFrameRequestHandler key_frame_request;
  Client::ChatHandler chat;
  Client::SecurityHandler security;
  Client::ClosedHandler closed;
  Client::ConnectionHandler connection;
};

}  // namespace detail

using detail::Handlers;

struct Client::Impl {
  explicit Impl(ClientOptions opts)
      : options(std::move(opts)),
        work(net::make_work_guard(ioc)),
        expiry_timer(ioc),
        retry_timer(ioc),
        attempt_timer(ioc),
        jitter(std::random_device{}()),
        reconnect_policy(options.reconnect_delays.empty() ? ClientOptions{}.reconnect_delays : options.reconnect_delays,
                         [this] { return std::uniform_real_distribution<double>(0, 1)(jitter); }) {}

  // What stage the client is in. `open` starts at the first state; the
  // connection counts as up (opened_conn) once the server took its keys.
  enum class Stage { idle, connecting, open, reconnecting, closed };

  // A command waiting for its result: a blocking caller (waited) or a
  // callback (done).
  struct Pending {
    bool waited = false;
    ResultHandler done;
    std::optional<v1::CommandResult> result;
  };

  const ClientOptions options;
  net::io_context ioc{1};
  net::executor_work_guard<net::io_context::executor_type> work;
  std::thread thread;

  // Made on the first wss:// connect and kept: loading the system's trust
  // store takes a while. Guarded by tls_mu.
  std::mutex tls_mu;
  std::shared_ptr<ssl::context> tls_context;

  mutable std::mutex mu;
  std::condition_variable cv;
  Handlers handlers;
  Stage stage = Stage::idle;
  std::shared_ptr<Connection> conn;
  std::optional<Status> connect_failure;
  bool have_welcome = false;
  bool have_state = false;
  v1::Welcome welcome;
  v1::SessionState state;
  std::optional<CloseInfo> close_info;
  std::uint64_t next_request_id = 1;
  std::unordered_map<std::uint64_t, Pending> pending;
  // The current connection's end-to-end keys, made at its Welcome; whether
  // its announcement was sent, and the server's answer to it.
  std::shared_ptr<detail::E2eeSession> e2ee;
  bool announce_sent = false;
  std::optional<v1::CommandResult> announce_result;
  // Wipes the keys of past epochs when their grace runs out (I/O thread).
  net::steady_timer expiry_timer;

  // What connect() was given, kept for reconnecting.
  Url target_url;
  std::string target_token;
  // The latest Welcome's resume credential: reconnect attempts present it
  // instead of the token (which may have expired) until the server refuses it.
  std::string resume_credential;
  std::shared_ptr<ssl::context> target_tls;
  // The callbacks as they were at connect(), for every connection it leads to.
  std::shared_ptr<const Handlers> session_handlers = std::make_shared<const Handlers>();
  // The connection whose keys the server took (it is "up"); a drop of it
  // is reconnected after.
  const Connection* opened_conn = nullptr;
  bool close_wanted = false;  // close() was called since the last connect().
  bool came_up = false;       // A connection was up since the last connect().
  bool video_paused = false;  // set_video_paused(true): said again to every new connection.
  // I/O thread: the wait before the next attempt, and an attempt's deadline.
  net::steady_timer retry_timer;
  net::steady_timer attempt_timer;
  std::mt19937 jitter;
  // When to try again, and with what (under mu).
  detail::ReconnectPolicy reconnect_policy;
  detail::ReconnectPolicy::Credential next_credential = detail::ReconnectPolicy::Credential::token;

  bool on_io_thread() const { return std::this_thread::get_id() == thread.get_id(); }

  // Queues `message` on `connection` under a fresh request id, for a
  // blocking caller (`waited`) or a callback (`done`, which runs with a
  // local error if the message cannot be queued). The id, or 0 with `why`.
  std::uint64_t submit(const std::shared_ptr<Connection>& connection, v1::ClientMessage& message, bool waited,
                       ResultHandler done, v1::ErrorCode& why);
  // Waits for the result of a waited-for request.
  v1::CommandResult await(std::uint64_t id, std::chrono::milliseconds timeout);
  // submit() and await() together, from a caller's thread.
  v1::CommandResult round_trip(v1::ClientMessage& message, std::chrono::milliseconds timeout);
  // Seals a media frame and queues it; false when it could not be.
  bool send_sealed(std::uint32_t track, std::string_view plaintext, e2ee::FrameFlags flags);
  void pause_video_again(const std::shared_ptr<Connection>& connection);

  // The TLS context for wss://; throws std::runtime_error when the options'
  // CA file cannot be used.
  std::shared_ptr<ssl::context> client_tls() {
    std::lock_guard lock(tls_mu);
    if (!tls_context) tls_context = tls::make_client_context(options.ca_file);
    return tls_context;
  }

  // --- called on the I/O thread by the connection -------------------------

  void deliver(Connection* from, v1::ServerMessage&& message);
  // The end-to-end side of a new state: announce this connection's keys
  // once, hand out a fresh sender key on a new epoch, report notices.
  void keys_follow_state(Connection* from, const std::shared_ptr<detail::E2eeSession>& keys,
                         const v1::SessionState& state);
  void deliver_secure(const Handlers& h, detail::E2eeSession& keys, v1::ServerMessage& message);
  void schedule_expiry(const std::shared_ptr<detail::E2eeSession>& keys);
  void connect_failed(Connection* from, Status status);
  // `network`: the connection ended neither by the client, nor by a
  // Goodbye, nor by a protocol error: a reconnect may follow.
  void connection_ended(Connection* from, const CloseInfo& info, bool network);
  // Runs on_connection (exceptions ignored).
  static void notify(const Handlers& h, ConnectionState state, const CloseInfo* info);
  // The same from another thread: posted to the I/O thread.
  void post_notify(ConnectionState state, std::optional<CloseInfo> info);
  // Under mu: wipes the keys and fails every pending request; returns the
  // callbacks to run (unlocked) with their results.
  std::vector<std::pair<ResultHandler, v1::CommandResult>> end_pending_locked(const std::string& reason);
  void run_callbacks(std::vector<std::pair<ResultHandler, v1::CommandResult>>& callbacks);
  // Reconnecting, on the I/O thread: wait the next delay, start an attempt,
  // drop an attempt that failed or ran out of time, or give up for good.
  void schedule_retry(detail::ReconnectPolicy::Attempt next);
  void start_attempt();
  // `next`: the policy's answer, when the caller asked it already.
  void attempt_failed(const std::shared_ptr<Connection>& attempt_conn,
                      std::optional<detail::ReconnectPolicy::Attempt> next = std::nullopt);
  void give_up(CloseInfo info);
  // What a command gets when the client is not open (under mu).
  v1::CommandResult not_open_locked() const;
};

// What a connection signs in with: the join token, or a resume credential.
struct Credential {
  std::string value;
  bool resume = false;
};

class Client::Connection : public std::enable_shared_from_this<Client::Connection> {
 public:
  // `tls` is the context for a wss:// URL, null for ws://.
  Connection(Impl& owner, Url url, Credential credential, Handlers handlers, std::shared_ptr<ssl::context> tls)
      : owner_(owner),
        url_(std::move(url)),
        credential_(std::move(credential)),
        handlers_(std::move(handlers)),
        tls_(std::move(tls)),
        resolver_(owner.ioc),
        ws_(tls_ ? Socket(std::in_place_type<TlsWebSocket>, owner.ioc, *tls_)
                 : Socket(std::in_place_type<PlainWebSocket>, owner.ioc)),
        wake_(owner.ioc) {}

  const Handlers& handlers() const { return handlers_; }

  static void start(std::shared_ptr<Connection> self) {
    auto& ioc = self->owner_.ioc;
    auto keep = self;
    net::co_spawn(ioc, run(std::move(self)), [keep](std::exception_ptr error) {
      // I/O paths report through error codes; what arrives here is a callback
      // that threw (or std::bad_alloc). The connection cannot go on in an
      // unknown state: drop it and say why, so that nobody waits in vain.
      if (!error) return;
      std::string what = "unknown exception";
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        what = e.what();
      } catch (...) {
      }
      keep->stop();
      keep->drop_socket();
      CloseInfo info;
      info.reason = "client error: " + what;
      keep->owner_.connection_ended(keep.get(), info, false);
    });
  }

  // Any thread. False when the connection no longer takes frames, or would
  // hold more than `max_queued` bytes with it.
  bool enqueue(std::string frame, v1::ErrorCode* why = nullptr) {
    return enqueue_within(std::move(frame), owner_.options.max_queued_bytes, why);
  }
  bool enqueue_within(std::string frame, std::size_t max_queued, v1::ErrorCode* why = nullptr) {
    {
      std::lock_guard lock(qmu_);
      if (stopped_ || close_requested_) {
        if (why) *why = kErrorConnectionClosed;
        return false;
      }
      if (queued_bytes_ + frame.size() > max_queued) {
        if (why) *why = kErrorQueueFull;
        return false;
      }
      queued_bytes_ += frame.size();
      out_.push_back(std::move(frame));
    }
    wake();
    return true;
  }

  // Any thread: close after the queued frames. False if already stopped.
  bool request_close() {
    {
      std::lock_guard lock(qmu_);
      if (stopped_) return false;
      close_requested_ = true;
    }
    wake();
    return true;
  }

  // Any thread: drop the socket now.
  void abort() {
    net::post(owner_.ioc, [self = shared_from_this()] {
      self->drop_socket();
      self->resolver_.cancel();
      self->wake_.cancel();
    });
  }

  bool close_requested() const {
    std::lock_guard lock(qmu_);
    return close_requested_;
  }

 private:
  using Socket = std::variant<PlainWebSocket, TlsWebSocket>;

  void wake() {
    net::post(owner_.ioc, [self = shared_from_this()] { self->wake_.cancel(); });
  }

  void stop() {
    {
      std::lock_guard lock(qmu_);
      stopped_ = true;
      out_.clear();
      queued_bytes_ = 0;
    }
    wake_.cancel();
  }

  // I/O thread: closes the TCP socket under whichever stream is in use.
  void drop_socket() {
    std::visit(
        [](auto& ws) {
          beast::error_code ignored;
          beast::get_lowest_layer(ws).socket().close(ignored);
        },
        ws_);
  }

  static net::awaitable<void> run(std::shared_ptr<Connection> self) {
    co_await std::visit([&self](auto& ws) { return self->connect_and_read(ws); }, self->ws_);
  }

  // What to add to a failure of a ws:// connection that a TLS server would
  // explain; nothing for wss://.
  std::string plain_hint(const beast::error_code& ec) const {
    return url_.secure() ? std::string{} : tls::plain_connection_hint(ec, "wss://");
  }

  // The TLS handshake of a wss:// connection, within what is left of the
  // connect timeout. False (the failure reported) when it did not succeed.
  net::awaitable<bool> tls_handshake(TlsWebSocket& ws) {
    auto& tls = ws.next_layer();
    const std::string where = url_.host_header();
    if (!tls::expect_peer(tls.native_handle(), url_.host)) {
      stop();
      owner_.connect_failed(this, Status::failure("tls", "cannot set up TLS for " + where));
      co_return false;
    }
    beast::error_code ec;
    co_await tls.async_handshake(ssl::stream_base::client, net::redirect_error(net::use_awaitable, ec));
    if (!ec) co_return true;
    stop();
    if (ec == beast::error::timeout)
      owner_.connect_failed(this, Status::failure("timeout", "TLS handshake with " + where + " took longer than " +
                                                                 millis(owner_.options.connect_timeout)));
    else
      owner_.connect_failed(this, Status::failure("tls", tls::handshake_failure(tls.native_handle(), ec, where)));
    co_return false;
  }

  template <class WebSocket>
  net::awaitable<void> connect_and_read(WebSocket& ws) {
    const auto& options = owner_.options;
    beast::error_code ec;
    const std::string where = url_.host_header();

    auto endpoints = co_await resolver_.async_resolve(url_.host, std::to_string(url_.port),
                                                      net::redirect_error(net::use_awaitable, ec));
    if (ec) {
      stop();
      owner_.connect_failed(this, Status::failure("network", "cannot resolve " + url_.host + ": " + ec.message()));
      co_return;
    }

    auto& stream = beast::get_lowest_layer(ws);
    stream.expires_after(options.connect_timeout);
    co_await stream.async_connect(endpoints, net::redirect_error(net::use_awaitable, ec));
    if (ec) {
      stop();
      if (ec == beast::error::timeout)
        owner_.connect_failed(this, Status::failure("timeout", "no TCP connection to " + where + " within " +
                                                                   millis(options.connect_timeout)));
      else
        owner_.connect_failed(this, Status::failure("network", "cannot connect to " + where + ": " + ec.message()));
      co_return;
    }
    stream.socket().set_option(tcp::no_delay(true), ec);
    if constexpr (std::is_same_v<WebSocket, TlsWebSocket>) {
      if (!co_await tls_handshake(ws)) co_return;
    }
    stream.expires_never();

    // The WebSocket layer keeps its own timers from here on.
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = options.connect_timeout;
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
    ws.set_option(timeouts);
    std::string authorization;
    const auto& secret = credential_.value;
    if (!secret.empty() && !options.token_in_query) authorization = (credential_.resume ? "Resume " : "Bearer ") + secret;
    ws.set_option(websocket::stream_base::decorator(
        [agent = options.user_agent, authorization](websocket::request_type& req) {
          req.set(http::field::user_agent, agent);
          if (!authorization.empty()) req.set(http::field::authorization, authorization);
        }));
    ws.read_message_max(options.max_message_bytes);
    ws.binary(true);

    std::string target = url_.target;
    if (!secret.empty() && options.token_in_query)
      target += (target.find('?') == std::string::npos ? "?" : "&") + std::string(credential_.resume ? "resume=" : "token=") +
                url_encode(secret);

    websocket::response_type response;
    co_await ws.async_handshake(response, url_.host_header(), target,
                                net::redirect_error(net::use_awaitable, ec));
    if (ec) {
      stop();
      if (ec == websocket::error::upgrade_declined)
        owner_.connect_failed(this, status_from_error_body(response.result_int(), response.body()));
      else if (ec == beast::error::timeout)
        owner_.connect_failed(this, Status::failure("timeout", "WebSocket handshake with " + where +
                                                                   " took longer than " +
                                                                   millis(options.connect_timeout)));
      else
        owner_.connect_failed(this, Status::failure("network", "WebSocket handshake with " + where + " failed: " +
                                                                   ec.message() + plain_hint(ec)));
      co_return;
    }

    net::co_spawn(owner_.ioc, write_loop(shared_from_this(), ws), [](std::exception_ptr) {});

    beast::flat_buffer buffer;
    std::string protocol_error;
    for (;;) {
      co_await ws.async_read(buffer, net::redirect_error(net::use_awaitable, ec));
      if (ec) break;
      v1::ServerMessage message;
      const auto data = buffer.cdata();
      if (!ws.got_binary() || !message.ParseFromArray(data.data(), static_cast<int>(data.size()))) {
        protocol_error = "the server sent a message this client cannot decode";
        break;
      }
      buffer.consume(buffer.size());
      if (message.has_goodbye()) {
        goodbye_ = message.goodbye().reason();
        goodbye_message_ = message.goodbye().message();
      }
      owner_.deliver(this, std::move(message));
    }

    CloseInfo info;
    // A server that is restarting will be back: like a drop, not an end.
    const bool network = detail::reconnects_after(goodbye_, close_requested(), !protocol_error.empty());
    if (goodbye_) {
      info.reason = goodbye_message_.empty() ? std::string("the server said goodbye") : goodbye_message_;
      info.by_server = true;
      info.goodbye = goodbye_;
    } else if (close_requested()) {
      info.reason = "closed by client";
    } else if (!protocol_error.empty()) {
      info.reason = protocol_error;
      info.by_server = true;
    } else if (ec == websocket::error::closed) {
      const auto& why = ws.reason();
      info.reason = !why.reason.empty() ? std::string(why.reason.data(), why.reason.size())
                                        : "closed by the server (code " + std::to_string(why.code) + ")";
      info.by_server = true;
    } else {
      info.reason = "connection lost: " + ec.message();
      info.by_server = true;
    }
    stop();
    drop_socket();
    owner_.connection_ended(this, info, network);
  }

  // One write in flight; frames leave in the order they were queued; the
  // close frame goes after the last one.
  // `ws` belongs to `self`, which the coroutine keeps alive.
  template <class WebSocket>
  static net::awaitable<void> write_loop(std::shared_ptr<Connection> self, WebSocket& ws) {
    beast::error_code ec;
    for (;;) {
      std::string frame;
      bool have_frame = false;
      bool closing = false;
      {
        std::lock_guard lock(self->qmu_);
        if (self->stopped_) co_return;
        if (!self->out_.empty()) {
          frame = std::move(self->out_.front());
          self->out_.pop_front();
          self->queued_bytes_ -= frame.size();
          have_frame = true;
        } else if (self->close_requested_) {
          closing = true;
        }
      }
      if (have_frame) {
        co_await ws.async_write(net::buffer(frame), net::redirect_error(net::use_awaitable, ec));
        if (ec) {
          self->drop_socket();
          co_return;
        }
        continue;
      }
      if (closing) {
        co_await ws.async_close(websocket::close_reason(websocket::close_code::normal, "bye"),
                                net::redirect_error(net::use_awaitable, ec));
        co_return;
      }
      self->wake_.expires_at(net::steady_timer::time_point::max());
      co_await self->wake_.async_wait(net::redirect_error(net::use_awaitable, ec));
    }
  }

  Impl& owner_;
  const Url url_;
  const Credential credential_;
  const Handlers handlers_;
  const std::shared_ptr<ssl::context> tls_;
  tcp::resolver resolver_;
  Socket ws_;
  net::steady_timer wake_;  // Cancelled to wake the writer.
  std::optional<v1::GoodbyeReason> goodbye_;  // The server's Goodbye, if it said one.
  std::string goodbye_message_;

  mutable std::mutex qmu_;
  std::deque<std::string> out_;
  std::size_t queued_bytes_ = 0;
  bool close_requested_ = false;
  bool stopped_ = false;
};

// --- Impl: the I/O thread's side ---------------------------------------------

// Callbacks run before the message becomes visible to waiters: when
// wait_for_version() or send() returns, every callback for the messages
// before it has finished.
void Client::Impl::deliver(Connection* from, v1::ServerMessage&& message) {
  const Handlers& h = from->handlers();
  std::shared_ptr<detail::E2eeSession> keys;
  {
    std::lock_guard lock(mu);
    if (conn.get() != from) return;  // A connection the caller gave up on.
    if (message.has_welcome())
      e2ee = std::make_shared<detail::E2eeSession>(message.welcome().session_id(),
                                                   message.welcome().participant_id());
    keys = e2ee;
  }
  switch (message.body_case()) {
    case v1::ServerMessage::kState:
      if (keys) keys_follow_state(from, keys, message.state());
      if (h.state) h.state(message.state());
      break;
    case v1::ServerMessage::kEvent:
      if (h.event) h.event(message.event());
      if (message.event().has_session_ended() && keys) keys->wipe();
      return;
    case v1::ServerMessage::kMedia:
    case v1::ServerMessage::kChat:
    case v1::ServerMessage::kSenderKey:
      if (keys) deliver_secure(h, *keys, message);
      return;
    case v1::ServerMessage::kRequestKeyFrame:
      if (h.key_frame_request) h.key_frame_request(KeyFrameReason::asked);
      return;
    default:
      break;
  }

  std::unique_lock lock(mu);
  switch (message.body_case()) {
    case v1::ServerMessage::kWelcome:
      welcome = std::move(*message.mutable_welcome());
      have_welcome = true;
      resume_credential = welcome.resume_credential();
      reconnect_policy.welcomed(!resume_credential.empty());
      break;
    case v1::ServerMessage::kState:
      state = std::move(*message.mutable_state());
      have_state = true;
      break;
    case v1::ServerMessage::kResult: {
      // A blocking caller picks its result up; a callback runs unlocked. A
      // result nobody waits for any more (its caller timed out) is dropped.
      ResultHandler done;
      auto it = pending.find(message.result().request_id());
      if (it != pending.end()) {
        if (it->second.waited) {
          it->second.result = message.result();
        } else {
          done = std::move(it->second.done);
          pending.erase(it);
        }
      }
      lock.unlock();
      cv.notify_all();
      if (done) done(message.result());
      return;
    }
    default:
      return;
  }
  if (stage == Stage::connecting && have_welcome && have_state) stage = Stage::open;
  lock.unlock();
  cv.notify_all();
}

void Client::Impl::keys_follow_state(Connection* from, const std::shared_ptr<detail::E2eeSession>& keys,
                                     const v1::SessionState& s) {
  std::shared_ptr<Connection> connection;
  bool announce = false;
  {
    std::lock_guard lock(mu);
    connection = conn;
    announce = !announce_sent;
    announce_sent = true;
  }
  v1::ErrorCode why{};
  if (announce) {
    // The server took the keys: the connection is up (on_connection(open)
    // runs before connect() sees the answer). A reconnect the server takes
    // no keys from is given up.
    const auto answered = [this, weak = from->weak_from_this()](const v1::CommandResult& result) {
      const auto held = weak.lock();
      bool up = false;
      bool refused = false;
      {
        std::lock_guard lock(mu);
        if (!held || conn != held) return;
        if (result.code() == v1::ERROR_CODE_OK && !close_wanted &&
            (stage == Stage::open || stage == Stage::reconnecting)) {
          opened_conn = held.get();
          if (stage == Stage::reconnecting) stage = Stage::open;
          reconnect_policy.reconnected();
          up = true;
        } else if (stage == Stage::reconnecting && result.code() != v1::ERROR_CODE_OK &&
                   result.code() != kErrorConnectionClosed) {
          refused = true;
        }
      }
      if (up) {
        attempt_timer.cancel();
        cv.notify_all();
        pause_video_again(held);
        notify(held->handlers(), ConnectionState::open, nullptr);
      } else if (refused) {
        CloseInfo info;
        info.reason = "the server did not take this connection's end-to-end keys: " + sdk::describe(result);
        info.by_server = true;
        give_up(std::move(info));
        return;
      }
      {
        std::lock_guard lock(mu);
        if (up) came_up = true;
        announce_result = result;
      }
      cv.notify_all();
    };
    if (auto command = keys->announcement(s)) {
      v1::ClientMessage message;
      *message.mutable_command() = std::move(*command);
      submit(connection, message, false, answered, why);
    } else {
      answered(local_error(0, kErrorKeysNotReady, "the roster does not list this member"));
    }
  }

  auto change = keys->on_state(s, steady_ms());
  if (change.upload) {
    const std::uint64_t epoch = change.upload->epoch();
    v1::ClientMessage message;
    *message.mutable_sender_keys() = std::move(*change.upload);
    // A refusal (the epoch moved on meanwhile) needs nothing: the next
    // state brings the next epoch and a fresh upload.
    submit(connection, message, false,
           [this, weak = std::weak_ptr(keys), from = from->weak_from_this(), epoch](const v1::CommandResult& result) {
             if (result.code() != v1::ERROR_CODE_OK) return;
             if (auto held = weak.lock()) held->upload_accepted(epoch);
             cv.notify_all();
             const auto connection = from.lock();
             if (connection && connection->handlers().key_frame_request)
               connection->handlers().key_frame_request(KeyFrameReason::new_keys);
           },
           why);
  }
  const Handlers& h = from->handlers();
  if (h.security)
    for (const auto& notice : change.notices) h.security(notice);
  schedule_expiry(keys);
  cv.notify_all();
}

void Client::Impl::deliver_secure(const Handlers& h, detail::E2eeSession& keys, v1::ServerMessage& message) {
  if (message.has_media()) {
    const v1::MediaFrame& frame = message.media();
    auto opened = keys.open_media(frame);
    if (!opened) return;
    if (frame.track() == v1::MEDIA_TRACK_CAMERA) {
      // It opened, so its header is the sender's.
      const auto flags = e2ee::read_media_header(frame.payload(), frame.track())->flags;
      auto chunk = chunk_of_camera_plaintext(*opened, flags.key_frame, flags.temporal_layer);
      if (chunk && h.video) h.video(frame.sender_id(), *chunk);
      return;
    }
    message.mutable_media()->set_payload(std::move(*opened));
    if (h.media) h.media(message.media());
  } else if (message.has_chat()) {
    auto opened = keys.open_chat(message.chat());
    if (auto* chat = std::get_if<ChatMessage>(&opened)) {
      if (h.chat) h.chat(*chat);
    } else if (h.security) {
      h.security(std::get<SecurityNotice>(opened));
    }
  } else if (message.has_sender_key()) {
    if (auto notice = keys.on_sender_key(message.sender_key()); notice && h.security) h.security(*notice);
    cv.notify_all();  // wait_keys_ready() may be satisfied now.
  }
}

void Client::Impl::schedule_expiry(const std::shared_ptr<detail::E2eeSession>& keys) {
  if (!keys) return;
  const auto when = keys->next_expiry();
  if (!when) return;
  expiry_timer.expires_at(Clock::time_point(std::chrono::milliseconds(*when)));
  expiry_timer.async_wait([this, weak = std::weak_ptr(keys)](const beast::error_code& ec) {
    if (ec) return;
    if (auto held = weak.lock()) {
      held->expire(steady_ms());
      schedule_expiry(held);
    }
  });
}

std::uint64_t Client::Impl::submit(const std::shared_ptr<Connection>& connection, v1::ClientMessage& message,
                                   bool waited, ResultHandler done, v1::ErrorCode& why) {
  std::uint64_t id = 0;
  {
    std::lock_guard lock(mu);
    id = next_request_id++;
    auto& entry = pending[id];
    entry.waited = waited;
    entry.done = std::move(done);
  }
  message.set_request_id(id);
  why = kErrorConnectionClosed;
  if (connection && connection->enqueue(message.SerializeAsString(), &why)) return id;
  ResultHandler callback;
  {
    std::lock_guard lock(mu);
    auto it = pending.find(id);
    if (it != pending.end()) {
      callback = std::move(it->second.done);
      pending.erase(it);
    }
  }
  if (callback)
    callback(local_error(id, why, why == kErrorQueueFull ? "too many frames waiting to be written"
                                                          : "the connection is closing"));
  return 0;
}

v1::CommandResult Client::Impl::await(std::uint64_t id, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu);
  cv.wait_until(lock, Clock::now() + timeout, [&] {
    auto it = pending.find(id);
    return it == pending.end() || it->second.result.has_value();
  });
  auto it = pending.find(id);
  v1::CommandResult result;
  if (it != pending.end() && it->second.result) {
    result = std::move(*it->second.result);
  } else {
    result = local_error(id, kErrorTimeout, "no result within " + millis(timeout));
  }
  if (it != pending.end()) pending.erase(it);
  return result;
}

v1::CommandResult Client::Impl::not_open_locked() const {
  if (stage == Stage::reconnecting)
    return local_error(0, kErrorNotConnected,
                       "not connected: reconnecting" + (close_info ? " (" + close_info->reason + ")" : std::string()));
  std::string why = close_info ? "connection closed: " + close_info->reason : "not connected";
  return local_error(0, close_info ? kErrorConnectionClosed : kErrorNotConnected, std::move(why));
}

v1::CommandResult Client::Impl::round_trip(v1::ClientMessage& message, std::chrono::milliseconds timeout) {
  std::shared_ptr<Connection> connection;
  {
    std::lock_guard lock(mu);
    if (stage != Stage::open) return not_open_locked();
    connection = conn;
  }
  v1::ErrorCode why{};
  const std::uint64_t id = submit(connection, message, true, {}, why);
  if (id == 0)
    return local_error(0, why, why == kErrorQueueFull ? "too many frames waiting to be written"
                                                       : "the connection is closing");
  return await(id, timeout);
}

void Client::Impl::notify(const Handlers& h, ConnectionState state, const CloseInfo* info) {
  if (!h.connection) return;
  try {
    h.connection(state, info);
  } catch (...) {
    // The application's fault; the client goes on.
  }
}

void Client::Impl::post_notify(ConnectionState state, std::optional<CloseInfo> info) {
  std::shared_ptr<const Handlers> h;
  {
    std::lock_guard lock(mu);
    h = session_handlers;
  }
  if (!h->connection) return;
  net::post(ioc, [h, state, info = std::move(info)] { notify(*h, state, info ? &*info : nullptr); });
}

std::vector<std::pair<Client::ResultHandler, v1::CommandResult>> Client::Impl::end_pending_locked(const std::string& reason) {
  // Keys live as long as the connection they were made for.
  if (e2ee) e2ee->wipe();
  e2ee.reset();
  std::vector<std::pair<ResultHandler, v1::CommandResult>> callbacks;
  for (auto it = pending.begin(); it != pending.end();) {
    auto result = local_error(it->first, kErrorConnectionClosed, "connection closed: " + reason);
    if (it->second.waited) {
      // A result that arrived before the close stands.
      if (!it->second.result) it->second.result = std::move(result);
      ++it;
    } else {
      if (it->second.done) callbacks.emplace_back(std::move(it->second.done), std::move(result));
      it = pending.erase(it);
    }
  }
  return callbacks;
}

void Client::Impl::run_callbacks(std::vector<std::pair<ResultHandler, v1::CommandResult>>& callbacks) {
  for (auto& [done, result] : callbacks) done(result);
}

void Client::Impl::connect_failed(Connection* from, Status status) {
  std::shared_ptr<Connection> attempt_conn;
  std::optional<detail::ReconnectPolicy::Attempt> next;
  {
    std::lock_guard lock(mu);
    if (conn.get() != from) return;
    if (stage == Stage::reconnecting) {
      attempt_conn = conn;
      next = reconnect_policy.failed(std::chrono::steady_clock::now(), status.http_status);
      // A refused resume is not the end: the token may still open the session.
      if (next && next->credential == detail::ReconnectPolicy::Credential::token) resume_credential.clear();
    } else {
      if (stage != Stage::connecting) return;
      connect_failure = std::move(status);
      stage = Stage::closed;
    }
  }
  if (!attempt_conn) {
    cv.notify_all();
    notify(from->handlers(), ConnectionState::closed, nullptr);
    return;
  }
  if (next) {
    attempt_failed(attempt_conn, *next);
    return;
  }
  CloseInfo info;
  info.reason = status.message.empty() ? status.describe() : status.message;
  info.by_server = true;
  info.refused = std::move(status);
  give_up(std::move(info));
}

void Client::Impl::connection_ended(Connection* from, const CloseInfo& info, bool network) {
  Stage was = Stage::idle;
  {
    std::unique_lock lock(mu);
    if (conn.get() != from) return;
    was = stage;
    const bool up = stage == Stage::open && opened_conn == from;
    if (network && options.reconnect && !close_wanted && (up || stage == Stage::reconnecting)) {
      // The network's doing: make the connection again.
      const auto now = std::chrono::steady_clock::now();
      std::optional<detail::ReconnectPolicy::Attempt> next;
      if (up) {
        close_info = info;
        stage = Stage::reconnecting;
        opened_conn = nullptr;
        next = reconnect_policy.dropped(now);
      } else {
        next = reconnect_policy.failed(now, 0);  // An attempt that came up dropped before its keys were taken.
      }
      conn.reset();
      auto callbacks = end_pending_locked(info.reason);
      lock.unlock();
      cv.notify_all();
      run_callbacks(callbacks);
      if (up) {
        notify(from->handlers(), ConnectionState::reconnecting, &info);
      } else {
        attempt_timer.cancel();
      }
      schedule_retry(*next);
      return;
    }
  }
  // As with messages, the callbacks run before waiters see the close.
  const bool was_open = was == Stage::open || was == Stage::reconnecting;
  if (was_open && from->handlers().closed) {
    try {
      from->handlers().closed(info);
    } catch (...) {
      // Nothing to drop any more; the close goes on.
    }
  }
  notify(from->handlers(), ConnectionState::closed, was_open ? &info : nullptr);
  if (was == Stage::reconnecting) {
    retry_timer.cancel();
    attempt_timer.cancel();
  }

  std::vector<std::pair<ResultHandler, v1::CommandResult>> callbacks;
  {
    std::lock_guard lock(mu);
    if (conn.get() != from) return;
    if (stage == Stage::connecting) {
      connect_failure = Status::failure("closed", "the server closed the connection before the session state "
                                                  "arrived: " + info.reason);
    }
    stage = Stage::closed;
    opened_conn = nullptr;
    close_info = info;
    callbacks = end_pending_locked(info.reason);
  }
  cv.notify_all();
  run_callbacks(callbacks);
}

void Client::Impl::schedule_retry(detail::ReconnectPolicy::Attempt next) {
  {
    std::lock_guard lock(mu);
    if (stage != Stage::reconnecting || close_wanted) return;
    next_credential = next.credential;
  }
  retry_timer.expires_at(next.at);
  retry_timer.async_wait([this](const beast::error_code& ec) {
    if (!ec) start_attempt();
  });
}

void Client::Impl::start_attempt() {
  std::shared_ptr<Connection> connection;
  {
    std::lock_guard lock(mu);
    if (stage != Stage::reconnecting || close_wanted || conn) return;
    // Like connect(): the state and Welcome stay visible until the new ones arrive.
    have_welcome = false;
    e2ee.reset();
    announce_sent = false;
    announce_result.reset();
    const bool resumes = next_credential == detail::ReconnectPolicy::Credential::resume && !resume_credential.empty();
    Credential credential = resumes ? Credential{resume_credential, true} : Credential{target_token, false};
    connection = std::make_shared<Connection>(*this, target_url, std::move(credential), *session_handlers, target_tls);
    conn = connection;
  }
  // Welcome, the first state and the keys' answer, within connect_timeout.
  attempt_timer.expires_after(options.connect_timeout);
  attempt_timer.async_wait([this, weak = std::weak_ptr(connection)](const beast::error_code& ec) {
    if (ec) return;
    if (auto held = weak.lock()) attempt_failed(held);
  });
  Connection::start(connection);
}

void Client::Impl::attempt_failed(const std::shared_ptr<Connection>& attempt_conn,
                                  std::optional<detail::ReconnectPolicy::Attempt> next) {
  std::vector<std::pair<ResultHandler, v1::CommandResult>> callbacks;
  {
    std::lock_guard lock(mu);
    if (conn != attempt_conn || stage != Stage::reconnecting) return;
    conn.reset();
    callbacks = end_pending_locked("the reconnect attempt failed");
    // Out of time, or not connected: no answer from the server.
    if (!next) next = reconnect_policy.failed(std::chrono::steady_clock::now(), 0);
  }
  attempt_timer.cancel();
  attempt_conn->abort();
  cv.notify_all();
  run_callbacks(callbacks);
  schedule_retry(*next);
}

void Client::Impl::give_up(CloseInfo info) {
  std::shared_ptr<Connection> attempt_conn;
  std::shared_ptr<const Handlers> h;
  {
    std::lock_guard lock(mu);
    if (stage != Stage::reconnecting) return;
    attempt_conn = conn;
    h = session_handlers;
  }
  retry_timer.cancel();
  attempt_timer.cancel();
  if (attempt_conn) attempt_conn->abort();
  // As for any close: the callbacks first. Only this thread leaves the
  // reconnecting stage, so it is still reconnecting afterwards.
  if (h->closed) {
    try {
      h->closed(info);
    } catch (...) {
    }
  }
  notify(*h, ConnectionState::closed, &info);
  std::vector<std::pair<ResultHandler, v1::CommandResult>> callbacks;
  {
    std::lock_guard lock(mu);
    if (stage != Stage::reconnecting) return;
    stage = Stage::closed;
    conn.reset();
    opened_conn = nullptr;
    close_info = info;
    callbacks = end_pending_locked(info.reason);
  }
  cv.notify_all();
  run_callbacks(callbacks);
}

// --- Client: the callers' side ----------------------------------------------

Client::Client(ClientOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  impl_->thread = std::thread([impl = impl_.get()] {
    for (;;) {
      try {
        impl->ioc.run();
        return;
      } catch (...) {
        // A callback threw: keep the connection's thread alive.
      }
    }
  });
}

Client::~Client() {
  close();
  std::shared_ptr<Connection> last;
  {
    std::lock_guard lock(impl_->mu);
    last = impl_->conn;
  }
  if (last) last->abort();
  impl_->work.reset();
  impl_->ioc.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->conn.reset();
}

void Client::on_state(StateHandler handler) {
  std::lock_guard lock(impl_->mu);
  impl_->handlers.state = std::move(handler);
}

void Client::on_event(EventHandler handler) {
  std::lock_guard lock(impl_->mu);
  impl_->handlers.event = std::move(handler);
}

void Client::on_media(MediaHandler handler) {
  std::lock_guard lock(impl_->mu);
  impl_->handlers.media = std::move(handler);
}

void Client::on_video(VideoHandler handler) {
  std::lock_guard lock(impl_->mu);
  impl_->handlers.video = std::move(handler);
}

void Client::on_key_frame_request(KeyFrameRequestHandler handler) {
  std::lock_guard lock(impl_->mu);
  impl_->handlers.key_frame_request = std::move(handler);
}

void Client::on_chat(ChatHandler handler) {
  std::lock_guard lock(impl_->mu);
  impl_->handlers.chat = std::move(handler);
}

void Client::on_security(SecurityHandler handler) {
  std::lock_guard lock(impl_->mu);
  impl_->handlers.security = std::move(handler);
}

void Client::on_closed(ClosedHandler handler) {
  std::lock_guard lock(impl_->mu);
  impl_->handlers.closed = std::move(handler);
}

void Client::on_connection(ConnectionHandler handler) {
  std::lock_guard lock(impl_->mu);
  impl_->handlers.connection = std::move(handler);
}

Status Client::connect(const JoinTarget& target) { return connect(target.ws_url, target.token); }

Status Client::connect(const std::string& ws_url, const std::string& token) {
  if (impl_->on_io_thread())
    return Status::failure("invalid_argument", "connect() cannot be called from a client callback");
  Url url;
  try {
    url = parse_url(ws_url);
  } catch (const std::invalid_argument& e) {
    return Status::failure("invalid_argument", e.what());
  }
  if (url.scheme != "ws" && url.scheme != "wss")
    return Status::failure("invalid_argument", "a WebSocket URL must start with ws:// or wss://");
  std::shared_ptr<ssl::context> tls;
  if (url.secure()) {
    try {
      tls = impl_->client_tls();
    } catch (const std::exception& e) {
      return Status::failure("tls", e.what());
    }
  }

  std::shared_ptr<Connection> connection;
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->stage == Impl::Stage::connecting || impl_->stage == Impl::Stage::open)
      return Status::failure("busy", "this client is already connected");
    if (impl_->stage == Impl::Stage::reconnecting)
      return Status::failure("busy", "this client is reconnecting; close() it first");
    impl_->stage = Impl::Stage::connecting;
    impl_->close_wanted = false;
    impl_->opened_conn = nullptr;
    impl_->came_up = false;
    impl_->target_url = url;
    impl_->target_token = token;
    impl_->resume_credential.clear();
    impl_->reconnect_policy.welcomed(false);
    impl_->target_tls = tls;
    impl_->session_handlers = std::make_shared<const Handlers>(impl_->handlers);
    impl_->connect_failure.reset();
    impl_->close_info.reset();
    impl_->have_welcome = false;
    impl_->have_state = false;
    impl_->welcome.Clear();
    impl_->state.Clear();
    impl_->e2ee.reset();
    impl_->announce_sent = false;
    impl_->announce_result.reset();
    connection = std::make_shared<Connection>(*impl_, url, Credential{token, false}, *impl_->session_handlers, std::move(tls));
    impl_->conn = connection;
  }
  impl_->post_notify(ConnectionState::connecting, std::nullopt);
  Connection::start(connection);

  const auto deadline = Clock::now() + impl_->options.connect_timeout;
  std::unique_lock lock(impl_->mu);
  const bool settled = impl_->cv.wait_until(lock, deadline, [&] {
    return impl_->conn != connection || impl_->stage != Impl::Stage::connecting;
  });
  if (settled && impl_->conn == connection && impl_->stage == Impl::Stage::open) {
    // Open; the keys' announcement was sent with the first state.
    const bool answered = impl_->cv.wait_until(lock, deadline, [&] {
      return impl_->came_up || impl_->conn != connection || impl_->stage != Impl::Stage::open ||
             impl_->announce_result.has_value();
    });
    // Up (perhaps dropped since, and reconnecting).
    if (answered && impl_->came_up) return Status::success();
    if (answered && impl_->stage != Impl::Stage::open)
      return Status::failure("closed", "the connection closed while announcing end-to-end keys");
    const std::string why = impl_->announce_result ? sdk::describe(*impl_->announce_result)
                                                   : "no answer within " + millis(impl_->options.connect_timeout);
    lock.unlock();
    close();
    return Status::failure("e2ee", "the server did not take this connection's end-to-end keys: " + why);
  }
  if (settled) {
    // Refused, failed, or closed from another thread meanwhile.
    if (impl_->connect_failure) return *impl_->connect_failure;
    return Status::failure("closed", "the connection closed while connecting");
  }
  impl_->stage = Impl::Stage::closed;
  impl_->conn.reset();
  lock.unlock();
  connection->abort();
  impl_->post_notify(ConnectionState::closed, std::nullopt);
  return Status::failure("timeout", "no session state from " + ws_url + " within " +
                                        millis(impl_->options.connect_timeout));
}

v1::CommandResult Client::send(const v1::Command& command) {
  return send(command, impl_->options.command_timeout);
}

v1::CommandResult Client::send(const v1::Command& command, std::chrono::milliseconds timeout) {
  if (impl_->on_io_thread())
    return local_error(0, kErrorWrongThread, "send() cannot wait inside a client callback; use send_async()");
  v1::ClientMessage message;
  *message.mutable_command() = command;
  return impl_->round_trip(message, timeout);
}

std::uint64_t Client::send_async(const v1::Command& command, ResultHandler done) {
  std::shared_ptr<Connection> connection;
  {
    std::unique_lock lock(impl_->mu);
    if (impl_->stage != Impl::Stage::open) {
      auto why = impl_->not_open_locked();
      why.set_code(kErrorNotConnected);
      lock.unlock();
      if (done) done(why);
      return 0;
    }
    connection = impl_->conn;
  }
  v1::ClientMessage message;
  *message.mutable_command() = command;
  v1::ErrorCode why{};
  return impl_->submit(connection, message, false, std::move(done), why);
}

bool Client::send_media(std::uint32_t track, std::string payload) {
  if (track != v1::MEDIA_TRACK_MICROPHONE) return false;  // The camera's go through send_video().
  return impl_->send_sealed(track, payload, {});
}

bool Client::send_video(const VideoChunk& chunk) {
  return impl_->send_sealed(v1::MEDIA_TRACK_CAMERA, camera_plaintext(chunk), {chunk.key_frame, chunk.temporal_layer});
}

bool Client::request_key_frame(const std::string& sender_id) {
  std::shared_ptr<Connection> connection;
  {
    std::lock_guard lock(impl_->mu);
    if (impl_->stage != Impl::Stage::open) return false;
    connection = impl_->conn;
  }
  v1::ClientMessage message;
  message.mutable_request_key_frame()->set_sender_id(sender_id);
  return connection->enqueue(message.SerializeAsString());
}

v1::CommandResult Client::set_video_paused(bool paused) {
  if (impl_->on_io_thread()) return local_error(0, kErrorWrongThread, "set_video_paused() cannot wait inside a client callback");
  {
    std::lock_guard lock(impl_->mu);
    impl_->video_paused = paused;
  }
  v1::ClientMessage message;
  message.mutable_video_reception()->set_paused(paused);
  return impl_->round_trip(message, impl_->options.command_timeout);
}

bool Client::Impl::send_sealed(std::uint32_t track, std::string_view plaintext, e2ee::FrameFlags flags) {
  std::shared_ptr<Connection> connection;
  std::shared_ptr<detail::E2eeSession> keys;
  {
    std::lock_guard lock(mu);
    if (stage != Stage::open || !e2ee) return false;
    connection = conn;
    keys = e2ee;
  }
  auto sealed = keys->seal_media(track, plaintext, flags);
  if (!sealed) return false;
  v1::ClientMessage message;
  auto* media = message.mutable_media();
  media->set_track(track);
  media->set_payload(std::move(*sealed));
  // Video drops past an eighth of the bound, so that it never stands long in
  // front of the audio in this queue (which keeps no order of its own).
  const std::size_t bound = options.max_queued_bytes;
  return connection->enqueue_within(message.SerializeAsString(), track == v1::MEDIA_TRACK_CAMERA ? bound / 8 : bound);
}

// A new connection receives video: one that was paused says so again.
void Client::Impl::pause_video_again(const std::shared_ptr<Connection>& connection) {
  {
    std::lock_guard lock(mu);
    if (!video_paused) return;
  }
  v1::ClientMessage message;
  message.mutable_video_reception()->set_paused(true);
  v1::ErrorCode why{};
  submit(connection, message, false, nullptr, why);
}

v1::CommandResult Client::send_chat(const std::string& text, const std::string& recipient_id) {
  if (impl_->on_io_thread())
    return local_error(0, kErrorWrongThread, "send_chat() cannot wait inside a client callback");
  for (int attempt = 0;; ++attempt) {
    std::shared_ptr<detail::E2eeSession> keys;
    {
      std::lock_guard lock(impl_->mu);
      if (impl_->stage == Impl::Stage::reconnecting) return impl_->not_open_locked();
      keys = impl_->e2ee;
    }
    if (!keys) return local_error(0, kErrorNotConnected, "not connected");
    auto sealed = keys->seal_chat(text, recipient_id);
    if (!sealed.ok()) return not_sealed(sealed.error);
    const std::uint64_t epoch = sealed.value->epoch();
    v1::ClientMessage message;
    *message.mutable_chat() = std::move(*sealed.value);
    auto result = impl_->round_trip(message, impl_->options.command_timeout);
    if (result.code() != v1::ERROR_CODE_STALE_EPOCH || attempt > 0) return result;
    // The membership changed as it went: seal again once this client has
    // its key for the new epoch.
    std::unique_lock lock(impl_->mu);
    impl_->cv.wait_until(lock, Clock::now() + impl_->options.command_timeout, [&] {
      return impl_->e2ee != keys || keys->epoch() > epoch;
    });
  }
}

std::string Client::security_code() const {
  std::lock_guard lock(impl_->mu);
  return impl_->e2ee ? impl_->e2ee->security_code() : std::string();
}

bool Client::wait_keys_ready(std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mu);
  return impl_->cv.wait_until(lock, Clock::now() + timeout, [&] {
    return impl_->stage == Impl::Stage::open && impl_->e2ee && impl_->e2ee->ready();
  });
}

std::uint64_t Client::undecryptable_media_frames() const {
  std::lock_guard lock(impl_->mu);
  return impl_->e2ee ? impl_->e2ee->media_dropped() : 0;
}

v1::SessionState Client::state() const {
  std::lock_guard lock(impl_->mu);
  return impl_->state;
}

v1::Welcome Client::welcome() const {
  std::lock_guard lock(impl_->mu);
  return impl_->welcome;
}

std::string Client::participant_id() const {
  std::lock_guard lock(impl_->mu);
  return impl_->welcome.participant_id();
}

std::optional<CloseInfo> Client::close_info() const {
  std::lock_guard lock(impl_->mu);
  return impl_->close_info;
}

bool Client::connected() const {
  std::lock_guard lock(impl_->mu);
  return impl_->stage == Impl::Stage::open;
}

ConnectionState Client::connection_state() const {
  std::lock_guard lock(impl_->mu);
  switch (impl_->stage) {
    case Impl::Stage::connecting: return ConnectionState::connecting;
    case Impl::Stage::open:
      return impl_->opened_conn && impl_->opened_conn == impl_->conn.get() ? ConnectionState::open
                                                                           : ConnectionState::connecting;
    case Impl::Stage::reconnecting: return ConnectionState::reconnecting;
    default: return ConnectionState::closed;
  }
}

std::optional<v1::SessionState> Client::wait_for_state(
    const std::function<bool(const v1::SessionState&)>& predicate, std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mu);
  bool matched = false;
  impl_->cv.wait_until(lock, Clock::now() + timeout, [&] {
    matched = impl_->have_state && predicate(impl_->state);
    return matched || impl_->stage == Impl::Stage::closed || impl_->stage == Impl::Stage::idle;
  });
  if (matched) return impl_->state;
  return std::nullopt;
}

std::optional<v1::SessionState> Client::wait_for_version(std::uint64_t version,
                                                         std::chrono::milliseconds timeout) {
  return wait_for_state([version](const v1::SessionState& s) { return s.version() >= version; }, timeout);
}

bool Client::wait_closed(std::chrono::milliseconds timeout) {
  std::unique_lock lock(impl_->mu);
  return impl_->cv.wait_until(lock, Clock::now() + timeout, [&] {
    return impl_->stage == Impl::Stage::closed || impl_->stage == Impl::Stage::idle;
  });
}

void Client::close() {
  std::shared_ptr<Connection> connection;
  bool was_connecting = false;
  bool was_reconnecting = false;
  {
    std::lock_guard lock(impl_->mu);
    impl_->close_wanted = true;  // No reconnect from here on.
    if (impl_->stage == Impl::Stage::connecting) {
      // A connect() in progress on another thread: it will see the change.
      impl_->stage = Impl::Stage::closed;
      connection = std::move(impl_->conn);
      impl_->connect_failure = Status::failure("closed", "closed by client while connecting");
      was_connecting = true;
    } else if (impl_->stage == Impl::Stage::open) {
      connection = impl_->conn;
    } else if (impl_->stage == Impl::Stage::reconnecting) {
      was_reconnecting = true;
    }
  }
  impl_->cv.notify_all();
  if (was_reconnecting) {
    // Between attempts or in one: the I/O thread stops them and reports.
    CloseInfo info;
    info.reason = "closed by client";
    net::post(impl_->ioc, [impl = impl_.get(), info] { impl->give_up(info); });
    if (!impl_->on_io_thread()) wait_closed(impl_->options.close_timeout);
    return;
  }
  if (was_connecting) {
    // Nothing to say goodbye to.
    if (connection) connection->abort();
    impl_->post_notify(ConnectionState::closed, std::nullopt);
    return;
  }
  if (!connection) return;
  connection->request_close();
  if (impl_->on_io_thread()) return;  // Cannot wait here; the close proceeds.
  if (!wait_closed(impl_->options.close_timeout)) {
    connection->abort();
    wait_closed(std::chrono::milliseconds(1000));
  }
}

}  // namespace balint::sdk
