// One or two keyrings driven by hand: the rules of set_membership,
// accept_sender_key and sealing, without a simulated server.
#include "balint/e2ee/keyring.hpp"

#include "balint/e2ee/media.hpp"

#include <catch2/catch.hpp>

using namespace balint::e2ee;

namespace {

constexpr const char* kSession = "session-k";

struct Member {
  Member(std::string id_, std::uint64_t seed)
      : id(std::move(id_)),
        name("Name of " + id),
        random(seed),
        keyring(kSession, id, Identity::generate(random), random) {}

  RosterKeys roster_entry() const { return {id, name, keyring.announce(name)}; }

  std::string id;
  std::string name;
  SeededRandom random;
  Keyring keyring;
};

}  // namespace

TEST_CASE("a keyring's announcement verifies for its session, id and name", "[e2ee]") {
  Member alice("alice", 1);
  const Announcement announcement = alice.keyring.announce(alice.name);
  CHECK(verify_announcement(announcement, kSession, "alice", alice.name));
  CHECK_FALSE(verify_announcement(announcement, kSession, "alice", "Someone else"));
}

TEST_CASE("before any epoch a keyring seals and opens nothing", "[e2ee]") {
  Member alice("alice", 1);
  CHECK(alice.keyring.epoch() == 0);
  CHECK(alice.keyring.security_code().empty());
  CHECK(alice.keyring.seal_chat("hi", "").error == Error::no_key);
  CHECK(alice.keyring.seal_media(0, "frame").error == Error::no_key);
  CHECK(alice.keyring.open_chat("bob", SealedChat{}).error == Error::no_key);
  CHECK(alice.keyring.accept_sender_key("bob", 1, std::string(72, '\0')) == Error::no_key);
  CHECK_FALSE(alice.keyring.next_expiry());
}

TEST_CASE("a member alone gets an epoch, a code and an empty bundle", "[e2ee]") {
  Member alice("alice", 1);
  const MembershipChange change = alice.keyring.set_membership(1, {alice.roster_entry()}, 0);
  REQUIRE(change.bundle);
  CHECK(change.bundle->epoch == 1);
  CHECK(change.bundle->keys.empty());
  CHECK(change.invalid.empty());
  CHECK(change.code_changed);
  CHECK(alice.keyring.epoch() == 1);
  CHECK(alice.keyring.security_code().size() == 47);
  CHECK(alice.keyring.seal_chat("to no one yet", "").ok());
}

TEST_CASE("invalid announcements are reported and left out of everything", "[e2ee]") {
  Member alice("alice", 1), bob("bob", 2), carol("carol", 3);
  RosterKeys forged_bob = bob.roster_entry();
  forged_bob.display_name = "Bob the Admin";  // Not what bob signed.
  RosterKeys twice = carol.roster_entry();
  const auto change =
      alice.keyring.set_membership(4, {alice.roster_entry(), forged_bob, carol.roster_entry(), twice}, 0);
  CHECK(change.invalid == std::vector<std::string>{"bob", "carol"});
  REQUIRE(change.bundle);
  CHECK(change.bundle->keys.empty());
  CHECK(alice.keyring.seal_chat("psst", "bob").error == Error::unknown_sender);
  CHECK(alice.keyring.seal_chat("psst", "carol").error == Error::unknown_sender);
  CHECK(alice.keyring.seal_chat("psst", "alice").error == Error::unknown_sender);
}

TEST_CASE("my own id with keys that are not mine makes me no member", "[e2ee]") {
  Member alice("alice", 1), impostor("alice", 9), bob("bob", 2);
  const auto change = alice.keyring.set_membership(1, {impostor.roster_entry(), bob.roster_entry()}, 0);
  CHECK(change.invalid == std::vector<std::string>{"alice"});
  CHECK_FALSE(change.bundle);
  CHECK(alice.keyring.seal_chat("hi", "").error == Error::no_key);
  CHECK(alice.keyring.seal_media(0, "x").error == Error::no_key);
}

TEST_CASE("an epoch not above the current one changes nothing", "[e2ee]") {
  Member alice("alice", 1), bob("bob", 2);
  REQUIRE(alice.keyring.set_membership(5, {alice.roster_entry()}, 0).bundle);
  const std::string code = alice.keyring.security_code();
  const auto same = alice.keyring.set_membership(5, {alice.roster_entry(), bob.roster_entry()}, 0);
  CHECK_FALSE(same.bundle);
  CHECK_FALSE(same.code_changed);
  CHECK(alice.keyring.seal_chat("x", "bob").error == Error::unknown_sender);
  CHECK_FALSE(alice.keyring.set_membership(4, {alice.roster_entry(), bob.roster_entry()}, 0).bundle);
  CHECK(alice.keyring.security_code() == code);
  CHECK(alice.keyring.epoch() == 5);
}

TEST_CASE("sender keys are taken once per sender and epoch, for epochs held only", "[e2ee]") {
  Member alice("alice", 1), bob("bob", 2), carol("carol", 3);
  const std::vector<RosterKeys> roster{alice.roster_entry(), bob.roster_entry()};
  const auto from_alice = alice.keyring.set_membership(1, roster, 0);
  REQUIRE(bob.keyring.set_membership(1, roster, 0).bundle);
  REQUIRE(from_alice.bundle);
  REQUIRE(from_alice.bundle->keys.size() == 1);
  const SealedSenderKey& for_bob = from_alice.bundle->keys[0];
  CHECK(for_bob.recipient_id == "bob");
  CHECK(for_bob.sealed.size() == 72);

  CHECK(bob.keyring.accept_sender_key("alice", 2, for_bob.sealed) == Error::no_key);
  CHECK(bob.keyring.accept_sender_key("carol", 1, for_bob.sealed) == Error::unknown_sender);
  CHECK(bob.keyring.accept_sender_key("alice", 1, for_bob.sealed.substr(1)) == Error::malformed);
  std::string flipped = for_bob.sealed;
  flipped[40] = static_cast<char>(flipped[40] ^ 2);
  CHECK(bob.keyring.accept_sender_key("alice", 1, flipped) == Error::tampered);
  CHECK(bob.keyring.accept_sender_key("alice", 1, for_bob.sealed) == Error::ok);
  CHECK(bob.keyring.accept_sender_key("alice", 1, for_bob.sealed) == Error::replay);

  // Bob's share is sealed to bob: carol cannot open it, even with a view of epoch 1 of her own.
  REQUIRE(carol.keyring.set_membership(1, {alice.roster_entry(), carol.roster_entry()}, 0).bundle);
  CHECK(carol.keyring.accept_sender_key("alice", 1, for_bob.sealed) == Error::tampered);

  // Below the current epoch, an epoch not held is over.
  REQUIRE(bob.keyring.set_membership(3, roster, 0).bundle);
  CHECK(bob.keyring.accept_sender_key("alice", 2, for_bob.sealed) == Error::stale_epoch);
}

TEST_CASE("chat and media counters restart at 0 with each epoch's fresh sender secret", "[e2ee]") {
  Member alice("alice", 1), bob("bob", 2);
  const std::vector<RosterKeys> roster{alice.roster_entry(), bob.roster_entry()};
  const auto first = alice.keyring.set_membership(1, roster, 0);
  CHECK(alice.keyring.seal_chat("a", "")->counter == 0);
  CHECK(alice.keyring.seal_chat("b", "")->counter == 1);
  CHECK(alice.keyring.seal_chat("c", "bob")->counter == 0);  // The direct chain counts on its own.
  CHECK(read_media_header(*alice.keyring.seal_media(0, "f").value, 0)->counter == 0);
  CHECK(read_media_header(*alice.keyring.seal_media(1, "f").value, 1)->counter == 1);  // Shared by tracks.

  const auto second = alice.keyring.set_membership(2, roster, 100);
  REQUIRE(first.bundle);
  REQUIRE(second.bundle);
  CHECK(first.bundle->keys[0].sealed != second.bundle->keys[0].sealed);
  const auto chat = alice.keyring.seal_chat("d", "");
  CHECK(chat->epoch == 2);
  CHECK(chat->counter == 0);
  CHECK(read_media_header(*alice.keyring.seal_media(0, "f").value, 0)->epoch == 2);
  CHECK(read_media_header(*alice.keyring.seal_media(0, "f").value, 0)->counter == 1);
  CHECK(alice.keyring.seal_chat(std::string(4001, 'x'), "").error == Error::too_long);
  CHECK(alice.keyring.seal_chat(std::string(4000, 'x'), "").ok());
}

TEST_CASE("a past epoch stays for the grace, then expire() wipes it", "[e2ee]") {
  SeededRandom random(5);
  Keyring keyring(kSession, "alice", Identity::generate(random), random, 2000);
  const auto entry = [&] { return RosterKeys{"alice", "A", keyring.announce("A")}; };
  keyring.set_membership(1, {entry()}, 1000);
  CHECK_FALSE(keyring.next_expiry());
  keyring.set_membership(2, {entry()}, 1500);
  CHECK(keyring.next_expiry() == 3500);
  keyring.set_membership(3, {entry()}, 3000);
  CHECK(keyring.next_expiry() == 3500);
  keyring.expire(3499);
  CHECK(keyring.next_expiry() == 3500);
  keyring.expire(3500);
  CHECK(keyring.next_expiry() == 5000);
  keyring.expire(5000);
  CHECK_FALSE(keyring.next_expiry());
  CHECK(keyring.epoch() == 3);
  CHECK(keyring.seal_chat("still here", "").ok());
}

TEST_CASE("a keyring can be moved and the source refuses everything", "[e2ee]") {
  Member alice("alice", 1);
  alice.keyring.set_membership(1, {alice.roster_entry()}, 0);
  Keyring moved = std::move(alice.keyring);
  CHECK(moved.seal_chat("hi", "").ok());
  CHECK(alice.keyring.seal_chat("hi", "").error == Error::no_key);  // NOLINT(bugprone-use-after-move)
}
