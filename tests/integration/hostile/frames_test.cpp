// Hostile WebSocket framing: text where binary belongs, messages past the
// size limit whole or in pieces, floods of fragments, and frames the
// protocol forbids. The attacker is p2 on a raw connection; the server
// answers or closes that connection and nobody else notices.

#include "hostile_session.hpp"
#include "wire.hpp"

#include <catch2/catch.hpp>

namespace balint::test {
namespace {

constexpr std::uint16_t kProtocolError = 1002;
constexpr std::uint16_t kInvalidPayload = 1007;
constexpr std::uint16_t kTooBig = 1009;

// Sends `total` bytes as one binary message in fragments of `piece` bytes,
// and stops early once the server has answered (it closes when the sum
// passes its limit, and need not read the rest). Frames go out raw, so that
// a server hanging up halfway leaves its close frame readable.
void send_in_fragments(RawClient& raw, std::size_t total, std::size_t piece) {
  const std::string chunk(piece, '\x01');
  std::size_t sent = 0;
  while (sent < total && !raw.server_has_spoken()) {
    const std::size_t n = std::min(piece, total - sent);
    const unsigned char opcode = sent == 0 ? 0x2 : 0x0;  // Binary, then continuations.
    sent += n;
    const unsigned char fin = sent == total ? 0x80 : 0x00;
    if (!raw.write_frame_raw(fin | opcode, std::string_view(chunk).substr(0, n))) break;
  }
}

// A connection that breaks RFC 6455 is failed with a close frame carrying
// the code the RFC gives (section 7.1.7); its short reason is not checked.
void expect_protocol_failure(const Ending& ending, std::uint16_t code) {
  INFO("the connection ended with: " << ending.describe());
  REQUIRE(ending.kind == Ending::Kind::websocket_close);
  CHECK(ending.close_code == code);
}

}  // namespace

TEST_CASE("Frames: a text frame is refused as MALFORMED and the connection stays", "[hostile][frames]") {
  HostileSession s;
  auto raw = s.join_raw("p2");
  const auto before = s.snapshot();

  // The right bytes in the wrong kind of frame.
  REQUIRE(raw->send_text(wire::command_message(21, sdk::cmd::raise_hand())));
  expect_refused(raw->wait_result(0), v1::ERROR_CODE_MALFORMED, before.version());
  // The same connection still works.
  REQUIRE(raw->send_command(22, sdk::cmd::lower_hand()));
  expect_refused(raw->wait_result(22), v1::ERROR_CODE_NO_CHANGE, before.version());

  s.expect_unchanged(before);
  s.expect_others_served();
}

TEST_CASE("Frames: a single frame over the message limit closes the connection with 1009", "[hostile][frames]") {
  HostileSession s;  // The default limit, 64 KiB.
  auto raw = s.join_raw("p2");
  const auto before = s.snapshot();

  // The server may hang up before it has read the whole frame, so whether
  // the write completes is not the point.
  raw->write_frame_raw(0x82, std::string(64 * 1024 + 1, '\x01'));  // FIN + binary.
  expect_close(raw->wait_end(), kTooBig);

  s.expect_unchanged(before, {.disconnected = "p2"});
  s.expect_others_served();
}

TEST_CASE("Frames: fragments that add up past the message limit close the connection with 1009",
          "[hostile][frames]") {
  HostileSession s;
  auto raw = s.join_raw("p2");
  const auto before = s.snapshot();

  // Five 16 KiB fragments: each fits, the message does not.
  send_in_fragments(*raw, 5 * 16 * 1024, 16 * 1024);
  expect_close(raw->wait_end(), kTooBig);

  s.expect_unchanged(before, {.disconnected = "p2"});
  s.expect_others_served();
}

TEST_CASE("Frames: a flood of 2-byte fragments past the message limit closes the connection with 1009",
          "[hostile][frames]") {
  // A 4 KiB limit keeps the flood short (and under the fragment limit);
  // the rule is the same.
  HostileSession s([](app::Config& c) { c.max_message_bytes = 4096; });
  auto raw = s.join_raw("p2");
  const auto before = s.snapshot();

  send_in_fragments(*raw, 4096 + 512, 2);
  expect_close(raw->wait_end(), kTooBig);

  s.expect_unchanged(before, {.disconnected = "p2"});
  s.expect_others_served();
}

TEST_CASE("Frames: a flood of 200,000 empty fragments closes the connection with 1008 at the fragment limit",
          "[hostile][frames]") {
  HostileSession s;
  auto raw = s.join_raw("p2");
  const auto before = s.snapshot();

  // Empty continuations add nothing to the message, so the size limit never
  // ends them: the limit on fragments does.
  std::string flood = client_frame(0x02, "x");
  const std::string empty = client_frame(0x00, "");
  for (int i = 0; i < 200000; ++i) flood += empty;
  raw->write_raw(flood);  // The server stops reading partway.
  expect_close(raw->wait_end(), 1008);

  s.expect_unchanged(before, {.disconnected = "p2"});
  s.expect_others_served();
}

TEST_CASE("Frames: a frame far over the message limit gets its 1009, not a reset, every time", "[hostile][frames]") {
  HostileSession s;
  // The rest of the frame arrives after the server has refused it: read
  // away, so that the close frame reaches the client before the hang-up.
  for (const std::size_t size : {std::size_t{1} << 20, std::size_t{4} << 20}) {
    for (int attempt = 0; attempt < 8; ++attempt) {
      auto raw = s.join_raw("p2");
      INFO(size << " bytes, attempt " << attempt);
      // The whole frame goes out: the server reads away what it refused
      // (a reset would end the write with EPIPE or ECONNRESET).
      CHECK(raw->write_frame_raw(0x82, std::string(size, '\x01')));
      expect_close(raw->wait_end(), kTooBig);
    }
  }
  s.expect_others_served();
}

TEST_CASE("Frames: a message cut into thousands of 1-byte fragments is put together and answered",
          "[hostile][frames]") {
  HostileSession s;
  auto raw = s.join_raw("p2");
  const auto before = s.snapshot();

  // A command padded with an unknown field to 3,000 bytes, one byte a frame.
  const auto bytes = wire::command_message(23, sdk::cmd::lower_hand()) + wire::bytes_field(99, std::string(3000, 'x'));
  for (std::size_t i = 0; i < bytes.size(); ++i)
    REQUIRE(raw->send_fragment(std::string_view(bytes).substr(i, 1), i + 1 == bytes.size()));
  expect_refused(raw->wait_result(23), v1::ERROR_CODE_NO_CHANGE, before.version());

  s.expect_unchanged(before);
  s.expect_others_served();
}

TEST_CASE("Frames: text that is not UTF-8 closes the connection with 1007", "[hostile][frames]") {
  HostileSession s;
  auto raw = s.join_raw("p2");
  const auto before = s.snapshot();

  REQUIRE(raw->send_text("caf\xc3\x28 \xff\xfe"));
  expect_protocol_failure(raw->wait_end(), kInvalidPayload);

  s.expect_unchanged(before, {.disconnected = "p2"});
  s.expect_others_served();
}

TEST_CASE("Frames: an unmasked client frame closes the connection with 1002", "[hostile][frames]") {
  HostileSession s;
  auto raw = s.join_raw("p2");
  const auto before = s.snapshot();

  // FIN + binary, no mask bit: only servers may send that.
  const auto message = wire::command_message(24, sdk::cmd::raise_hand());
  REQUIRE(raw->write_raw(std::string{'\x82', static_cast<char>(message.size())} + message));
  expect_protocol_failure(raw->wait_end(), kProtocolError);

  s.expect_unchanged(before, {.disconnected = "p2"});
  s.expect_others_served();
}

TEST_CASE("Frames: a reserved opcode closes the connection with 1002", "[hostile][frames]") {
  HostileSession s;
  auto raw = s.join_raw("p2");
  const auto before = s.snapshot();

  REQUIRE(raw->write_frame_raw(0x83, "reserved"));  // FIN + opcode 3.
  expect_protocol_failure(raw->wait_end(), kProtocolError);

  s.expect_unchanged(before, {.disconnected = "p2"});
  s.expect_others_served();
}

TEST_CASE("Frames: reserved bits without an extension close the connection with 1002", "[hostile][frames]") {
  HostileSession s;
  auto raw = s.join_raw("p2");
  const auto before = s.snapshot();

  REQUIRE(raw->write_frame_raw(0xC2, wire::command_message(25, sdk::cmd::raise_hand())));  // FIN + RSV1 + binary.
  expect_protocol_failure(raw->wait_end(), kProtocolError);

  s.expect_unchanged(before, {.disconnected = "p2"});
  s.expect_others_served();
}

TEST_CASE("Frames: a continuation frame with no message to continue closes the connection with 1002",
          "[hostile][frames]") {
  HostileSession s;
  auto raw = s.join_raw("p2");
  const auto before = s.snapshot();

  REQUIRE(raw->write_frame_raw(0x80, wire::command_message(26, sdk::cmd::raise_hand())));  // FIN + opcode 0.
  expect_protocol_failure(raw->wait_end(), kProtocolError);

  s.expect_unchanged(before, {.disconnected = "p2"});
  s.expect_others_served();
}

TEST_CASE("Frames: a ping longer than a control frame may be closes the connection with 1002", "[hostile][frames]") {
  HostileSession s;
  auto raw = s.join_raw("p2");
  const auto before = s.snapshot();

  REQUIRE(raw->write_frame_raw(0x89, std::string(200, 'p')));  // FIN + ping, 200 > 125 bytes.
  expect_protocol_failure(raw->wait_end(), kProtocolError);

  s.expect_unchanged(before, {.disconnected = "p2"});
  s.expect_others_served();
}

}  // namespace balint::test
