// A blocking, thread-safe client for one Balint Room session connection.
//
// The client owns an io_context running on a thread of its own. Every public
// method may be called from any thread and returns within its timeout; the
// callbacks run on the client's I/O thread, in the order the server sent the
// messages.
//
//   balint::sdk::Client client;
//   client.on_state([](const balint::v1::SessionState& s) { draw(s); });
//   auto target = balint::sdk::parse_join_link(link);
//   if (auto st = client.connect(target); !st) { std::cerr << st.describe(); }
//   auto result = client.send(balint::sdk::cmd::next_phase());
//
// When the network drops an open connection, the client makes it again by
// itself (ClientOptions::reconnect); on_connection() reports it.
#pragma once

#include "balint/sdk/join_link.hpp"
#include "balint/sdk/status.hpp"
#include "balint/sdk/video.hpp"
#include "balint/v1/balint.pb.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace balint::sdk {

namespace v1 = ::balint::v1;

// How the client behaves; the defaults suit people and tests alike.
struct ClientOptions {
  // Longest time connect() waits for TCP, the handshake, Welcome and the
  // first state together.
  std::chrono::milliseconds connect_timeout{5000};
  // Default time send() waits for a command's result.
  std::chrono::milliseconds command_timeout{5000};
  // Longest time close() waits for the server to acknowledge the close.
  std::chrono::milliseconds close_timeout{2000};
  // Largest message accepted from the server.
  std::size_t max_message_bytes = 4 * 1024 * 1024;
  // Bytes of outgoing frames that may wait to be written; past it,
  // send_media() drops frames and send() fails with kErrorQueueFull;
  // send_video() drops past an eighth of it.
  std::size_t max_queued_bytes = 4 * 1024 * 1024;
  // Send the token in the URL query (`?token=`) instead of an
  // `Authorization: Bearer` header. The header keeps it out of access logs.
  bool token_in_query = false;
  // Sent as the User-Agent of the handshake.
  std::string user_agent = "balint-sdk-cpp/0.1";
  // For wss:// URLs: a PEM file of certificates to trust besides the
  // system's trust store, such as a private CA or a server's self-signed
  // certificate. The server's certificate is always checked, and must name
  // the URL's host. Empty: the system's trust store alone.
  std::string ca_file;
  // Make a connection that the network dropped, or that a restarting server
  // closed, again by itself: to the same URL, presenting the resume
  // credential of the last Welcome (so an expired join token does not
  // matter; if the server refuses the credential, the token is tried), with
  // fresh end-to-end keys and the current state, as connect() does. Attempts
  // follow after these delays (the last one repeats), each multiplied by a
  // random factor in [0.75, 1.25] so that a room full of clients does not
  // come back in one burst. Empty: the defaults. Any other Goodbye from the
  // server is final, and so is a token the server refuses (HTTP 400, 401,
  // 403, 404, 409, 410 on the upgrade).
  bool reconnect = true;
  std::vector<std::chrono::milliseconds> reconnect_delays{
      std::chrono::milliseconds(500),  std::chrono::milliseconds(1000), std::chrono::milliseconds(2000),
      std::chrono::milliseconds(4000), std::chrono::milliseconds(8000), std::chrono::milliseconds(10000)};
};

// Where the client's connection stands; see Client::on_connection().
enum class ConnectionState {
  connecting,    // connect() is making the first connection.
  open,          // Connected, and the server holds this connection's keys.
  reconnecting,  // The network dropped an open connection, or the server is restarting; the client is making it again.
  closed,        // For good: close(), a Goodbye, a failed connect(), reconnect off, or a refusal.
};

// Why a connection that was open ended.
struct CloseInfo {
  // The server's Goodbye message if it sent one, else the reason in its
  // close frame, else the network error, else "closed by client".
  std::string reason;
  bool by_server = false;  // The server (or the network) ended it.
  // Why the server said Goodbye, if it did. GOODBYE_REASON_RESTARTING is a
  // drop, not an end: the client reconnects, resuming once the server is back.
  std::optional<v1::GoodbyeReason> goodbye;
  // Set when reconnecting ended because the server refused the new
  // connection: its HTTP status, error code and message (`reason` holds
  // the message too).
  std::optional<Status> refused;
};

// A chat message that opened: end-to-end encrypted by its sender, checked
// against the sender's signature, never seen in clear by the server.
struct ChatMessage {
  std::string sender_id;
  std::string recipient_id;  // This member for a direct message; empty when sent to the whole session.
  std::string text;
  std::uint64_t epoch = 0;   // The key epoch it was sealed in.
};

// What the end-to-end encryption reports to the application.
struct SecurityNotice {
  enum class Kind {
    code_changed,          // The membership changed: people should compare the new code.
    rejected,              // A chat message or sender key did not open; `detail` says why.
    invalid_announcement,  // A member's announced keys do not verify; they are left out.
  };
  Kind kind = Kind::code_changed;
  std::string participant_id;  // Whom it concerns; empty for code_changed.
  std::string detail;          // For people.
  std::string security_code;   // The code as it stands now.
};

// Why a key frame of this member's camera is wanted.
enum class KeyFrameReason {
  asked,     // The server asks: a receiver joined, resumed or lost frames.
  new_keys,  // The server took this member's keys of a new epoch: whoever just
             // got them cannot decode the frames before.
};

class Client {
 public:
  using StateHandler = std::function<void(const v1::SessionState&)>;
  using EventHandler = std::function<void(const v1::Event&)>;
  using MediaHandler = std::function<void(const v1::MediaFrame&)>;
  using VideoHandler = std::function<void(const std::string& sender_id, const VideoChunk&)>;
  using KeyFrameRequestHandler = std::function<void(KeyFrameReason)>;
  using ClosedHandler = std::function<void(const CloseInfo&)>;
  using ResultHandler = std::function<void(const v1::CommandResult&)>;
  using ChatHandler = std::function<void(const ChatMessage&)>;
  using SecurityHandler = std::function<void(const SecurityNotice&)>;
  using ConnectionHandler = std::function<void(ConnectionState, const CloseInfo*)>;

  explicit Client(ClientOptions options = {});
  ~Client();  // Closes the connection (bounded by close_timeout) and joins.

  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Callbacks. Set them before connect(); they run on the I/O thread and must
  // not call the blocking methods (send, connect, close, wait_*) of this
  // client: use send_async() there instead. A callback runs before the
  // message becomes visible to the other methods: once wait_for_version(v)
  // or send() returns, the callbacks for everything the server sent before
  // have finished (inside on_state, state() still shows the previous state).
  void on_state(StateHandler handler);
  void on_event(EventHandler handler);
  // Microphone frames arrive opened: `payload` is what the sender passed to
  // send_media(). Frames that do not open (no key yet, tampered, replayed)
  // are dropped and counted in undecryptable_media_frames().
  void on_media(MediaHandler handler);
  // Camera chunks arrive opened, as the sender passed them to send_video().
  // After a gap (frames that did not open, a resume), the first is a key
  // frame: the server sends none that the receiver could not decode.
  void on_video(VideoHandler handler);
  // Someone needs a key frame of this member's camera to decode it: send
  // one soon. KeyFrameReason says who (the server asks at most every 500 ms).
  void on_key_frame_request(KeyFrameRequestHandler handler);
  void on_chat(ChatHandler handler);
  void on_security(SecurityHandler handler);
  // The client is closed for good after it was open: a Goodbye, close(),
  // a drop with reconnect off, a drop that is not the network's (a protocol
  // error, a callback that threw), or reconnecting given up (a refusal, or
  // close() meanwhile). Not for a connect() that failed, nor for a drop the
  // client reconnects after (see on_connection).
  void on_closed(ClosedHandler handler);
  // Every change of the connection's state, on the I/O thread:
  //  - connecting: connect() started (info null);
  //  - open: connect() or a reconnect succeeded: Welcome, the first state,
  //    and the server took this connection's keys (info null). connect()
  //    returns after it ran;
  //  - reconnecting: the network dropped an open connection, or the server
  //    said it is restarting (`info` says how); attempts follow after
  //    reconnect_delays. Meanwhile send() and
  //    send_chat() answer kErrorNotConnected at once, send_media() returns
  //    false, connected() is false; wait_for_state()/wait_for_version()
  //    and wait_keys_ready() go on waiting, for the new connection;
  //  - closed: for good. `info` is how it ended (as for on_closed, which
  //    runs just before), null when a connect() failed (it returns why).
  // For open and reconnecting, the other methods already show the new state
  // (send_async() works inside on_connection(open)). Exceptions thrown by
  // this callback are ignored.
  void on_connection(ConnectionHandler handler);

  // Opens the WebSocket (ws://, or wss:// over TLS) and returns once Welcome
  // and the first SessionState have arrived and the server has taken this
  // connection's end-to-end keys (made afresh for every connection), or
  // with the reason it could
  // not: the HTTP status and the server's error code and message when the
  // handshake was refused; code "tls" with the host and OpenSSL's reason
  // when the TLS handshake failed (e.g. the certificate is not trusted). A
  // client can connect again after it closed (not while it reconnects).
  Status connect(const std::string& ws_url, const std::string& token);
  Status connect(const JoinTarget& target);

  // Sends a command and waits for its result. Never hangs: without an answer
  // the result carries kErrorTimeout, kErrorConnectionClosed or
  // kErrorNotConnected and a message. When the result arrives, the state
  // that reflects it has already been delivered (state() shows it).
  v1::CommandResult send(const v1::Command& command);
  v1::CommandResult send(const v1::Command& command, std::chrono::milliseconds timeout);

  // Sends a command without waiting; `done` runs on the I/O thread with the
  // result (or a client-side error, see send()). Returns the request id, 0 if
  // the command could not be queued (then `done` has already run).
  std::uint64_t send_async(const v1::Command& command, ResultHandler done);

  // Seals one microphone frame under this member's media key and queues
  // it. False when not connected, before the first key epoch, when the
  // queue is full, or for a track other than the microphone. The server
  // forwards it only if this member may speak now.
  bool send_media(std::uint32_t track, std::string payload);
  // Seals one camera chunk and queues it, as send_media(). The server
  // forwards it while this member may send video (the state's
  // may_send_video: camera on, not stopped, not the presenter kept back).
  bool send_video(const VideoChunk& chunk);
  // Asks the server for a key frame of `sender_id`'s camera (this client
  // cannot decode it: frames lost, or its decoder failed). Not answered.
  bool request_key_frame(const std::string& sender_id);
  // Audio only (paused) or video too: the server forwards this connection
  // no camera frames while paused. Kept across reconnects.
  v1::CommandResult set_video_paused(bool paused);

  // Seals a chat message (at most 4000 bytes of UTF-8) to the whole session
  // or, with a recipient, to that member alone, and waits for the server's
  // answer: PHASE_FORBIDS when the phase does not let this member chat (the
  // presenter during the observation), UNKNOWN_PARTICIPANT for a recipient
  // not connected. A message sealed just as the membership changed is
  // sealed again under the new keys once.
  v1::CommandResult send_chat(const std::string& text, const std::string& recipient_id = {});

  // About 40 digits in groups of five, from everyone's keys; the same on
  // every screen for the same membership. Empty before the first epoch.
  std::string security_code() const;
  // Waits until this epoch's keys are complete: the server took this
  // member's sender key and every other member's has arrived. False on
  // timeout or close.
  bool wait_keys_ready(std::chrono::milliseconds timeout);
  std::uint64_t undecryptable_media_frames() const;

  // The latest state, Welcome and closing reason. Empty values before the
  // first connect.
  v1::SessionState state() const;
  v1::Welcome welcome() const;
  std::string participant_id() const;
  // How the last open connection ended (also while reconnecting).
  std::optional<CloseInfo> close_info() const;
  bool connected() const;  // Open now; false while reconnecting.
  ConnectionState connection_state() const;  // closed before the first connect().

  // Waits until the latest state satisfies `predicate` and returns it; empty
  // on timeout or when the connection closes first.
  std::optional<v1::SessionState> wait_for_state(
      const std::function<bool(const v1::SessionState&)>& predicate,
      std::chrono::milliseconds timeout);
  // Waits for a state with at least this version.
  std::optional<v1::SessionState> wait_for_version(std::uint64_t version,
                                                   std::chrono::milliseconds timeout);
  // Waits until the connection has closed; false on timeout.
  bool wait_closed(std::chrono::milliseconds timeout);

  // Sends a WebSocket close after the queued frames, waits for the server to
  // answer (bounded by close_timeout), then drops the socket. While
  // reconnecting, it stops the attempts at once. Idempotent.
  void close();

 private:
  struct Impl;
  class Connection;
  std::unique_ptr<Impl> impl_;
};

}  // namespace balint::sdk
