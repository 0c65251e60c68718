// The engine's part in end-to-end encryption: announced keys in the roster,
// the key epoch, and the checks on encrypted chat and sender-key hand-outs.
#include "session_fixture.hpp"

namespace core_test {
namespace {

// Distinct, well-sized keys for member number `n` (the engine checks lengths
// and uniqueness, never the cryptography).
v1::KeyAnnouncement keys_of(int n) {
  v1::KeyAnnouncement k;
  k.set_identity_key(std::string(32, static_cast<char>('a' + n)));
  k.set_exchange_key(std::string(32, static_cast<char>('A' + n)));
  k.set_signature(std::string(64, static_cast<char>('0' + n)));
  return k;
}

v1::Command announce(const v1::KeyAnnouncement& keys) {
  v1::Command c;
  *c.mutable_announce_keys()->mutable_keys() = keys;
  return c;
}

v1::ChatUpload chat(std::uint64_t epoch, const std::string& recipient = {}) {
  v1::ChatUpload c;
  c.set_epoch(epoch);
  c.set_counter(0);
  c.set_recipient_id(recipient);
  c.set_ciphertext(std::string(272, 'x'));
  c.set_signature(std::string(64, 's'));
  return c;
}

v1::SenderKeysUpload sender_keys(std::uint64_t epoch, std::initializer_list<std::string> recipients) {
  v1::SenderKeysUpload u;
  u.set_epoch(epoch);
  for (const auto& id : recipients) {
    auto* k = u.add_keys();
    k->set_recipient_id(id);
    k->set_sealed(std::string(72, 'k'));
  }
  return u;
}

// A CCDG group where fac, pres, p1 and p2 have announced keys.
struct KeyedGroup : Group {
  explicit KeyedGroup(const v1::Format& format = balint::core::ccdg_format()) : Group(format) {
    ok("fac", announce(keys_of(0)));
    ok("pres", announce(keys_of(1)));
    ok("p1", announce(keys_of(2)));
    ok("p2", announce(keys_of(3)));
  }
  std::uint64_t epoch() const { return state().key_epoch(); }
};

}  // namespace

TEST_CASE("Announcing keys puts them in the roster and raises the key epoch", "[keys]") {
  Group g;
  CHECK(g.state().key_epoch() == 0);
  const auto version = g.s.version();
  g.ok("p1", announce(keys_of(1)));
  CHECK(g.s.version() == version + 1);
  CHECK(g.state().key_epoch() == 1);
  CHECK(g.member("p1").keys().SerializeAsString() == keys_of(1).SerializeAsString());
  CHECK_FALSE(g.member("p2").has_keys());

  // Keys are made for one connection: a second announcement on it is refused.
  REQUIRE_REFUSED(g, g.apply("p1", announce(keys_of(2))), v1::ERROR_CODE_INVALID_ARGUMENT);
}

TEST_CASE("Bad announcements are refused and change nothing", "[keys]") {
  KeyedGroup g;
  auto short_identity = keys_of(5);
  short_identity.set_identity_key("short");
  REQUIRE_REFUSED(g, g.apply("p3", announce(short_identity)), v1::ERROR_CODE_INVALID_ARGUMENT);
  auto long_signature = keys_of(5);
  long_signature.set_signature(std::string(65, 's'));
  REQUIRE_REFUSED(g, g.apply("p3", announce(long_signature)), v1::ERROR_CODE_INVALID_ARGUMENT);
  auto copied = keys_of(5);
  copied.set_exchange_key(keys_of(2).exchange_key());  // p1's exchange key.
  REQUIRE_REFUSED(g, g.apply("p3", announce(copied)), v1::ERROR_CODE_INVALID_ARGUMENT);
  REQUIRE_REFUSED(g, g.apply("room.1", announce(keys_of(6))), v1::ERROR_CODE_PERMISSION_DENIED);
}

TEST_CASE("The key epoch rises when a member with keys disconnects, leaves or is removed", "[keys]") {
  KeyedGroup g;
  auto epoch = g.epoch();

  REQUIRE(g.s.disconnect("p1", g.now).ok());
  CHECK(g.epoch() == ++epoch);
  CHECK_FALSE(g.member("p1").has_keys());

  REQUIRE(g.s.join("p1", "Ann", v1::ROLE_PARTICIPANT, g.now).ok());
  CHECK(g.epoch() == epoch);  // Joined without keys yet: nobody to hand secrets to.
  g.ok("p1", announce(keys_of(7)));
  CHECK(g.epoch() == ++epoch);

  g.ok("p2", cmd::leave());
  CHECK(g.epoch() == ++epoch);

  g.ok("fac", cmd::remove("pres"));
  CHECK(g.epoch() == ++epoch);

  // Members without keys come and go without a new epoch.
  REQUIRE(g.s.disconnect("p3", g.now).ok());
  CHECK(g.epoch() == epoch);
}

TEST_CASE("Signing in again drops the old connection's keys", "[keys]") {
  KeyedGroup g;
  const auto epoch = g.epoch();
  REQUIRE(g.s.join("p1", "Ann", v1::ROLE_PARTICIPANT, g.now).ok());
  CHECK_FALSE(g.member("p1").has_keys());
  CHECK(g.epoch() == epoch + 1);
}

TEST_CASE("Chat is relayed in every phase that lets the sender chat", "[keys]") {
  KeyedGroup g;
  const auto format = balint::core::ccdg_format();
  CHECK(g.s.check_chat("p1", chat(g.epoch())).ok());  // The lobby.
  for (int phase = 0; phase < format.phases_size(); ++phase) {
    g.go_to(phase);
    for (const std::string id : {"fac", "pres", "p1", "p2"}) {
      INFO("phase " << format.phases(phase).id() << ", sender " << id);
      const auto verdict = g.s.check_chat(id, chat(g.epoch()));
      CHECK(verdict.ok() == g.s.may_chat(id));
      CHECK(verdict.events.empty());
      if (!verdict.ok()) CHECK(verdict.code == v1::ERROR_CODE_PHASE_FORBIDS);
    }
  }
}

TEST_CASE("The presenter's chat is refused during the observation", "[keys]") {
  Group balint_group(balint::core::balint_format());
  balint_group.ok("fac", announce(keys_of(0)));
  balint_group.ok("pres", announce(keys_of(1)));
  balint_group.ok("p1", announce(keys_of(2)));
  balint_group.go_to(2);  // Observation.
  const auto epoch = balint_group.state().key_epoch();
  const auto refused = balint_group.s.check_chat("pres", chat(epoch));
  CHECK(refused.code == v1::ERROR_CODE_PHASE_FORBIDS);
  CHECK_THAT(refused.message, Catch::Contains("presenter observes in silence"));
  CHECK(balint_group.s.check_chat("pres", chat(epoch, "p1")).code == v1::ERROR_CODE_PHASE_FORBIDS);
  CHECK(balint_group.s.check_chat("pres", chat(balint_group.state().key_epoch(), "fac")).ok());  // "I can't hear."
  CHECK(balint_group.s.check_chat("p1", chat(epoch)).ok());
  balint_group.go_to(3);  // Re-entry: the presenter may chat again.
  CHECK(balint_group.s.check_chat("pres", chat(epoch)).ok());
}

TEST_CASE("A private message to a facilitator or co-facilitator is relayed in every phase, from anyone", "[keys]") {
  for (const auto& format : {balint::core::ccdg_format(), balint::core::balint_format()}) {
    KeyedGroup g(format);
    g.ok("cof", announce(keys_of(4)));
    int silenced = 0;  // Phases and senders whose chat to the group is paused.
    for (int phase = 0; phase < format.phases_size(); ++phase) {
      g.go_to(phase);
      for (const std::string sender : {"pres", "p1", "p2"}) {
        for (const std::string leader : {"fac", "cof"}) {
          INFO(format.name() << ", phase " << format.phases(phase).id() << ", " << sender << " to " << leader);
          const auto verdict = g.s.check_chat(sender, chat(g.epoch(), leader));
          CHECK(verdict.ok());
          CHECK(verdict.events.empty());
        }
        // To a fellow member it follows the phase, like a message to all.
        const std::string other = sender == "p1" ? "p2" : "p1";
        CHECK(g.s.check_chat(sender, chat(g.epoch(), other)).ok() == g.s.may_chat(sender));
        if (!g.s.may_chat(sender)) ++silenced;
      }
    }
    CHECK(silenced > 0);  // The messages to leaders went through where others were refused.
  }
}

TEST_CASE("Chat that cannot be relayed says why", "[keys]") {
  KeyedGroup g;
  const auto epoch = g.epoch();
  CHECK(g.s.check_chat("p3", chat(epoch)).code == v1::ERROR_CODE_INVALID_ARGUMENT);  // No keys.
  CHECK(g.s.check_chat("p1", chat(epoch - 1)).code == v1::ERROR_CODE_STALE_EPOCH);
  CHECK(g.s.check_chat("p1", chat(epoch + 1)).code == v1::ERROR_CODE_STALE_EPOCH);
  CHECK(g.s.check_chat("p1", chat(epoch, "p1")).code == v1::ERROR_CODE_INVALID_ARGUMENT);
  CHECK(g.s.check_chat("p1", chat(epoch, "p3")).code == v1::ERROR_CODE_UNKNOWN_PARTICIPANT);
  CHECK(g.s.check_chat("p1", chat(epoch, "nobody")).code == v1::ERROR_CODE_UNKNOWN_PARTICIPANT);
  CHECK(g.s.check_chat("p1", chat(epoch, "p2")).ok());
  CHECK(g.s.check_chat("nobody", chat(epoch)).code == v1::ERROR_CODE_UNKNOWN_PARTICIPANT);

  auto empty = chat(epoch);
  empty.clear_ciphertext();
  CHECK(g.s.check_chat("p1", empty).code == v1::ERROR_CODE_INVALID_ARGUMENT);
  auto huge = chat(epoch);
  huge.set_ciphertext(std::string(8 * 1024 + 1, 'x'));
  CHECK(g.s.check_chat("p1", huge).code == v1::ERROR_CODE_INVALID_ARGUMENT);
  auto unsigned_chat = chat(epoch);
  unsigned_chat.clear_signature();
  CHECK(g.s.check_chat("p1", unsigned_chat).code == v1::ERROR_CODE_INVALID_ARGUMENT);

  REQUIRE(g.s.disconnect("p2", g.now).ok());
  CHECK(g.s.check_chat("p2", chat(g.epoch())).code == v1::ERROR_CODE_PERMISSION_DENIED);
  g.ok("fac", cmd::end());
  CHECK(g.s.check_chat("p1", chat(g.epoch())).code == v1::ERROR_CODE_SESSION_ENDED);
}

TEST_CASE("Sender keys go only to connected members with keys, each once", "[keys]") {
  KeyedGroup g;
  const auto epoch = g.epoch();
  const auto version = g.s.version();
  CHECK(g.s.check_sender_keys("p1", sender_keys(epoch, {"fac", "pres", "p2"})).ok());
  CHECK(g.s.version() == version);
  // The presenter hands out keys even while silenced: others need them later.
  g.go_to(1);
  CHECK(g.s.check_sender_keys("pres", sender_keys(epoch, {"fac", "p1", "p2"})).ok());

  CHECK(g.s.check_sender_keys("p1", sender_keys(epoch - 1, {"fac"})).code == v1::ERROR_CODE_STALE_EPOCH);
  CHECK(g.s.check_sender_keys("p1", sender_keys(epoch, {})).code == v1::ERROR_CODE_INVALID_ARGUMENT);
  CHECK(g.s.check_sender_keys("p1", sender_keys(epoch, {"fac", "fac"})).code == v1::ERROR_CODE_INVALID_ARGUMENT);
  CHECK(g.s.check_sender_keys("p1", sender_keys(epoch, {"p1"})).code == v1::ERROR_CODE_INVALID_ARGUMENT);
  CHECK(g.s.check_sender_keys("p1", sender_keys(epoch, {"p3"})).code == v1::ERROR_CODE_UNKNOWN_PARTICIPANT);
  CHECK(g.s.check_sender_keys("p3", sender_keys(epoch, {"p1"})).code == v1::ERROR_CODE_INVALID_ARGUMENT);
  auto bad_size = sender_keys(epoch, {"fac"});
  bad_size.mutable_keys(0)->set_sealed(std::string(71, 'k'));
  CHECK(g.s.check_sender_keys("p1", bad_size).code == v1::ERROR_CODE_INVALID_ARGUMENT);
}

}  // namespace core_test
