// Hostile media: frames from members the speaking rule silences, and track
// numbers nobody uses. Media gets no answer by design, so what is checked
// is what the others hear: silenced frames are dropped, allowed ones arrive
// as sent with the sender stamped by the server.

#include "hostile_session.hpp"

#include <catch2/catch.hpp>

namespace balint::test {
namespace {

// `raw` sends a frame tagged `tag`, then the facilitator (who may always
// speak) sends one too. Round trips on each connection order every relay
// before them, so once p1's own round trip returns, p1 has received every
// frame the server forwarded. Returns whom p1 heard. The raw client has no
// keys, so a frame of its that got through would not open at p1: p1 counts
// it as undecryptable, and that count must stay 0.
std::multiset<std::string> heard_by_p1(HostileSession& s, RawClient& raw, const std::string& tag,
                                       std::uint64_t request_id) {
  wait_keys_settled({&s.fac, &s.p1});
  REQUIRE(raw.send_media(0, tag + "|" + raw.welcome().participant_id()));
  REQUIRE(raw.send_command(request_id, sdk::cmd::lower_hand()));
  REQUIRE(raw.wait_result(request_id).has_value());
  REQUIRE(s.fac.send_tagged_media(tag));
  REQUIRE(s.fac.client().send(s.fac.harmless_command()).code() == v1::ERROR_CODE_NO_CHANGE);
  REQUIRE(s.p1.client().send(s.p1.harmless_command()).code() == v1::ERROR_CODE_NO_CHANGE);
  CHECK(s.p1.client().undecryptable_media_frames() == 0);
  return s.p1.senders_with_tag(tag);
}

bool may_speak(const v1::SessionState& state, const std::string& id) {
  const auto* member = sdk::find_member(state, id);
  return member && member->may_speak();
}

}  // namespace

TEST_CASE("Media: a participant's frames during the presentation are dropped", "[hostile][media]") {
  HostileSession s;
  auto raw = s.join_raw("p2");
  s.go_to_phase(0);  // Presentation: the presenter alone.
  const auto before = s.snapshot();
  REQUIRE_FALSE(may_speak(before, "p2"));

  CHECK(heard_by_p1(s, *raw, "presentation", 71) == std::multiset<std::string>{"fac"});

  s.expect_unchanged(before);
  s.expect_others_served();
}

TEST_CASE("Media: the presenter's frames during the observation are dropped", "[hostile][media]") {
  HostileSession s;
  auto presenter = s.join_raw("pres");
  s.go_to_phase(2);  // Observation: everyone but the presenter.
  const auto before = s.snapshot();
  REQUIRE_FALSE(may_speak(before, "pres"));
  REQUIRE(may_speak(before, "p1"));

  CHECK(heard_by_p1(s, *presenter, "observation", 72) == std::multiset<std::string>{"fac"});

  s.expect_unchanged(before);
  s.expect_others_served();
}

TEST_CASE("Media: a muted member's frames are dropped", "[hostile][media]") {
  HostileSession s;
  auto raw = s.join_raw("p2");
  wait_all({&s.fac, &s.p1}, must(s.fac, sdk::cmd::mute("p2")));  // In the lobby, where all may speak.
  const auto before = s.snapshot();
  REQUIRE_FALSE(may_speak(before, "p2"));

  CHECK(heard_by_p1(s, *raw, "muted", 73) == std::multiset<std::string>{"fac"});

  s.expect_unchanged(before);
  s.expect_others_served();
}

TEST_CASE("Media: a frame on a track of no kind is dropped, and the sender goes on being served", "[hostile][media]") {
  HostileSession s;
  auto raw = s.join_raw("p2");
  auto listener = s.join_raw("pres");
  const auto before = s.snapshot();
  REQUIRE(may_speak(before, "p2"));  // The lobby: the microphone would be forwarded.

  REQUIRE(raw->send_media(0xFFFFFFFFu, "huge track|p2"));
  REQUIRE(raw->send_media(v1::MEDIA_TRACK_MICROPHONE, "microphone|p2"));
  // The microphone frame, sent after it on the same connection, is the first to arrive.
  const auto frame = listener->wait_media();
  REQUIRE(frame.has_value());
  CHECK(frame->sender_id() == "p2");
  CHECK(frame->track() == v1::MEDIA_TRACK_MICROPHONE);
  CHECK(frame->payload() == "microphone|p2");
  // The sender's connection is in order: its next command is answered.
  REQUIRE(raw->send_command(74, sdk::cmd::lower_hand()));
  expect_refused(raw->wait_result(74), v1::ERROR_CODE_NO_CHANGE, before.version());

  s.expect_unchanged(before);
  s.expect_others_served();
}

namespace {

// A camera payload with this flags byte: epoch, counter, flags, then bytes
// where the AEAD would be (the server opens nothing; it reads the header).
std::string camera_payload(char flags, std::size_t sealed_bytes = 20) {
  std::string payload(16, '\0');
  payload.push_back(flags);
  payload.append(sealed_bytes, 'x');
  return payload;
}

}  // namespace

TEST_CASE("Media: a camera frame whose clear header no receiver would accept is dropped", "[hostile][media][video]") {
  HostileSession s;
  auto raw = s.join_raw("p2");
  auto listener = s.join_raw("pres");
  REQUIRE(raw->send_command(80, sdk::cmd::set_camera(true)));
  REQUIRE(raw->wait_result(80).has_value());
  const auto before = s.snapshot();
  REQUIRE(sdk::find_member(before, "p2")->may_send_video());

  REQUIRE(raw->send_media(v1::MEDIA_TRACK_CAMERA, camera_payload('\x10')));     // A reserved bit.
  REQUIRE(raw->send_media(v1::MEDIA_TRACK_CAMERA, camera_payload('\x03')));     // A key frame above the base.
  REQUIRE(raw->send_media(v1::MEDIA_TRACK_CAMERA, camera_payload('\x01', 10)));  // Shorter than header and tag.
  REQUIRE(raw->send_media(v1::MEDIA_TRACK_CAMERA, camera_payload('\x01')));     // A key frame, as a sender writes it.
  const auto frame = listener->wait_media();
  REQUIRE(frame.has_value());
  CHECK(frame->track() == v1::MEDIA_TRACK_CAMERA);
  CHECK(frame->payload() == camera_payload('\x01'));

  // Asking for key frames needs no request id and gets no answer; pausing
  // video is answered, and needs one.
  v1::ClientMessage ask;
  ask.mutable_request_key_frame()->set_sender_id("nobody");
  REQUIRE(raw->send(ask));
  v1::ClientMessage pause;
  pause.mutable_video_reception()->set_paused(true);
  REQUIRE(raw->send(pause));
  expect_refused(raw->wait_result(0), v1::ERROR_CODE_INVALID_ARGUMENT, before.version());
  pause.set_request_id(81);
  REQUIRE(raw->send(pause));
  const auto paused = raw->wait_result(81);
  REQUIRE(paused.has_value());
  CHECK(paused->code() == v1::ERROR_CODE_OK);

  s.expect_unchanged(before);
  s.expect_others_served();
}

}  // namespace balint::test
