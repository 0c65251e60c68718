// A WebSocket client without manners, for hostile-input tests. It speaks
// Beast directly instead of going through the SDK, so it can send what no
// well-behaved client would (text frames, garbage, half messages, thousands
// of fragments, bytes that are not WebSocket at all) and report exactly how
// the server answered or hung up. Every wait is bounded.
#pragma once

#include "harness.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace balint::test {

// How a connection ended, as the client saw it.
struct Ending {
  enum class Kind {
    open,             // It has not ended (yet, or within the wait).
    websocket_close,  // A close frame came: see close_code and close_reason.
    eof,              // The server dropped TCP without a close frame.
    reset,            // The server reset the connection.
    timeout,          // Nothing ended it within the wait.
    error,            // Something else; see `error`.
  };
  Kind kind = Kind::open;
  std::uint16_t close_code = 0;
  std::string close_reason;
  bool saw_goodbye = false;  // A Goodbye arrived before the end.
  std::string goodbye;       // Its message.
  balint::v1::GoodbyeReason goodbye_reason = balint::v1::GOODBYE_REASON_UNSPECIFIED;
  std::string error;         // What the socket reported, for the other kinds.

  std::string describe() const;
};

// What the server answered to an upgrade request.
struct UpgradeAnswer {
  bool upgraded = false;
  int status = 0;      // The HTTP status (101 when upgraded, 0 without an answer).
  std::string body;    // A refusal's body.
  std::string error;   // Why there was no answer at all.
};

// Where a join token travels in the upgrade request.
enum class TokenPlace { query, header };

// A client frame as the wire carries it: `first_byte` holds FIN, the RSV
// bits and the opcode; the mask bit is set with an all-zero key, so the
// payload goes as written.
std::string client_frame(unsigned char first_byte, std::string_view payload);

class RawClient {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;

  explicit RawClient(std::uint16_t port);
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  // Connects to 127.0.0.1:<port> and asks for a WebSocket at `target`
  // with these extra request headers.
  UpgradeAnswer upgrade(const std::string& target, const Headers& headers = {});
  // The same at /ws with a join token.
  UpgradeAnswer upgrade_with_token(const std::string& token, TokenPlace place = TokenPlace::header);
  // Upgrades with the token and reads Welcome and the first state; false
  // (with the reason in `last_error()`) if any of it does not happen.
  bool join(const std::string& token, TokenPlace place = TokenPlace::header);

  // One complete message in one frame.
  bool send_binary(std::string_view bytes);
  bool send_text(std::string_view bytes);
  // One frame of a message: the first call of a message sets its kind,
  // later ones are continuations, `fin` ends it.
  bool send_fragment(std::string_view bytes, bool fin, bool binary = true);
  // Serialized protocol messages, each in one binary frame.
  bool send(const v1::ClientMessage& message);
  bool send_command(std::uint64_t request_id, const v1::Command& command);
  bool send_media(std::uint32_t track, std::string payload);
  // Bytes straight onto the TCP connection under the WebSocket, e.g. frames
  // the WebSocket layer would refuse to build. A failed write leaves the
  // WebSocket able to read what the server sent before it hung up.
  bool write_raw(std::string_view bytes);
  // One client frame built here rather than by Beast and written raw (see
  // `client_frame`): for frames the server may stop reading halfway.
  bool write_frame_raw(unsigned char first_byte, std::string_view payload);

  // Whether bytes from the server wait unread (or the socket failed): a
  // flood can stop as soon as the server has answered it.
  bool server_has_spoken();

  // The next message from the server; empty when the connection ended (see
  // `ending()`), the wait ran out, or the bytes were not a ServerMessage.
  std::optional<v1::ServerMessage> read(std::chrono::milliseconds timeout = kWait);
  // Reads (keeping the latest state) until the result for `request_id`.
  std::optional<v1::CommandResult> wait_result(std::uint64_t request_id, std::chrono::milliseconds timeout = kWait);
  // Reads until a media frame arrives.
  std::optional<v1::MediaFrame> wait_media(std::chrono::milliseconds timeout = kWait);
  // Reads and discards until the connection ends, then says how.
  const Ending& wait_end(std::chrono::milliseconds timeout = kWait);

  const v1::Welcome& welcome() const { return welcome_; }
  const v1::SessionState& state() const { return state_; }  // The latest received.
  const Ending& ending() const { return ending_; }
  const std::string& last_error() const { return last_error_; }

 private:
  using Stream = boost::beast::websocket::stream<boost::beast::tcp_stream>;

  bool connect();
  // Runs the io_context until the operation started by `start` completes;
  // the stream's own timer bounds it.
  template <class Start>
  boost::system::error_code run(std::chrono::milliseconds timeout, Start start);
  bool write_frame(std::string_view bytes, bool fin);
  void note(const v1::ServerMessage& message);
  void ended_by(const boost::system::error_code& ec);

  std::uint16_t port_;
  boost::asio::io_context ioc_;
  Stream ws_;
  boost::beast::flat_buffer buffer_;
  bool connected_ = false;
  bool in_message_ = false;  // Fragments of a message have gone out, not its last.
  v1::Welcome welcome_;
  v1::SessionState state_;
  Ending ending_;
  std::string last_error_;
};

}  // namespace balint::test
