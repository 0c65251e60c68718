#include "balint/e2ee/media.hpp"

#include "balint/e2ee/bytes.hpp"
#include "balint/e2ee/derive.hpp"

#include <catch2/catch.hpp>

using namespace balint::e2ee;

namespace {

Key test_media_key() { return media_key(Key::from_bytes(std::string(32, '\x44'))); }

constexpr FrameFlags kKeyFrame{true, 0};
constexpr FrameFlags kTopLayer{false, 2};

}  // namespace

TEST_CASE("media_ad and the nonce are as the spec writes them", "[e2ee]") {
  const std::string expected =
      ByteWriter().label("balint-room/v1/media").str("s").u64(2).str("a").u64(1).u64(9).u8(0x04).take();
  CHECK(media_ad({"s", 2, "a", 1, 9, kTopLayer}) == expected);
  CHECK(media_nonce(0x0102) == std::string("\0\0\0\0\0\0\x01\x02", 8) + std::string(16, '\0'));
}

TEST_CASE("the flags byte: key frame in bit 0, temporal layer in bits 1 and 2", "[e2ee]") {
  CHECK(flags_byte({}) == 0x00);
  CHECK(flags_byte(kKeyFrame) == 0x01);
  CHECK(flags_byte({false, 1}) == 0x02);
  CHECK(flags_byte(kTopLayer) == 0x04);
  CHECK(read_flags(0x01, kCameraTrack) == kKeyFrame);
  CHECK(read_flags(0x04, kCameraTrack) == kTopLayer);
  CHECK(read_flags(0x00, kMicrophoneTrack) == FrameFlags{});

  CHECK_FALSE(read_flags(0x06, kCameraTrack));      // Layer 3.
  CHECK_FALSE(read_flags(0x03, kCameraTrack));      // A key frame above the base.
  CHECK_FALSE(read_flags(0x08, kCameraTrack));      // A reserved bit.
  CHECK_FALSE(read_flags(0x80, kCameraTrack));      // The last reserved bit.
  CHECK_FALSE(read_flags(0x01, kMicrophoneTrack));  // The microphone has no key frames.
  CHECK_FALSE(read_flags(0x00, 2));                 // No such track.
}

TEST_CASE("a media frame round-trips and carries its epoch, counter and flags in the clear", "[e2ee]") {
  const Key key = test_media_key();
  const std::string frame = "\x01\x02\x03 vp8 key frame";
  const std::string payload = seal_media_frame(frame, {"s1", 5, "alice", kCameraTrack, 17, kKeyFrame}, key);
  CHECK(payload.size() == 17 + frame.size() + 16);
  const auto header = read_media_header(payload, kCameraTrack);
  REQUIRE(header);
  CHECK(header->epoch == 5);
  CHECK(header->counter == 17);
  CHECK(header->flags == kKeyFrame);
  CHECK_FALSE(read_media_header(payload, kMicrophoneTrack));  // Flags the microphone never writes.

  MediaReceiver receiver(test_media_key());
  const auto opened = receiver.open(payload, "s1", 5, "alice", kCameraTrack);
  REQUIRE(opened.ok());
  CHECK(*opened.value == frame);
  CHECK(receiver.last_counter(kCameraTrack) == 17);
  CHECK_FALSE(receiver.last_counter(kMicrophoneTrack));

  // An empty frame is fine too.
  const auto empty = receiver.open(seal_media_frame("", {"s1", 5, "alice", 0, 18}, key), "s1", 5, "alice", 0);
  REQUIRE(empty.ok());
  CHECK(empty.value->empty());
}

TEST_CASE("the microphone may overtake the camera: each track keeps its own last counter", "[e2ee]") {
  const Key key = test_media_key();
  MediaReceiver receiver(test_media_key());
  const std::string camera = seal_media_frame("camera", {"s1", 5, "alice", kCameraTrack, 10, kKeyFrame}, key);
  const std::string microphone = seal_media_frame("microphone", {"s1", 5, "alice", kMicrophoneTrack, 11}, key);
  REQUIRE(receiver.open(microphone, "s1", 5, "alice", kMicrophoneTrack).ok());
  CHECK(receiver.open(camera, "s1", 5, "alice", kCameraTrack).ok());
  CHECK(receiver.open(camera, "s1", 5, "alice", kCameraTrack).error == Error::replay);
}

TEST_CASE("a media frame is refused on any change, out of order, or for another epoch", "[e2ee]") {
  const Key key = test_media_key();
  MediaReceiver receiver(test_media_key());
  const std::string payload = seal_media_frame("frame", {"s1", 5, "alice", 0, 3}, key);

  std::string flipped = payload;
  flipped.back() = static_cast<char>(flipped.back() ^ 1);
  CHECK(receiver.open(flipped, "s1", 5, "alice", 0).error == Error::tampered);
  CHECK(receiver.open(payload, "s1", 5, "alice", 1).error == Error::tampered);    // Another track.
  CHECK(receiver.open(payload, "s2", 5, "alice", 0).error == Error::tampered);    // Another session.
  CHECK(receiver.open(payload, "s1", 5, "mallory", 0).error == Error::tampered);  // Another sender.
  CHECK(receiver.open(payload, "s1", 5, "alice", 2).error == Error::malformed);   // No such track.
  std::string other_counter = payload;
  other_counter[15] = '\x04';
  CHECK(receiver.open(other_counter, "s1", 5, "alice", 0).error == Error::tampered);
  CHECK(receiver.open(payload, "s1", 6, "alice", 0).error == Error::stale_epoch);
  CHECK(receiver.open(payload, "s1", 4, "alice", 0).error == Error::no_key);
  CHECK(receiver.open(payload.substr(0, 32), "s1", 5, "alice", 0).error == Error::malformed);
  CHECK_FALSE(receiver.last_counter(0));

  // A server that turns a delta into a "key frame" is found out.
  const std::string delta = seal_media_frame("delta", {"s1", 5, "alice", kCameraTrack, 4}, key);
  std::string promoted = delta;
  promoted[16] = '\x01';
  CHECK(receiver.open(promoted, "s1", 5, "alice", kCameraTrack).error == Error::tampered);
  std::string reserved = delta;
  reserved[16] = '\x10';
  CHECK(receiver.open(reserved, "s1", 5, "alice", kCameraTrack).error == Error::malformed);

  REQUIRE(receiver.open(payload, "s1", 5, "alice", 0).ok());
  CHECK(receiver.open(payload, "s1", 5, "alice", 0).error == Error::replay);
  const std::string older = seal_media_frame("older", {"s1", 5, "alice", 0, 2}, key);
  CHECK(receiver.open(older, "s1", 5, "alice", 0).error == Error::replay);
  const std::string later = seal_media_frame("later", {"s1", 5, "alice", 0, 400000}, key);
  CHECK(receiver.open(later, "s1", 5, "alice", 0).ok());  // Frames may be lost: no cap.
}
