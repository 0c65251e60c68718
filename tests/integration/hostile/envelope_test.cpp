// Hostile envelopes: binary frames whose bytes are not the ClientMessage a
// well-behaved client sends. Each is answered with a CommandResult that says
// what was wrong, and the session does not move.

#include "hostile_session.hpp"
#include "wire.hpp"

#include <catch2/catch.hpp>

namespace balint::test {

TEST_CASE("Envelope: a truncated ClientMessage is refused as MALFORMED", "[hostile][envelope]") {
  HostileSession s;
  auto raw = s.join_raw("p2");
  const auto before = s.snapshot();

  const auto whole = wire::command_message(7, sdk::cmd::set_go_around_order({"p1", "p2"}));
  // Cut inside the last participant id: the lengths promise bytes that
  // never come.
  REQUIRE(raw->send_binary(std::string_view(whole).substr(0, whole.size() - 2)));
  expect_refused(raw->wait_result(0), v1::ERROR_CODE_MALFORMED, before.version());

  s.expect_unchanged(before);
  s.expect_others_served();
}

TEST_CASE("Envelope: garbage bytes are refused as MALFORMED", "[hostile][envelope]") {
  HostileSession s;
  auto raw = s.join_raw("p2");
  const auto before = s.snapshot();

  // A varint that never ends: no protobuf parser can take it for a tag.
  REQUIRE(raw->send_binary(std::string(64, '\xff')));
  expect_refused(raw->wait_result(0), v1::ERROR_CODE_MALFORMED, before.version());

  s.expect_unchanged(before);
  s.expect_others_served();
}

TEST_CASE("Envelope: an HTTP request inside a binary frame is refused as MALFORMED", "[hostile][envelope]") {
  HostileSession s;
  auto raw = s.join_raw("p2");
  const auto before = s.snapshot();

  // 'G' reads as field 8 with wire type 7, which does not exist.
  REQUIRE(raw->send_binary("GET /api/v1/sessions HTTP/1.1\r\nHost: x\r\n\r\n"));
  expect_refused(raw->wait_result(0), v1::ERROR_CODE_MALFORMED, before.version());

  s.expect_unchanged(before);
  s.expect_others_served();
}

TEST_CASE("Envelope: unknown fields are skipped and the known command is answered", "[hostile][envelope]") {
  HostileSession s;
  auto raw = s.join_raw("p2");
  const auto before = s.snapshot();

  // Fields from a newer protocol around a command this member may send:
  // proto3 keeps reading past them, so the command itself is judged (p2's
  // hand is not raised, so lowering it changes nothing).
  const auto bytes = wire::varint_field(99, 12345) + wire::command_message(9, sdk::cmd::lower_hand()) +
                     wire::bytes_field(100, std::string(1000, 'x')) + wire::key(101, wire::Type::fixed64) +
                     std::string(8, '\x01');
  REQUIRE(raw->send_binary(bytes));
  expect_refused(raw->wait_result(9), v1::ERROR_CODE_NO_CHANGE, before.version());

  s.expect_unchanged(before);
  s.expect_others_served();
}

TEST_CASE("Envelope: an unknown body in ClientMessage is refused as MALFORMED", "[hostile][envelope]") {
  HostileSession s;
  auto raw = s.join_raw("p2");
  const auto before = s.snapshot();

  // Field 15 would be a new case of the `body` oneof in a future protocol.
  REQUIRE(raw->send_binary(wire::varint_field(1, 11) + wire::bytes_field(15, wire::varint_field(1, 1))));
  expect_refused(raw->wait_result(11), v1::ERROR_CODE_MALFORMED, before.version());

  s.expect_unchanged(before);
  s.expect_others_served();
}

TEST_CASE("Envelope: an unknown kind of Command is refused as INVALID_ARGUMENT", "[hostile][envelope]") {
  HostileSession s;
  auto raw = s.join_raw("p2");
  const auto before = s.snapshot();

  // A Command whose only field is number 60, past every known kind: to this
  // server the command is empty.
  const auto command = wire::bytes_field(60, wire::varint_field(1, 1));
  REQUIRE(raw->send_binary(wire::varint_field(1, 12) + wire::bytes_field(2, command)));
  expect_refused(raw->wait_result(12), v1::ERROR_CODE_INVALID_ARGUMENT, before.version());

  s.expect_unchanged(before);
  s.expect_others_served();
}

TEST_CASE("Envelope: an empty ClientMessage is refused as MALFORMED", "[hostile][envelope]") {
  HostileSession s;
  auto raw = s.join_raw("p2");
  const auto before = s.snapshot();

  REQUIRE(raw->send_binary(""));
  expect_refused(raw->wait_result(0), v1::ERROR_CODE_MALFORMED, before.version());

  s.expect_unchanged(before);
  s.expect_others_served();
}

TEST_CASE("Envelope: a command with request_id 0 is refused as INVALID_ARGUMENT", "[hostile][envelope]") {
  HostileSession s;
  auto raw = s.join_raw("p2");
  const auto before = s.snapshot();

  // Raising a hand would change the state, were it accepted.
  REQUIRE(raw->send_binary(wire::command_message(0, sdk::cmd::raise_hand())));
  expect_refused(raw->wait_result(0), v1::ERROR_CODE_INVALID_ARGUMENT, before.version());

  s.expect_unchanged(before);
  s.expect_others_served();
}

TEST_CASE("Envelope: a command sent with the wrong wire type is refused as MALFORMED", "[hostile][envelope]") {
  HostileSession s;
  auto raw = s.join_raw("p2");
  const auto before = s.snapshot();

  // `command` (field 2) as a varint: a parser keeps it aside as an unknown
  // field, so the message has no body it knows.
  REQUIRE(raw->send_binary(wire::varint_field(1, 13) + wire::varint_field(2, 12)));
  expect_refused(raw->wait_result(13), v1::ERROR_CODE_MALFORMED, before.version());

  s.expect_unchanged(before);
  s.expect_others_served();
}

TEST_CASE("Envelope: groups nested past any sane depth are refused as MALFORMED", "[hostile][envelope]") {
  HostileSession s;
  auto raw = s.join_raw("p2");
  const auto before = s.snapshot();

  // 20,000 unknown groups one inside the other (40 KB, under the message
  // limit): a parser without a depth limit would recurse off its stack.
  constexpr int depth = 20000;
  std::string bytes;
  for (int i = 0; i < depth; ++i) bytes += wire::key(15, wire::Type::start_group);
  for (int i = 0; i < depth; ++i) bytes += wire::key(15, wire::Type::end_group);
  REQUIRE(bytes.size() < 64 * 1024);
  REQUIRE(raw->send_binary(bytes));
  expect_refused(raw->wait_result(0), v1::ERROR_CODE_MALFORMED, before.version());

  s.expect_unchanged(before);
  s.expect_others_served();
}

}  // namespace balint::test
