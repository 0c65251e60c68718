#include "balint/e2ee/announcement.hpp"

#include "balint/e2ee/bytes.hpp"
#include "balint/e2ee/hex.hpp"

#include "test_keys.hpp"

#include <catch2/catch.hpp>

using namespace balint::e2ee;
using namespace balint::e2ee::testing;

TEST_CASE("identities come from their seeds and differ between seeds", "[e2ee]") {
  const Identity a = Identity::from_seeds(std::string(32, '\x01'), std::string(32, '\x02'));
  const Identity b = Identity::from_seeds(std::string(32, '\x01'), std::string(32, '\x02'));
  const Identity c = Identity::from_seeds(std::string(32, '\x03'), std::string(32, '\x02'));
  CHECK(a.identity_public().size() == 32);
  CHECK(a.exchange_public().size() == 32);
  CHECK(a.identity_public() == b.identity_public());
  CHECK(a.exchange_public() == b.exchange_public());
  CHECK(a.identity_public() != c.identity_public());
  CHECK(a.exchange_public() == c.exchange_public());
  CHECK(test_identity(1).identity_public() == test_identity(1).identity_public());
  CHECK_THROWS_AS(Identity::from_seeds("short", std::string(32, '\x02')), std::invalid_argument);
}

TEST_CASE("announce_bytes is the label, three strings and the two keys", "[e2ee]") {
  const std::string bytes = announce_bytes("s", "p", "Ann", std::string(32, 'I'), std::string(32, 'X'));
  const std::string expected = ByteWriter()
                                   .label("balint-room/v1/announce")
                                   .str("s")
                                   .str("p")
                                   .str("Ann")
                                   .raw(std::string(32, 'I'))
                                   .raw(std::string(32, 'X'))
                                   .take();
  CHECK(bytes == expected);
  CHECK(bytes.size() == 23 + 5 + 5 + 7 + 64);
}

TEST_CASE("an announcement verifies for exactly what it was made for", "[e2ee]") {
  const Identity alice = test_identity(1);
  const Announcement announcement = make_announcement(alice, "session-1", "alice", "Alice");
  CHECK(announcement.identity_key == alice.identity_public());
  CHECK(announcement.exchange_key == alice.exchange_public());
  CHECK(announcement.signature.size() == 64);
  CHECK(verify_announcement(announcement, "session-1", "alice", "Alice"));

  CHECK(check_announcement(announcement, "session-2", "alice", "Alice") == Error::bad_signature);
  CHECK(check_announcement(announcement, "session-1", "mallory", "Alice") == Error::bad_signature);
  CHECK(check_announcement(announcement, "session-1", "alice", "Alicia") == Error::bad_signature);

  SECTION("any flipped bit in the signature or the keys is refused") {
    for (std::size_t i = 0; i < 64; i += 7) {
      Announcement tampered = announcement;
      tampered.signature[i] = static_cast<char>(tampered.signature[i] ^ 0x10);
      CHECK(check_announcement(tampered, "session-1", "alice", "Alice") == Error::bad_signature);
    }
    Announcement swapped = announcement;
    swapped.exchange_key = test_identity(2).exchange_public();
    CHECK(check_announcement(swapped, "session-1", "alice", "Alice") == Error::bad_signature);
  }

  SECTION("lengths are checked before the signature") {
    Announcement short_key = announcement;
    short_key.identity_key.pop_back();
    CHECK(check_announcement(short_key, "session-1", "alice", "Alice") == Error::bad_key);
    Announcement long_key = announcement;
    long_key.exchange_key.push_back('\0');
    CHECK(check_announcement(long_key, "session-1", "alice", "Alice") == Error::bad_key);
    Announcement short_signature = announcement;
    short_signature.signature.pop_back();
    CHECK(check_announcement(short_signature, "session-1", "alice", "Alice") == Error::bad_signature);
  }
}

TEST_CASE("a wiped identity keeps its public keys but no longer signs", "[e2ee]") {
  Identity identity = test_identity(3);
  const std::string public_key = identity.identity_public();
  identity.wipe();
  CHECK(identity.wiped());
  CHECK(identity.identity_public() == public_key);
  CHECK(identity.exchange_secret().reveal() == std::string(32, '\0'));
  CHECK_THROWS_AS(identity.sign("x"), std::logic_error);
}
