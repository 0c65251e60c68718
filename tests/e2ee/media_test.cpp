#include "balint/e2ee/media.hpp"

#include "balint/e2ee/bytes.hpp"
#include "balint/e2ee/derive.hpp"

#include <catch2/catch.hpp>

using namespace balint::e2ee;

namespace {

Key test_media_key() { return media_key(Key::from_bytes(std::string(32, '\x44'))); }

}  // namespace

TEST_CASE("media_ad and the nonce are as the spec writes them", "[e2ee]") {
  const std::string expected = ByteWriter().label("balint-room/v1/media").str("s").u64(2).str("a").u64(1).u64(9).take();
  CHECK(media_ad({"s", 2, "a", 1, 9}) == expected);
  CHECK(media_nonce(0x0102) == std::string("\0\0\0\0\0\0\x01\x02", 8) + std::string(16, '\0'));
}

TEST_CASE("a media frame round-trips and carries its epoch and counter in the clear", "[e2ee]") {
  const Key key = test_media_key();
  const std::string frame = "\x01\x02\x03 opus frame";
  const std::string payload = seal_media_frame(frame, {"s1", 5, "alice", 0, 17}, key);
  CHECK(payload.size() == 16 + frame.size() + 16);
  const auto header = read_media_header(payload);
  REQUIRE(header);
  CHECK(header->epoch == 5);
  CHECK(header->counter == 17);

  MediaReceiver receiver(test_media_key());
  const auto opened = receiver.open(payload, "s1", 5, "alice", 0);
  REQUIRE(opened.ok());
  CHECK(*opened.value == frame);
  CHECK(receiver.last_counter() == 17);

  // An empty frame is fine too.
  const auto empty = receiver.open(seal_media_frame("", {"s1", 5, "alice", 1, 18}, key), "s1", 5, "alice", 1);
  REQUIRE(empty.ok());
  CHECK(empty.value->empty());
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
  std::string other_counter = payload;
  other_counter[15] = '\x04';
  CHECK(receiver.open(other_counter, "s1", 5, "alice", 0).error == Error::tampered);
  CHECK(receiver.open(payload, "s1", 6, "alice", 0).error == Error::stale_epoch);
  CHECK(receiver.open(payload, "s1", 4, "alice", 0).error == Error::no_key);
  CHECK(receiver.open(payload.substr(0, 31), "s1", 5, "alice", 0).error == Error::malformed);
  CHECK_FALSE(receiver.last_counter());

  REQUIRE(receiver.open(payload, "s1", 5, "alice", 0).ok());
  CHECK(receiver.open(payload, "s1", 5, "alice", 0).error == Error::replay);
  const std::string older = seal_media_frame("older", {"s1", 5, "alice", 1, 2}, key);
  CHECK(receiver.open(older, "s1", 5, "alice", 1).error == Error::replay);
  const std::string later = seal_media_frame("later", {"s1", 5, "alice", 1, 400000}, key);
  CHECK(receiver.open(later, "s1", 5, "alice", 1).ok());  // Frames may be lost: no cap.
}
