#include "balint/e2ee/sender_key.hpp"

#include "balint/e2ee/bytes.hpp"
#include "balint/e2ee/derive.hpp"
#include "balint/e2ee/pairwise.hpp"

#include "test_keys.hpp"

#include <catch2/catch.hpp>

using namespace balint::e2ee;
using namespace balint::e2ee::testing;

TEST_CASE("sender_key_ad is label, session, epoch, sender and recipient", "[e2ee]") {
  const std::string expected =
      ByteWriter().label("balint-room/v1/sender-key").str("s").u64(9).str("alice").str("bob").take();
  CHECK(sender_key_ad({"s", 9, "alice", "bob"}) == expected);
}

TEST_CASE("a sender secret sealed to a member opens for them with exactly that context", "[e2ee]") {
  const Identity alice = test_identity(20);
  const Identity bob = test_identity(21);
  const auto alice_bob = pair_keys(alice, bob.exchange_public());
  const auto bob_alice = pair_keys(bob, alice.exchange_public());
  REQUIRE(alice_bob.ok());
  REQUIRE(bob_alice.ok());

  SeededRandom random(22);
  const Key secret = random_secret<32>(random);
  const SenderKeyContext context{"session-1", 4, "alice", "bob"};
  const std::string sealed = seal_sender_key(secret, alice_bob.value->tx, context, random);
  REQUIRE(sealed.size() == 72);

  const auto opened = open_sender_key(sealed, bob_alice.value->rx, context);
  REQUIRE(opened.ok());
  CHECK(opened.value->equals(secret));

  SECTION("other associated data is refused") {
    CHECK(open_sender_key(sealed, bob_alice.value->rx, {"session-2", 4, "alice", "bob"}).error == Error::tampered);
    CHECK(open_sender_key(sealed, bob_alice.value->rx, {"session-1", 5, "alice", "bob"}).error == Error::tampered);
    CHECK(open_sender_key(sealed, bob_alice.value->rx, {"session-1", 4, "carol", "bob"}).error == Error::tampered);
    CHECK(open_sender_key(sealed, bob_alice.value->rx, {"session-1", 4, "alice", "carol"}).error == Error::tampered);
  }
  SECTION("another key, a flipped bit and a wrong length are refused") {
    CHECK(open_sender_key(sealed, bob_alice.value->tx, context).error == Error::tampered);
    for (std::size_t i = 0; i < sealed.size(); i += 11) {
      std::string flipped = sealed;
      flipped[i] = static_cast<char>(flipped[i] ^ 0x01);
      CHECK(open_sender_key(flipped, bob_alice.value->rx, context).error == Error::tampered);
    }
    CHECK(open_sender_key(sealed.substr(0, 71), bob_alice.value->rx, context).error == Error::malformed);
    CHECK(open_sender_key(sealed + "x", bob_alice.value->rx, context).error == Error::malformed);
  }
  SECTION("each seal draws a fresh nonce") {
    const std::string again = seal_sender_key(secret, alice_bob.value->tx, context, random);
    CHECK(again.substr(0, 24) != sealed.substr(0, 24));
    CHECK(open_sender_key(again, bob_alice.value->rx, context).ok());
  }
}

TEST_CASE("the group chain, media key and direct chains are distinct derivations", "[e2ee]") {
  const Key secret = Key::from_bytes(std::string(32, '\x11'));
  const Key group = group_chain_root(secret);
  const Key media = media_key(secret);
  CHECK_FALSE(group.equals(media));
  CHECK_FALSE(group.equals(secret));
  CHECK(direct_chain_root(secret, 1).equals(direct_chain_root(secret, 1)));
  CHECK_FALSE(direct_chain_root(secret, 1).equals(direct_chain_root(secret, 2)));
}
