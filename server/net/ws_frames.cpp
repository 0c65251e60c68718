#include "net/ws_frames.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstring>

namespace balint::net::ws {
namespace {

constexpr std::size_t kMaxControlPayload = 125;

SharedFrame control_frame(unsigned char opcode, std::string_view payload) {
  std::string frame;
  frame.reserve(2 + payload.size());
  frame.push_back(static_cast<char>(0x80 | opcode));
  frame.push_back(static_cast<char>(payload.size()));
  frame.append(payload);
  return std::make_shared<const std::string>(std::move(frame));
}

// The longest prefix of `text` of at most `limit` bytes that does not end
// inside a UTF-8 sequence.
std::string_view utf8_prefix(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return text;
  std::size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

// XORs `bytes` with the 4-byte mask, starting `offset` bytes into it.
void unmask(std::span<char> bytes, std::uint32_t mask, std::uint64_t offset) {
  unsigned char key[4];
  std::memcpy(key, &mask, 4);
  unsigned char rotated[8];
  for (std::size_t i = 0; i < 8; ++i) rotated[i] = key[(offset + i) % 4];
  std::uint64_t wide;
  std::memcpy(&wide, rotated, 8);
  std::size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    std::uint64_t chunk;
    std::memcpy(&chunk, bytes.data() + i, 8);
    chunk ^= wide;
    std::memcpy(bytes.data() + i, &chunk, 8);
  }
  for (; i < bytes.size(); ++i) bytes[i] = static_cast<char>(static_cast<unsigned char>(bytes[i]) ^ rotated[i % 8]);
}

// The codes a client may close with (RFC 6455 section 7.4, and the IANA
// registry after it).
bool valid_close_code(std::uint16_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

// The header's length, from its second byte.
std::size_t header_length(unsigned char second) {
  const unsigned size7 = second & 0x7F;
  return 2 + (size7 == 126 ? 2 : size7 == 127 ? 8 : 0) + ((second & 0x80) ? 4 : 0);
}

}  // namespace

std::string accept_key(std::string_view client_key) {
  static constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  std::string input(client_key);
  input.append(kGuid);
  unsigned char digest[SHA_DIGEST_LENGTH];
  SHA1(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest);
  unsigned char encoded[4 * ((SHA_DIGEST_LENGTH + 2) / 3) + 1];
  const int length = EVP_EncodeBlock(encoded, digest, SHA_DIGEST_LENGTH);
  return std::string(reinterpret_cast<const char*>(encoded), static_cast<std::size_t>(length));
}

SharedFrame binary_frame(std::string_view payload) {
  return binary_frame(payload.size(), [&](char* out) { std::memcpy(out, payload.data(), payload.size()); });
}

SharedFrame ping_frame() {
  static const SharedFrame frame = control_frame(0x9, {});
  return frame;
}

SharedFrame pong_frame(std::string_view payload) {
  return control_frame(0xA, payload.substr(0, std::min(payload.size(), kMaxControlPayload)));
}

SharedFrame close_frame(const CloseReason& reason) {
  std::string payload;
  payload.push_back(static_cast<char>(reason.code >> 8));
  payload.push_back(static_cast<char>(reason.code & 0xFF));
  payload.append(utf8_prefix(reason.text, kMaxControlPayload - 2));
  return control_frame(0x8, payload);
}

SharedFrame empty_close_frame() {
  static const SharedFrame frame = control_frame(0x8, {});
  return frame;
}

bool valid_client_key(std::string_view client_key) {
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  if (client_key.size() != 24 || !client_key.ends_with("==")) return false;
  for (const char c : client_key.substr(0, 22))
    if (kAlphabet.find(c) == std::string_view::npos) return false;
  return true;
}

bool Utf8Checker::feed(std::string_view piece) {
  const auto* s = reinterpret_cast<const unsigned char*>(piece.data());
  const std::size_t n = piece.size();
  std::size_t i = 0;
  while (i < n) {
    if (pending_ > 0) {
      if (s[i] < low_ || s[i] > high_) return false;
      --pending_;
      low_ = 0x80, high_ = 0xBF;
      ++i;
      continue;
    }
    // ASCII eight bytes at a time: most text is.
    if (i + 8 <= n) {
      std::uint64_t chunk;
      std::memcpy(&chunk, s + i, 8);
      if ((chunk & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    const unsigned char c = s[i++];
    if (c < 0x80) continue;
    // The lead byte says how many follow, and what the first of them may be
    // so that the code point is in its shortest form, no surrogate and at
    // most U+10FFFF (RFC 3629 section 4).
    if (c >= 0xC2 && c <= 0xDF) pending_ = 1;
    else if (c == 0xE0) pending_ = 2, low_ = 0xA0;
    else if (c == 0xED) pending_ = 2, high_ = 0x9F;
    else if (c >= 0xE1 && c <= 0xEF) pending_ = 2;
    else if (c == 0xF0) pending_ = 3, low_ = 0x90;
    else if (c == 0xF4) pending_ = 3, high_ = 0x8F;
    else if (c >= 0xF1 && c <= 0xF3) pending_ = 3;
    else return false;
  }
  return true;
}

bool valid_utf8(std::string_view text) {
  Utf8Checker checker;
  return checker.feed(text) && checker.complete();
}

void FrameReader::fail(FrameSink& sink, std::uint16_t code, std::string text) {
  done_ = true;
  sink.on_failure({code, std::move(text)});
}

std::size_t FrameReader::parse_header(std::span<const char> bytes, FrameSink& sink) {
  const auto* b = reinterpret_cast<const unsigned char*>(bytes.data());
  // The first two bytes first: without the mask bit, no mask follows.
  if ((b[0] & 0x70) != 0) return fail(sink, close_code::protocol_error, "reserved bits set without an extension"), 0;
  if ((b[1] & 0x80) == 0) return fail(sink, close_code::protocol_error, "client frames must be masked"), 0;
  header_.fin = (b[0] & 0x80) != 0;
  header_.opcode = static_cast<Opcode>(b[0] & 0x0F);
  std::size_t at = 2;
  const unsigned size7 = b[1] & 0x7F;
  if (size7 == 126) {
    header_.size = (std::uint64_t{b[2]} << 8) | b[3];
    at = 4;
  } else if (size7 == 127) {
    header_.size = 0;
    for (int i = 0; i < 8; ++i) header_.size = (header_.size << 8) | b[2 + i];
    at = 10;
  } else {
    header_.size = size7;
  }
  std::memcpy(&header_.mask, b + at, 4);
  if ((size7 == 126 && header_.size < 126) || (size7 == 127 && (header_.size <= 0xFFFF || header_.size >> 63)))
    return fail(sink, close_code::protocol_error, "frame length not in its shortest form"), 0;
  return check_header(sink) ? at + 4 : 0;
}

bool FrameReader::check_header(FrameSink& sink) {
  switch (header_.opcode) {
    case Opcode::close:
    case Opcode::ping:
    case Opcode::pong:
      if (!header_.fin) return fail(sink, close_code::protocol_error, "a control frame may not be fragmented"), false;
      if (header_.size > kMaxControlPayload)
        return fail(sink, close_code::protocol_error, "a control frame carries at most 125 bytes"), false;
      return true;
    case Opcode::text:
    case Opcode::binary:
      if (in_message_) return fail(sink, close_code::protocol_error, "a message began inside another"), false;
      in_message_ = true;
      message_binary_ = header_.opcode == Opcode::binary;
      fragments_ = 1;
      text_.reset();
      break;
    case Opcode::continuation:
      if (!in_message_) return fail(sink, close_code::protocol_error, "a continuation with no message to continue"), false;
      if (++fragments_ > kMaxFragments)
        return fail(sink, close_code::policy_error, "a message in more than " + std::to_string(kMaxFragments) + " frames"),
               false;
      break;
    default:
      return fail(sink, close_code::protocol_error,
                  "reserved opcode " + std::to_string(static_cast<unsigned>(header_.opcode))), false;
  }
  if (message_.size() + header_.size > max_message_bytes_)
    return fail(sink, close_code::too_big, "message too big: at most " + std::to_string(max_message_bytes_) + " bytes"),
           false;
  return true;
}

void FrameReader::read(std::span<char> bytes, FrameSink& sink) {
  std::size_t pos = 0;
  const std::size_t n = bytes.size();
  while (!done_ && (pos < n || (in_frame_ && header_.size == frame_read_))) {
    if (!in_frame_) {
      std::size_t used = 0;
      if (pending_header_size_ == 0 && n - pos >= 2 &&
          n - pos >= header_length(static_cast<unsigned char>(bytes[pos + 1]))) {
        used = parse_header(bytes.subspan(pos), sink);
        if (used == 0) return;
        pos += used;
      } else {
        // A header split across reads: gather it first.
        while (pending_header_size_ < 2 && pos < n) pending_header_[pending_header_size_++] = bytes[pos++];
        if (pending_header_size_ < 2) return;
        const std::size_t need = header_length(static_cast<unsigned char>(pending_header_[1]));
        while (pending_header_size_ < need && pos < n) pending_header_[pending_header_size_++] = bytes[pos++];
        if (pending_header_size_ < need) return;
        pending_header_size_ = 0;
        if (parse_header(std::span<const char>(pending_header_, need), sink) == 0) return;
      }
      in_frame_ = true;
      frame_read_ = 0;
    }
    const bool control = header_.opcode >= Opcode::close;
    const std::size_t available = n - pos;
    if (frame_read_ == 0 && available >= header_.size) {
      // The whole payload is here: read it where it lies.
      const auto payload = bytes.subspan(pos, static_cast<std::size_t>(header_.size));
      unmask(payload, header_.mask, 0);
      pos += payload.size();
      in_frame_ = false;
      if (!finish_frame(payload, sink)) return;
      continue;
    }
    const auto take = static_cast<std::size_t>(std::min<std::uint64_t>(available, header_.size - frame_read_));
    const auto piece = bytes.subspan(pos, take);
    unmask(piece, header_.mask, frame_read_);
    if (!control && !check_text({piece.data(), piece.size()}, sink)) return;
    (control ? control_ : message_).append(piece.data(), piece.size());
    frame_read_ += take;
    pos += take;
    if (frame_read_ < header_.size) return;
    in_frame_ = false;
    if (control) {
      std::string payload = std::move(control_);
      control_.clear();
      if (!finish_control(payload, sink)) return;
    } else if (!finish_frame({}, sink)) {
      return;
    }
  }
}

bool FrameReader::finish_frame(std::span<char> payload, FrameSink& sink) {
  if (header_.opcode >= Opcode::close) return finish_control(std::string_view(payload.data(), payload.size()), sink);
  if (!check_text({payload.data(), payload.size()}, sink)) return false;
  std::string_view message;
  if (message_.empty() && header_.fin) {
    message = std::string_view(payload.data(), payload.size());  // Came whole: no copy.
  } else {
    message_.append(payload.data(), payload.size());
    if (!header_.fin) return true;
    message = message_;
  }
  in_message_ = false;
  if (!message_binary_ && !text_.complete())
    return fail(sink, close_code::invalid_payload, "a text message that is not UTF-8"), false;
  sink.on_message(message, message_binary_);
  message_.clear();
  return true;
}

bool FrameReader::check_text(std::string_view piece, FrameSink& sink) {
  if (message_binary_ || text_.feed(piece)) return true;
  return fail(sink, close_code::invalid_payload, "a text message that is not UTF-8"), false;
}

bool FrameReader::finish_control(std::string_view payload, FrameSink& sink) {
  switch (header_.opcode) {
    case Opcode::ping: return sink.on_ping(payload), true;
    case Opcode::pong: return sink.on_pong(), true;
    default: break;
  }
  if (payload.size() == 1) return fail(sink, close_code::protocol_error, "a close frame with half a code"), false;
  std::uint16_t code = 0;
  if (payload.size() >= 2) {
    code = static_cast<std::uint16_t>((static_cast<unsigned char>(payload[0]) << 8) | static_cast<unsigned char>(payload[1]));
    if (!valid_close_code(code))
      return fail(sink, close_code::protocol_error, "close code " + std::to_string(code) + " may not be sent"), false;
    if (!valid_utf8(payload.substr(2)))
      return fail(sink, close_code::invalid_payload, "a close reason that is not UTF-8"), false;
  }
  done_ = true;
  sink.on_close(code);
  return false;
}

}  // namespace balint::net::ws
