// The WebSocket wire format (RFC 6455), as a server speaks it: the upgrade's
// accept key, frames built once and shared by every connection they go to,
// and a reader that turns a client's bytes into messages and control frames.
//
// Pure: no sockets, no clocks. The connection (ws_connection.cpp) feeds the
// reader whatever the socket gave it and queues the frames built here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace balint::net::ws {

// Close codes the server sends (RFC 6455 section 7.4.1).
namespace close_code {
constexpr std::uint16_t normal = 1000;
constexpr std::uint16_t going_away = 1001;
constexpr std::uint16_t protocol_error = 1002;
constexpr std::uint16_t invalid_payload = 1007;
constexpr std::uint16_t policy_error = 1008;
constexpr std::uint16_t too_big = 1009;
}  // namespace close_code

// Why a connection closes: the code and a short text for the other side.
struct CloseReason {
  std::uint16_t code = close_code::normal;
  std::string text;
};

// The Sec-WebSocket-Accept value for a client's Sec-WebSocket-Key.
std::string accept_key(std::string_view client_key);

// True if `client_key` is what RFC 6455 section 4.1 asks for: 16 bytes in
// base64 (22 characters of the alphabet, then "==").
bool valid_client_key(std::string_view client_key);

// The most frames one message may come in: a real client sends a few, and
// each frame costs a header's work, so a flood of empty fragments is ended.
constexpr std::size_t kMaxFragments = 4096;

// A complete server-to-client frame, header and payload, immutable once
// built: a broadcast builds it once and every connection queues the same one.
using SharedFrame = std::shared_ptr<const std::string>;

// The bytes a frame header takes for a payload of `size` bytes.
constexpr std::size_t header_size(std::size_t size) { return size < 126 ? 2 : size <= 0xFFFF ? 4 : 10; }

// A binary frame of `size` bytes whose payload `fill(char*)` writes, so that
// a message is serialized straight into the frame that carries it.
template <class Fill>
SharedFrame binary_frame(std::size_t size, Fill&& fill);

SharedFrame binary_frame(std::string_view payload);
SharedFrame ping_frame();
SharedFrame pong_frame(std::string_view payload);  // At most 125 bytes.
// A close frame; a text past what a control frame holds is cut short.
SharedFrame close_frame(const CloseReason& reason);
SharedFrame empty_close_frame();  // The answer to a close that gave no code.

// Checks UTF-8 as it arrives in pieces, so that a text message can be
// refused at the first byte that no ending could make right.
class Utf8Checker {
 public:
  // False once the text so far is not the start of well-formed UTF-8 (an
  // overlong, a surrogate, past U+10FFFF, a stray byte).
  bool feed(std::string_view piece);
  // No sequence is left open.
  bool complete() const { return pending_ == 0; }
  void reset() { *this = {}; }

 private:
  std::uint8_t pending_ = 0;  // Continuation bytes still to come.
  std::uint8_t low_ = 0x80;   // The range the next continuation byte must be in.
  std::uint8_t high_ = 0xBF;
};

// True if `text` is well-formed UTF-8 (no overlongs, no surrogates).
bool valid_utf8(std::string_view text);

// What the reader reports, in the order the frames came.
class FrameSink {
 public:
  virtual ~FrameSink() = default;
  // A whole data message.
  virtual void on_message(std::string_view payload, bool binary) = 0;
  virtual void on_ping(std::string_view payload) = 0;
  virtual void on_pong() = 0;
  // The client's close; `code` is 0 when it gave none. Nothing more is read.
  virtual void on_close(std::uint16_t code) = 0;
  // The client broke the protocol or a limit; nothing more is read.
  virtual void on_failure(CloseReason reason) = 0;
};

// Reads client frames: masked, in order, messages in fragments put
// together, each message at most `max_message_bytes`. Unmasks in place, and
// hands a message that came whole within the given bytes straight from
// them, without a copy.
class FrameReader {
 public:
  explicit FrameReader(std::size_t max_message_bytes) : max_message_bytes_(max_message_bytes) {}

  // Reads `bytes` (changing them); reports to `sink`.
  void read(std::span<char> bytes, FrameSink& sink);

  // Gave up: a failure or a close was reported.
  bool done() const { return done_; }

 private:
  enum class Opcode : std::uint8_t { continuation = 0, text = 1, binary = 2, close = 8, ping = 9, pong = 10 };

  struct Header {
    bool fin = false;
    Opcode opcode = Opcode::continuation;
    std::uint64_t size = 0;
    std::uint32_t mask = 0;
  };

  // The header at the front of `bytes`, if whole: its length, or 0 when
  // more bytes are needed. Reports a failure and returns 0 when it breaks
  // the rules.
  std::size_t parse_header(std::span<const char> bytes, FrameSink& sink);
  bool check_header(FrameSink& sink);
  // The payload of the frame in `header_` is whole in `payload`: act on it.
  bool finish_frame(std::span<char> payload, FrameSink& sink);
  bool finish_control(std::string_view payload, FrameSink& sink);
  // Payload bytes of a data message: a text message's are checked at once.
  bool check_text(std::string_view piece, FrameSink& sink);
  void fail(FrameSink& sink, std::uint16_t code, std::string text);

  std::size_t max_message_bytes_;
  bool done_ = false;
  // A header cut off at the end of the last bytes read.
  char pending_header_[14];
  std::size_t pending_header_size_ = 0;
  // The frame being read: its header, and how much of its payload is in.
  Header header_;
  bool in_frame_ = false;
  std::uint64_t frame_read_ = 0;
  // A control frame's payload cut off at the end of the last bytes read.
  std::string control_;
  // The message being put together from fragments or pieces of reads.
  std::string message_;
  bool in_message_ = false;
  bool message_binary_ = true;
  std::size_t fragments_ = 0;  // Frames of the message so far.
  Utf8Checker text_;           // A text message's bytes so far.
};

template <class Fill>
SharedFrame binary_frame(std::size_t size, Fill&& fill) {
  auto frame = std::make_shared<std::string>();
  frame->resize(header_size(size) + size);
  char* out = frame->data();
  out[0] = static_cast<char>(0x82);  // FIN, binary.
  if (size < 126) {
    out[1] = static_cast<char>(size);
  } else if (size <= 0xFFFF) {
    out[1] = 126;
    out[2] = static_cast<char>(size >> 8);
    out[3] = static_cast<char>(size);
  } else {
    out[1] = 127;
    for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<char>(static_cast<std::uint64_t>(size) >> (56 - 8 * i));
  }
  fill(out + header_size(size));
  return frame;
}

}  // namespace balint::net::ws
