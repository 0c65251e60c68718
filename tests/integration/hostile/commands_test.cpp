// Hostile commands: well-formed envelopes with values out of range, people
// who are not there, people from another session, replays, and members
// reaching for the facilitator's powers. Each is refused with the error
// code that names the problem, and nothing moves.

#include "hostile_session.hpp"
#include "wire.hpp"

#include <catch2/catch.hpp>

namespace balint::test {

// --- Numbers out of range (the facilitator, through the SDK) -------------------

TEST_CASE("Commands: ExtendPhase by 0 seconds is refused as INVALID_ARGUMENT", "[hostile][commands]") {
  HostileSession s;
  s.go_to_phase(0);
  const auto before = s.snapshot();

  expect_refused(s.fac.client().send(sdk::cmd::extend_phase(0)), v1::ERROR_CODE_INVALID_ARGUMENT, before.version());

  s.expect_unchanged(before);
  s.expect_others_served();
}

TEST_CASE("Commands: ExtendPhase by a million seconds is refused as INVALID_ARGUMENT", "[hostile][commands]") {
  HostileSession s;
  s.go_to_phase(0);
  const auto before = s.snapshot();

  expect_refused(s.fac.client().send(sdk::cmd::extend_phase(1'000'000)), v1::ERROR_CODE_INVALID_ARGUMENT,
                 before.version());

  s.expect_unchanged(before);
  s.expect_others_served();
}

TEST_CASE("Commands: JumpToPhase -1 is refused as INVALID_ARGUMENT", "[hostile][commands]") {
  HostileSession s;
  s.go_to_phase(1);
  const auto before = s.snapshot();

  expect_refused(s.fac.client().send(sdk::cmd::jump_to_phase(-1)), v1::ERROR_CODE_INVALID_ARGUMENT, before.version());

  s.expect_unchanged(before);
  s.expect_others_served();
}

TEST_CASE("Commands: JumpToPhase 1000 is refused as INVALID_ARGUMENT", "[hostile][commands]") {
  HostileSession s;
  s.go_to_phase(1);
  const auto before = s.snapshot();

  expect_refused(s.fac.client().send(sdk::cmd::jump_to_phase(1000)), v1::ERROR_CODE_INVALID_ARGUMENT,
                 before.version());

  s.expect_unchanged(before);
  s.expect_others_served();
}

// --- People who are not in the roster ------------------------------------------

TEST_CASE("Commands: Mute of an id not in the roster is refused as UNKNOWN_PARTICIPANT", "[hostile][commands]") {
  HostileSession s;
  const auto before = s.snapshot();

  expect_refused(s.fac.client().send(sdk::cmd::mute("ghost")), v1::ERROR_CODE_UNKNOWN_PARTICIPANT, before.version());

  s.expect_unchanged(before);
  s.expect_others_served();
}

TEST_CASE("Commands: GiveFloor to an id not in the roster is refused as UNKNOWN_PARTICIPANT", "[hostile][commands]") {
  HostileSession s;
  s.go_to_phase(0);
  const auto before = s.snapshot();

  expect_refused(s.fac.client().send(sdk::cmd::give_floor("ghost")), v1::ERROR_CODE_UNKNOWN_PARTICIPANT,
                 before.version());

  s.expect_unchanged(before);
  s.expect_others_served();
}

TEST_CASE("Commands: RemoveMember of an invitee who never joined is refused as UNKNOWN_PARTICIPANT",
          "[hostile][commands]") {
  HostileSession s;
  const auto before = s.snapshot();

  // p2 is invited, has a token, and is not in the roster yet.
  expect_refused(s.fac.client().send(sdk::cmd::remove_member("p2")), v1::ERROR_CODE_UNKNOWN_PARTICIPANT,
                 before.version());

  s.expect_unchanged(before);
  s.expect_others_served();
  // And p2 can still come in.
  auto raw = s.join_raw("p2");
  CHECK(sdk::find_member(raw->state(), "p2") != nullptr);
}

TEST_CASE("Commands: SetPresenter to an id not in the roster is refused as UNKNOWN_PARTICIPANT",
          "[hostile][commands]") {
  HostileSession s;
  const auto before = s.snapshot();

  expect_refused(s.fac.client().send(sdk::cmd::set_presenter("ghost")), v1::ERROR_CODE_UNKNOWN_PARTICIPANT,
                 before.version());

  s.expect_unchanged(before);
  CHECK(s.fac.client().state().presenter_id() == "pres");
  s.expect_others_served();
}

TEST_CASE("Commands: SetGoAroundOrder naming an id not in the roster is refused as UNKNOWN_PARTICIPANT",
          "[hostile][commands]") {
  HostileSession s;
  const auto before = s.snapshot();

  expect_refused(s.fac.client().send(sdk::cmd::set_go_around_order({"p1", "ghost"})),
                 v1::ERROR_CODE_UNKNOWN_PARTICIPANT, before.version());

  s.expect_unchanged(before);
  s.expect_others_served();
}

TEST_CASE("Commands: SetGoAroundOrder naming someone twice is refused as INVALID_ARGUMENT", "[hostile][commands]") {
  HostileSession s;
  const auto before = s.snapshot();

  expect_refused(s.fac.client().send(sdk::cmd::set_go_around_order({"p1", "fac", "p1"})),
                 v1::ERROR_CODE_INVALID_ARGUMENT, before.version());

  s.expect_unchanged(before);
  s.expect_others_served();
}

TEST_CASE("Commands: a facilitator naming a member of another session is refused as UNKNOWN_PARTICIPANT",
          "[hostile][commands]") {
  HostileSession s;
  // Session B on the same server, with a member of its own connected.
  sdk::SessionRequest other;
  other.name = "the other group";
  other.format = "ccdg";
  other.invitees = {invitee("b-fac", "Dr Bea", "facilitator"), invitee("b-p1", "Bo", "participant")};
  auto admin = s.server.admin();
  const auto b = admin.create_session(other);
  Member b_p1("session B participant");
  b_p1.join(b.invites[1]);
  const auto before = s.snapshot();
  const auto b_before = admin.get_session(b.session_id);

  for (const auto& command : {sdk::cmd::mute("b-p1"), sdk::cmd::remove_member("b-p1"), sdk::cmd::give_floor("b-p1"),
                              sdk::cmd::set_presenter("b-p1")}) {
    INFO(command.ShortDebugString());
    expect_refused(s.fac.client().send(command), v1::ERROR_CODE_UNKNOWN_PARTICIPANT, before.version());
  }

  s.expect_unchanged(before);
  s.expect_others_served();
  // Session B did not move either, and its member is still served.
  auto b_after = admin.get_session(b.session_id);
  CHECK(b_after.version() == b_before.version());
  const auto* bo = sdk::find_member(b_after, "b-p1");
  REQUIRE(bo != nullptr);
  CHECK_FALSE(bo->muted());
  CHECK(bo->connection() == v1::CONNECTION_STATUS_CONNECTED);
  CHECK(b_p1.client().send(sdk::cmd::raise_hand()).code() == v1::ERROR_CODE_OK);
}

// --- A participant reaching for the facilitator's powers -----------------------

TEST_CASE("Commands: NextPhase from a participant is refused as PERMISSION_DENIED", "[hostile][commands]") {
  HostileSession s;
  auto raw = s.join_raw("p2");
  const auto before = s.snapshot();

  REQUIRE(raw->send_command(31, sdk::cmd::next_phase()));
  expect_refused(raw->wait_result(31), v1::ERROR_CODE_PERMISSION_DENIED, before.version());

  s.expect_unchanged(before);
  s.expect_others_served();
}

TEST_CASE("Commands: Mute from a participant is refused as PERMISSION_DENIED", "[hostile][commands]") {
  HostileSession s;
  auto raw = s.join_raw("p2");
  const auto before = s.snapshot();

  REQUIRE(raw->send_command(32, sdk::cmd::mute("p1")));
  expect_refused(raw->wait_result(32), v1::ERROR_CODE_PERMISSION_DENIED, before.version());

  s.expect_unchanged(before);
  s.expect_others_served();
}

TEST_CASE("Commands: RemoveMember from a participant is refused as PERMISSION_DENIED", "[hostile][commands]") {
  HostileSession s;
  auto raw = s.join_raw("p2");
  const auto before = s.snapshot();

  // Removing the facilitator would leave the session without a leader.
  REQUIRE(raw->send_command(33, sdk::cmd::remove_member("fac")));
  expect_refused(raw->wait_result(33), v1::ERROR_CODE_PERMISSION_DENIED, before.version());

  s.expect_unchanged(before);
  s.expect_others_served();
}

TEST_CASE("Commands: a participant raising another member's hand is refused as PERMISSION_DENIED",
          "[hostile][commands]") {
  HostileSession s;
  auto raw = s.join_raw("p2");
  const auto before = s.snapshot();

  REQUIRE(raw->send_command(34, sdk::cmd::raise_hand("p1")));
  expect_refused(raw->wait_result(34), v1::ERROR_CODE_PERMISSION_DENIED, before.version());

  s.expect_unchanged(before);
  s.expect_others_served();
}

// --- Replays ---------------------------------------------------------------

TEST_CASE("Commands: the same command bytes sent twice do not act twice", "[hostile][commands]") {
  HostileSession s;
  auto raw = s.join_raw("p2");

  const auto bytes = wire::command_message(41, sdk::cmd::raise_hand());
  REQUIRE(raw->send_binary(bytes));
  const auto first = raw->wait_result(41);
  REQUIRE(first.has_value());
  REQUIRE(first->code() == v1::ERROR_CODE_OK);
  wait_all({&s.fac, &s.p1}, first->state_version());
  const auto before = s.snapshot();

  // The replay, byte for byte, request id included.
  REQUIRE(raw->send_binary(bytes));
  const auto second = raw->wait_result(41);
  REQUIRE(second.has_value());
  INFO("the replay was answered: " << sdk::describe(*second));
  CHECK(second->code() != v1::ERROR_CODE_OK);
  CHECK_FALSE(second->message().empty());
  CHECK(second->state_version() == before.version());

  s.expect_unchanged(before);
  CHECK(s.fac.client().state().hand_queue_size() == 1);
  s.expect_others_served();
}

TEST_CASE("Commands: a replayed command that would act again is refused as DUPLICATE_REQUEST", "[hostile][commands]") {
  HostileSession s;
  auto raw = s.join_raw("p2");
  const auto raise = wire::command_message(50, sdk::cmd::raise_hand());
  REQUIRE(raw->send_binary(raise));
  REQUIRE(raw->wait_result(50)->code() == v1::ERROR_CODE_OK);
  REQUIRE(raw->send_command(51, sdk::cmd::lower_hand()));
  const auto lowered = raw->wait_result(51);
  REQUIRE(lowered->code() == v1::ERROR_CODE_OK);
  wait_all({&s.fac, &s.p1}, lowered->state_version());
  const auto before = s.snapshot();

  // Applied again, the old bytes would raise the hand again.
  REQUIRE(raw->send_binary(raise));
  expect_refused(raw->wait_result(50), v1::ERROR_CODE_DUPLICATE_REQUEST, before.version());
  s.expect_unchanged(before);
  CHECK(s.fac.client().state().hand_queue_size() == 0);
  s.expect_others_served();
}

TEST_CASE("Commands: a stale request id is refused as DUPLICATE_REQUEST, a higher one is served", "[hostile][commands]") {
  HostileSession s;
  auto raw = s.join_raw("p2");
  REQUIRE(raw->send_command(1000, sdk::cmd::lower_hand()));
  REQUIRE(raw->wait_result(1000)->code() == v1::ERROR_CODE_NO_CHANGE);
  const auto before = s.snapshot();

  REQUIRE(raw->send_command(999, sdk::cmd::raise_hand()));
  const auto stale = raw->wait_result(999);
  expect_refused(stale, v1::ERROR_CODE_DUPLICATE_REQUEST, before.version());
  CHECK_THAT(stale->message(), Catch::Contains("1000"));
  s.expect_unchanged(before);
  REQUIRE(raw->send_command(1001, sdk::cmd::lower_hand()));
  CHECK(raw->wait_result(1001)->code() == v1::ERROR_CODE_NO_CHANGE);
  s.expect_others_served();
}

// --- Names no person has ---------------------------------------------------

TEST_CASE("Commands: an attendee name that is not UTF-8 is refused as MALFORMED", "[hostile][commands]") {
  HostileSession s;
  auto room = s.join_raw("room1");
  const auto before = s.snapshot();

  // proto3 checks `string` fields while parsing, so the whole envelope is
  // refused before the command is looked at.
  // Encoded by hand: the generated code would complain while writing it.
  const auto attendee = wire::bytes_field(1, "Dr \xc3\x28 \xff");
  const auto command = wire::bytes_field(18, attendee);  // Command.add_room_attendee
  REQUIRE(room->send_binary(wire::varint_field(1, 51) + wire::bytes_field(2, command)));
  expect_refused(room->wait_result(0), v1::ERROR_CODE_MALFORMED, before.version());

  s.expect_unchanged(before);
  s.expect_others_served();
}

TEST_CASE("Commands: an absurdly long attendee name is refused as INVALID_ARGUMENT", "[hostile][commands]") {
  HostileSession s;
  auto room = s.join_raw("room1");
  const auto before = s.snapshot();

  REQUIRE(room->send_command(52, sdk::cmd::add_room_attendee(std::string(60 * 1024, 'A'))));
  expect_refused(room->wait_result(52), v1::ERROR_CODE_INVALID_ARGUMENT, before.version());

  s.expect_unchanged(before);
  s.expect_others_served();
}

TEST_CASE("Commands: an id with control bytes is refused as UNKNOWN_PARTICIPANT", "[hostile][commands]") {
  HostileSession s;
  const auto before = s.snapshot();

  // "p1" followed by a NUL and an escape: not p1, and not anyone else.
  expect_refused(s.fac.client().send(sdk::cmd::mute(std::string("p1\0\x1b[2J", 7))), v1::ERROR_CODE_UNKNOWN_PARTICIPANT,
                 before.version());

  s.expect_unchanged(before);
  s.expect_others_served();
}

}  // namespace balint::test
