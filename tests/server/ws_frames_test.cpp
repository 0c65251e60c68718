// The WebSocket wire format on its own: frames the server builds, and the
// reader that takes a client's bytes apart, however the socket cuts them.

#include "net/ws_frames.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

namespace balint::net::ws {
namespace {

// A client frame: `first` is the header's first byte (FIN, RSV, opcode);
// the payload is masked with `mask`.
std::string client_frame(unsigned char first, std::string_view payload, std::uint32_t mask = 0x3A5C9E17) {
  std::string frame(1, static_cast<char>(first));
  const std::size_t n = payload.size();
  if (n < 126) {
    frame.push_back(static_cast<char>(0x80 | n));
  } else if (n <= 0xFFFF) {
    frame.push_back(static_cast<char>(0x80 | 126));
    frame.push_back(static_cast<char>(n >> 8));
    frame.push_back(static_cast<char>(n & 0xFF));
  } else {
    frame.push_back(static_cast<char>(0x80 | 127));
    for (int i = 7; i >= 0; --i) frame.push_back(static_cast<char>((static_cast<std::uint64_t>(n) >> (8 * i)) & 0xFF));
  }
  char key[4];
  for (int i = 0; i < 4; ++i) key[i] = static_cast<char>((mask >> (8 * i)) & 0xFF);
  frame.append(key, 4);
  for (std::size_t i = 0; i < n; ++i) frame.push_back(static_cast<char>(payload[i] ^ key[i % 4]));
  return frame;
}

std::string close_payload(std::uint16_t code, std::string_view reason = {}) {
  std::string payload{static_cast<char>(code >> 8), static_cast<char>(code & 0xFF)};
  payload.append(reason);
  return payload;
}

// Writes down what the reader reports, one line each.
struct Recorder : FrameSink {
  std::vector<std::string> events;
  std::vector<const char*> message_addresses;

  void on_message(std::string_view payload, bool binary) override {
    events.push_back(std::string(binary ? "binary " : "text ") + std::string(payload));
    message_addresses.push_back(payload.data());
  }
  void on_ping(std::string_view payload) override { events.push_back("ping " + std::string(payload)); }
  void on_pong() override { events.push_back("pong"); }
  void on_close(std::uint16_t code) override { events.push_back("close " + std::to_string(code)); }
  void on_failure(CloseReason reason) override {
    events.push_back("failure " + std::to_string(reason.code) + " " + reason.text);
  }
};

// Feeds `bytes` to a fresh reader in pieces of the given sizes (the last
// piece takes what is left) and returns what it reported.
std::vector<std::string> read_in_pieces(std::string bytes, const std::vector<std::size_t>& pieces,
                                        std::size_t max_message = 64 * 1024) {
  FrameReader reader(max_message);
  Recorder sink;
  std::size_t at = 0;
  for (std::size_t piece : pieces) {
    piece = std::min(piece, bytes.size() - at);
    reader.read(std::span<char>(bytes.data() + at, piece), sink);
    at += piece;
  }
  if (at < bytes.size()) reader.read(std::span<char>(bytes.data() + at, bytes.size() - at), sink);
  return sink.events;
}

std::vector<std::string> read_whole(std::string bytes, std::size_t max_message = 64 * 1024) {
  return read_in_pieces(std::move(bytes), {}, max_message);
}

}  // namespace

TEST_CASE("WebSocket frames: the accept key is the one RFC 6455 gives for its sample key", "[ws]") {
  CHECK(accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST_CASE("WebSocket frames: a client key must be 16 bytes in base64", "[ws]") {
  CHECK(valid_client_key("dGhlIHNhbXBsZSBub25jZQ=="));
  CHECK(valid_client_key("AAAAAAAAAAAAAAAAAAAAAA=="));
  CHECK(valid_client_key("+/+/+/+/+/+/+/+/+/+/+w=="));
  CHECK_FALSE(valid_client_key(""));
  CHECK_FALSE(valid_client_key("dGhlIHNhbXBsZSBub25jZQ"));    // No padding.
  CHECK_FALSE(valid_client_key("dGhlIHNhbXBsZSBub25jZ==="));  // 15 bytes and junk.
  CHECK_FALSE(valid_client_key("dGhlIHNhbXBsZSBub25jZQQ="));  // 17 bytes' worth.
  CHECK_FALSE(valid_client_key("!!!!!!!!!!!!!!!!!!!!!!=="));  // 24 characters, not base64.
  CHECK_FALSE(valid_client_key("dGhlIHNhbXBsZSBub25j ZQ=="));  // A space inside.
  CHECK_FALSE(valid_client_key("dGhlIHNhbXBsZSBub25jZQ==dGhlIHNhbXBsZSBub25jZQ=="));
}

TEST_CASE("WebSocket frames: a binary frame has the shortest length encoding for its size", "[ws]") {
  for (const std::size_t size : {std::size_t{0}, std::size_t{125}, std::size_t{126}, std::size_t{65535},
                                 std::size_t{65536}, std::size_t{70000}}) {
    const std::string payload(size, 'x');
    const auto frame = binary_frame(payload);
    INFO("payload of " << size << " bytes");
    REQUIRE(frame->size() == header_size(size) + size);
    CHECK(static_cast<unsigned char>((*frame)[0]) == 0x82);  // FIN, binary.
    const auto length7 = static_cast<unsigned char>((*frame)[1]);
    CHECK((length7 & 0x80) == 0);  // Servers do not mask.
    if (size < 126) CHECK(length7 == size);
    if (size >= 126 && size <= 0xFFFF) {
      CHECK(length7 == 126);
      CHECK(((static_cast<unsigned char>((*frame)[2]) << 8) | static_cast<unsigned char>((*frame)[3])) == static_cast<int>(size));
    }
    if (size > 0xFFFF) CHECK(length7 == 127);
    CHECK(frame->substr(header_size(size)) == payload);
  }
}

TEST_CASE("WebSocket frames: a close frame holds the code and a reason cut to fit, never inside a character",
          "[ws]") {
  const auto frame = close_frame({close_code::policy_error, "slow reader"});
  CHECK(*frame == std::string("\x88\x0D\x03\xF0slow reader", 15));

  std::string long_reason;
  while (long_reason.size() < 200) long_reason += "\xC3\xA9";  // "é": two bytes a character.
  const auto cut = close_frame({close_code::normal, long_reason});
  const auto length = static_cast<unsigned char>((*cut)[1]);
  CHECK(length <= 125);
  CHECK(cut->size() == 2u + length);
  CHECK(valid_utf8(std::string_view(*cut).substr(4)));
}

TEST_CASE("WebSocket frames: UTF-8 is checked as RFC 3629 defines it", "[ws]") {
  CHECK(valid_utf8(""));
  CHECK(valid_utf8("plain ASCII, longer than eight bytes"));
  CHECK(valid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"));  // é, €, an emoji.
  CHECK_FALSE(valid_utf8("caf\xC3\x28"));                          // A broken sequence.
  CHECK_FALSE(valid_utf8("\xC0\xAF"));                             // Overlong "/".
  CHECK_FALSE(valid_utf8("\xE0\x80\xAF"));                         // Overlong, three bytes.
  CHECK_FALSE(valid_utf8("\xED\xA0\x80"));                         // A surrogate.
  CHECK_FALSE(valid_utf8("\xF4\x90\x80\x80"));                     // Past U+10FFFF.
  CHECK_FALSE(valid_utf8("\xE2\x82"));                             // Cut short.
  CHECK_FALSE(valid_utf8("\xFF"));
}

TEST_CASE("WebSocket frames: UTF-8 in pieces is refused at the first byte no ending could mend", "[ws]") {
  Utf8Checker checker;
  CHECK(checker.feed("caf\xC3"));  // Open: a continuation may follow.
  CHECK_FALSE(checker.complete());
  CHECK(checker.feed("\xA9 \xF0\x9F"));
  CHECK(checker.feed("\x98\x80"));
  CHECK(checker.complete());
  // The second byte already rules these out.
  for (const std::string_view start : {"\xE0\x80", "\xED\xA0", "\xF0\x80", "\xF4\x90", "\xC0", "\xC1", "\xF5", "\x80"}) {
    Utf8Checker fresh;
    INFO("bytes " << start.size());
    CHECK_FALSE(fresh.feed(start));
  }
}

TEST_CASE("WebSocket frames: a text message that breaks UTF-8 is refused before it ends", "[ws]") {
  // Fragments: the second holds a byte no ending can mend; the reader
  // fails there, without waiting for the last fragment.
  const std::string fragmented = client_frame(0x01, "\xCE\xBA\xE1\xBD\xB9") + client_frame(0x00, "\xF4\x90\x80");
  CHECK(read_whole(fragmented) == std::vector<std::string>{"failure 1007 a text message that is not UTF-8"});
  // One frame arriving in two reads: the first read alone is enough.
  std::string frame = client_frame(0x81, "\xCE\xBA\xF4\x90\x80\x80 and more");
  FrameReader reader(1024);
  Recorder sink;
  reader.read(std::span<char>(frame.data(), 12), sink);
  CHECK(sink.events == std::vector<std::string>{"failure 1007 a text message that is not UTF-8"});
  // A sequence split between fragments is fine.
  CHECK(read_whole(client_frame(0x01, "caf\xC3") + client_frame(0x80, "\xA9")) ==
        std::vector<std::string>{"text caf\xC3\xA9"});
}

TEST_CASE("WebSocket frames: a message may come in at most kMaxFragments frames", "[ws]") {
  // Empty continuations cost a header each and add nothing: a flood of them
  // is ended, however small the message stays.
  std::string start = client_frame(0x02, "x");
  for (std::size_t i = 2; i < kMaxFragments; ++i) start += client_frame(0x00, "");
  // kMaxFragments frames in all: put together.
  CHECK(read_whole(start + client_frame(0x80, "")) == std::vector<std::string>{"binary x"});
  // One more: refused at the frame past the limit.
  CHECK(read_whole(start + client_frame(0x00, "") + client_frame(0x80, "")) ==
        std::vector<std::string>{"failure 1008 a message in more than 4096 frames"});
}

TEST_CASE("WebSocket frames: a message that came whole is unmasked where it lies, without a copy", "[ws]") {
  std::string bytes = client_frame(0x82, "hello, room");
  FrameReader reader(1024);
  Recorder sink;
  reader.read(std::span<char>(bytes.data(), bytes.size()), sink);
  REQUIRE(sink.events == std::vector<std::string>{"binary hello, room"});
  CHECK(sink.message_addresses[0] == bytes.data() + 6);  // Two header bytes, four of mask.
}

TEST_CASE("WebSocket frames: the same bytes cut anywhere read the same", "[ws]") {
  // Every kind of frame, a fragmented text message with a ping inside it,
  // a 16-bit and a 64-bit length, and the close at the end.
  const std::string big(70000, 'b');
  const std::string bytes = client_frame(0x82, "first") + client_frame(0x89, "are you there") +
                            client_frame(0x01, "frag") + client_frame(0x8A, "") + client_frame(0x00, "ment") +
                            client_frame(0x80, "ed \xC3\xA9") + client_frame(0x82, std::string(300, 'm')) +
                            client_frame(0x82, big) + client_frame(0x82, "") +
                            client_frame(0x88, close_payload(1000, "bye"));
  const std::vector<std::string> expected{"binary first", "ping are you there", "pong", "text fragmented \xC3\xA9",
                                          "binary " + std::string(300, 'm'), "binary " + big, "binary ", "close 1000"};
  REQUIRE(read_whole(bytes, 128 * 1024) == expected);

  SECTION("a byte at a time") {
    CHECK(read_in_pieces(bytes, std::vector<std::size_t>(bytes.size(), 1), 128 * 1024) == expected);
  }
  SECTION("in random pieces") {
    std::mt19937 random(7);
    for (int run = 0; run < 50; ++run) {
      std::vector<std::size_t> pieces;
      for (std::size_t total = 0; total < bytes.size();) {
        pieces.push_back(1 + random() % 400);
        total += pieces.back();
      }
      INFO("run " << run);
      CHECK(read_in_pieces(bytes, pieces, 128 * 1024) == expected);
    }
  }
}

TEST_CASE("WebSocket frames: a close without a code is reported as code 0, and ends the reading", "[ws]") {
  CHECK(read_whole(client_frame(0x88, "") + client_frame(0x82, "after")) == std::vector<std::string>{"close 0"});
}

TEST_CASE("WebSocket frames: frames the protocol forbids are refused with the code RFC 6455 gives", "[ws]") {
  struct Case {
    const char* what;
    std::string bytes;
    std::uint16_t code;
  };
  const std::string unmasked = std::string("\x82\x03", 2) + "abc";
  const std::string short_in_16_bits = std::string("\x82\xFE\x00\x05", 4) + std::string(4, '\0') + "abcde";
  const std::string short_in_64_bits =
      std::string("\x82\xFF\x00\x00\x00\x00\x00\x00\x01\x00", 10) + std::string(4, '\0') + std::string(256, 'x');
  const std::vector<Case> cases{
      {"unmasked", unmasked, close_code::protocol_error},
      {"reserved bit", client_frame(0xC2, "abc"), close_code::protocol_error},
      {"reserved opcode", client_frame(0x83, "abc"), close_code::protocol_error},
      {"reserved control opcode", client_frame(0x8B, "abc"), close_code::protocol_error},
      {"fragmented ping", client_frame(0x09, "abc"), close_code::protocol_error},
      {"long ping", client_frame(0x89, std::string(126, 'p')), close_code::protocol_error},
      {"continuation of nothing", client_frame(0x80, "abc"), close_code::protocol_error},
      {"message inside a message", client_frame(0x02, "abc") + client_frame(0x82, "def"), close_code::protocol_error},
      {"length not in its shortest form (16 bits)", short_in_16_bits, close_code::protocol_error},
      {"length not in its shortest form (64 bits)", short_in_64_bits, close_code::protocol_error},
      {"text not UTF-8", client_frame(0x81, "caf\xC3\x28"), close_code::invalid_payload},
      {"fragmented text not UTF-8", client_frame(0x01, "caf\xC3") + client_frame(0x80, "\x28"),
       close_code::invalid_payload},
      {"close with half a code", client_frame(0x88, "\x03"), close_code::protocol_error},
      {"close with a code no one may send", client_frame(0x88, close_payload(1005)), close_code::protocol_error},
      {"close with a reason not UTF-8", client_frame(0x88, close_payload(1000, "\xFF")), close_code::invalid_payload},
  };
  // An unmasked header with nothing after it: no mask to read either.
  CHECK(read_whole(std::string("\x82\x05", 2)) ==
        std::vector<std::string>{"failure 1002 client frames must be masked"});
  for (const auto& c : cases) {
    INFO(c.what);
    // The frame after the bad one is never read.
    const auto events = read_whole(c.bytes + client_frame(0x82, "never"));
    REQUIRE(events.size() == 1);
    CHECK(events[0].starts_with("failure " + std::to_string(c.code) + " "));
  }
}

TEST_CASE("WebSocket frames: a message over the limit is refused with 1009 from its header alone", "[ws]") {
  // Only the header of a frame one byte too big: the reader need not wait
  // for the payload to refuse it.
  const std::string header = client_frame(0x82, std::string(1025, 'x')).substr(0, 8);
  CHECK(read_whole(header, 1024) == std::vector<std::string>{"failure 1009 message too big: at most 1024 bytes"});
  // Fragments that each fit but add up past the limit.
  const std::string fragments = client_frame(0x02, std::string(600, 'x')) + client_frame(0x80, std::string(600, 'y'));
  CHECK(read_whole(fragments, 1024) == std::vector<std::string>{"failure 1009 message too big: at most 1024 bytes"});
  // Exactly at the limit is fine.
  CHECK(read_whole(client_frame(0x82, std::string(1024, 'z')), 1024) ==
        std::vector<std::string>{"binary " + std::string(1024, 'z')});
}

}  // namespace balint::net::ws
