// Four keyrings and a tiny stand-in for the server that raises the key
// epoch on every join and leave, hands sender keys to their recipients and
// relays chat and media. What each member can and cannot read follows.
#include "balint/e2ee/derive.hpp"
#include "balint/e2ee/keyring.hpp"
#include "balint/e2ee/pairwise.hpp"
#include "balint/e2ee/sender_key.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <memory>

using namespace balint::e2ee;

namespace {

constexpr const char* kSession = "session-g";
constexpr std::int64_t kGraceMs = 5000;

struct Client {
  Client(std::string id_, int index)
      : id(std::move(id_)),
        name("Member " + id),
        sign_seed(32, static_cast<char>(index)),
        exchange_seed(32, static_cast<char>(100 + index)),
        random(static_cast<std::uint64_t>(index)),
        keyring(kSession, id, Identity::from_seeds(sign_seed, exchange_seed), random, kGraceMs) {}

  // The same keys again, for a test that plays this member's client going wrong.
  Identity identity() const { return Identity::from_seeds(sign_seed, exchange_seed); }

  std::string id;
  std::string name;
  std::string sign_seed;
  std::string exchange_seed;
  SeededRandom random;
  Keyring keyring;
};

class FakeServer {
 public:
  Client& join(const std::string& id) {
    auto& client = clients_[id];
    client = std::make_unique<Client>(id, static_cast<int>(clients_.size()));
    connected_.push_back(id);
    raise_epoch();
    return *client;
  }

  void leave(const std::string& id) {
    std::erase(connected_, id);
    raise_epoch();
  }

  Client& client(const std::string& id) { return *clients_.at(id); }
  std::uint64_t epoch() const { return epoch_; }
  std::int64_t now = 0;

  // The share of `sender`'s sender secret that the server handed `recipient`.
  const std::string& sealed_key(const std::string& sender, std::uint64_t epoch, const std::string& recipient) {
    return sealed_.at({sender, epoch, recipient});
  }

  SealedChat chat(const std::string& sender, const std::string& text, const std::string& recipient = "") {
    auto sealed = client(sender).keyring.seal_chat(text, recipient);
    REQUIRE(sealed.ok());
    return *sealed.value;
  }

  std::string media(const std::string& sender, std::uint32_t track, const std::string& frame) {
    auto payload = client(sender).keyring.seal_media(track, frame);
    REQUIRE(payload.ok());
    return *payload.value;
  }

  // What every connected member but the sender gets from opening `chat`.
  std::map<std::string, Result<std::string>> relay(const std::string& sender, const SealedChat& chat) {
    std::map<std::string, Result<std::string>> opened;
    for (const auto& id : connected_) {
      if (id != sender) opened.emplace(id, client(id).keyring.open_chat(sender, chat));
    }
    return opened;
  }

 private:
  void raise_epoch() {
    ++epoch_;
    std::vector<RosterKeys> roster;
    for (const auto& id : connected_) {
      Client& member = client(id);
      roster.push_back({id, member.name, member.keyring.announce(member.name)});
    }
    std::vector<std::pair<std::string, SenderKeyBundle>> uploads;
    for (const auto& id : connected_) {
      MembershipChange change = client(id).keyring.set_membership(epoch_, roster, now);
      REQUIRE(change.invalid.empty());
      REQUIRE(change.code_changed);
      REQUIRE(change.bundle);
      uploads.emplace_back(id, std::move(*change.bundle));
    }
    for (const auto& [sender, bundle] : uploads) {
      REQUIRE(bundle.keys.size() == connected_.size() - 1);
      for (const auto& key : bundle.keys) {
        sealed_[{sender, bundle.epoch, key.recipient_id}] = key.sealed;
        REQUIRE(client(key.recipient_id).keyring.accept_sender_key(sender, bundle.epoch, key.sealed) == Error::ok);
      }
    }
  }

  std::map<std::string, std::unique_ptr<Client>> clients_;
  std::vector<std::string> connected_;
  std::map<std::tuple<std::string, std::uint64_t, std::string>, std::string> sealed_;
  std::uint64_t epoch_ = 0;
};

FakeServer four_members() {
  FakeServer server;
  for (const char* id : {"alice", "bob", "carol", "dave"}) server.join(id);
  return server;
}

const std::vector<std::string> kIds{"alice", "bob", "carol", "dave"};

// `sender`'s sender secret of `epoch`, as `holder` (who was handed it) can recover it.
Key recovered_secret(FakeServer& server, const std::string& holder, const std::string& sender, std::uint64_t epoch) {
  const Identity identity = server.client(holder).identity();
  const auto pair = pair_keys(identity, server.client(sender).identity().exchange_public());
  const auto secret =
      open_sender_key(server.sealed_key(sender, epoch, holder), pair.value->rx, {kSession, epoch, sender, holder});
  REQUIRE(secret.ok());
  return secret.value->clone();
}

}  // namespace

TEST_CASE("in a group of four everyone reads everyone's chat and media", "[e2ee]") {
  FakeServer server = four_members();
  CHECK(server.epoch() == 4);
  const std::string code = server.client("alice").keyring.security_code();
  CHECK(code.size() == 47);
  for (const auto& id : kIds) CHECK(server.client(id).keyring.security_code() == code);

  for (const auto& sender : kIds) {
    for (int n = 0; n < 3; ++n) {
      const std::string text = sender + " says " + std::to_string(n);
      for (auto& [reader, opened] : server.relay(sender, server.chat(sender, text))) {
        INFO(reader << " reading " << sender);
        REQUIRE(opened.ok());
        CHECK(*opened.value == text);
      }
      const std::string frame = "frame " + std::to_string(n) + " of " + sender;
      const std::string payload = server.media(sender, static_cast<std::uint32_t>(n % 2), frame);
      for (const auto& reader : kIds) {
        if (reader == sender) continue;
        const auto opened =
            server.client(reader).keyring.open_media(sender, static_cast<std::uint32_t>(n % 2), payload);
        REQUIRE(opened.ok());
        CHECK(*opened.value == frame);
      }
    }
  }
}

TEST_CASE("a member who left cannot read what is sent after, even handed the bytes", "[e2ee]") {
  FakeServer server = four_members();
  const std::string code_before = server.client("alice").keyring.security_code();
  server.leave("dave");
  CHECK(server.client("alice").keyring.security_code() != code_before);

  const SealedChat chat = server.chat("alice", "dave is gone");
  const auto opened = server.relay("alice", chat);
  CHECK(opened.size() == 2);
  for (const auto& [reader, result] : opened) CHECK(result.ok());
  const std::string payload = server.media("alice", 0, "after dave");

  Keyring& dave = server.client("dave").keyring;
  CHECK(dave.open_chat("alice", chat).error == Error::no_key);
  CHECK(dave.open_media("alice", 0, payload).error == Error::no_key);

  // Even if dave's client learns the new roster, no one sealed a key to it.
  std::vector<RosterKeys> roster;
  for (const char* id : {"alice", "bob", "carol"}) {
    Client& member = server.client(id);
    roster.push_back({id, member.name, member.keyring.announce(member.name)});
  }
  const auto change = dave.set_membership(server.epoch(), roster, server.now);
  CHECK_FALSE(change.bundle);
  CHECK(dave.open_chat("alice", chat).error == Error::no_key);
  CHECK(dave.open_media("alice", 0, payload).error == Error::no_key);
  CHECK(dave.seal_chat("still here?", "").error == Error::no_key);

  // And what dave sends is not read by those who stayed.
  CHECK(server.client("alice").keyring.open_chat("dave", SealedChat{server.epoch(), 0, "", "x", "y"}).error ==
        Error::unknown_sender);
}

TEST_CASE("a late joiner cannot read what was sent before it joined", "[e2ee]") {
  FakeServer server;
  server.join("alice");
  server.join("bob");
  const SealedChat before = server.chat("alice", "before carol");
  const std::string media_before = server.media("alice", 0, "early frame");
  REQUIRE(server.client("bob").keyring.open_chat("alice", before).ok());

  server.join("carol");
  Keyring& carol = server.client("carol").keyring;
  CHECK(carol.open_chat("alice", before).error == Error::stale_epoch);
  CHECK(carol.open_media("alice", 0, media_before).error == Error::stale_epoch);
  const SealedChat after = server.chat("alice", "welcome carol");
  REQUIRE(carol.open_chat("alice", after).ok());
}

TEST_CASE("altered chat is refused: by the signature, or the AEAD when the sender signed it", "[e2ee]") {
  FakeServer server = four_members();
  const SealedChat chat = server.chat("alice", "original");
  Keyring& bob = server.client("bob").keyring;

  SealedChat flipped = chat;
  flipped.ciphertext[3] = static_cast<char>(flipped.ciphertext[3] ^ 0x40);
  CHECK(bob.open_chat("alice", flipped).error == Error::bad_signature);  // The server cannot re-sign.

  // Alice's client signing bytes it altered after sealing: only the AEAD can tell.
  const ChatContext context{kSession, chat.epoch, "alice", "", chat.counter};
  flipped.signature = server.client("alice").identity().sign(chat_ad(context) + flipped.ciphertext);
  CHECK(bob.open_chat("alice", flipped).error == Error::tampered);

  SealedChat bad_signature = chat;
  bad_signature.signature[10] = static_cast<char>(bad_signature.signature[10] ^ 0x01);
  CHECK(bob.open_chat("alice", bad_signature).error == Error::bad_signature);

  SealedChat readdressed = chat;
  readdressed.counter += 1;
  CHECK(bob.open_chat("alice", readdressed).error == Error::bad_signature);

  // None of that moved bob's chain: the original still opens, once.
  REQUIRE(bob.open_chat("alice", chat).ok());
  CHECK(bob.open_chat("alice", chat).error == Error::replay);

  std::string payload = server.media("alice", 0, "frame");
  payload[20] = static_cast<char>(payload[20] ^ 0x01);
  CHECK(bob.open_media("alice", 0, payload).error == Error::tampered);
}

TEST_CASE("a member holding a sender's secret still cannot write as that sender", "[e2ee]") {
  FakeServer server = four_members();
  const std::uint64_t epoch = server.epoch();
  // Carol recovers alice's sender secret (she was handed it) and builds alice's group chain.
  const Key alice_secret = recovered_secret(server, "carol", "alice", epoch);
  SendChain forged_chain(group_chain_root(alice_secret));
  const ChainStep step = forged_chain.advance();
  const ChatContext context{kSession, epoch, "alice", "", step.counter};
  const Identity carol = server.client("carol").identity();
  const auto forged = seal_chat_message("alice owes me money", context, step.keys, carol);
  REQUIRE(forged.ok());
  // Delivered stamped as alice (a server colluding with carol): the ciphertext
  // opens under alice's chain, but the signature is carol's, not alice's.
  CHECK(server.client("bob").keyring.open_chat("alice", *forged.value).error == Error::bad_signature);
  CHECK(server.client("dave").keyring.open_chat("alice", *forged.value).error == Error::bad_signature);
  // Stamped as carol it fails too: carol's chain is not alice's.
  CHECK(server.client("bob").keyring.open_chat("carol", *forged.value).error == Error::bad_signature);
}

TEST_CASE("replays are refused and a counter more than 1000 ahead is a jump", "[e2ee]") {
  FakeServer server = four_members();
  const std::uint64_t epoch = server.epoch();
  Keyring& bob = server.client("bob").keyring;
  const SealedChat first = server.chat("alice", "one");
  const SealedChat second = server.chat("alice", "two");
  REQUIRE(bob.open_chat("alice", second).ok());
  CHECK(bob.open_chat("alice", second).error == Error::replay);
  CHECK(bob.open_chat("alice", first).error == Error::replay);  // Older than one already opened.

  const std::string frame = server.media("alice", 0, "f");
  REQUIRE(bob.open_media("alice", 0, frame).ok());
  CHECK(bob.open_media("alice", 0, frame).error == Error::replay);

  // Alice's own chain run far ahead, as only alice's client could.
  SendChain chain(group_chain_root(recovered_secret(server, "bob", "alice", epoch)));
  const Identity alice = server.client("alice").identity();
  std::map<std::uint64_t, SealedChat> far;
  for (std::uint64_t n = 0; n <= 1003; ++n) {
    const ChainStep step = chain.advance();
    if (n >= 1002) far[n] = *seal_chat_message("far", {kSession, epoch, "alice", "", n}, step.keys, alice).value;
  }
  // Bob has opened counter 1 and expects 2: 1003 is 1001 ahead, 1002 exactly 1000.
  CHECK(bob.open_chat("alice", far[1003]).error == Error::counter_jump);
  REQUIRE(bob.open_chat("alice", far[1002]).ok());
  // Carol has opened nothing and expects 0.
  CHECK(server.client("carol").keyring.open_chat("alice", far[1002]).error == Error::counter_jump);
}

TEST_CASE("old-epoch keys open within the grace and are gone after it", "[e2ee]") {
  FakeServer server = four_members();
  const SealedChat in_flight = server.chat("alice", "sent just before the change");
  const SealedChat late = server.chat("alice", "opened after the grace");
  const std::string frame = server.media("alice", 0, "old frame");
  const std::string late_frame = server.media("alice", 0, "old frame, late");

  server.now = 10000;
  server.leave("dave");
  Keyring& bob = server.client("bob").keyring;
  CHECK(bob.next_expiry() == 10000 + kGraceMs);
  bob.expire(10000 + kGraceMs - 1);
  REQUIRE(bob.open_chat("alice", in_flight).ok());
  REQUIRE(bob.open_media("alice", 0, frame).ok());

  bob.expire(10000 + kGraceMs);
  CHECK_FALSE(bob.next_expiry());
  CHECK(bob.open_chat("alice", late).error == Error::stale_epoch);
  CHECK(bob.open_media("alice", 0, late_frame).error == Error::stale_epoch);
  REQUIRE(bob.open_chat("alice", server.chat("alice", "current epoch")).ok());
}

TEST_CASE("after wipe() a keyring has nothing usable", "[e2ee]") {
  FakeServer server = four_members();
  const SealedChat chat = server.chat("alice", "hello");
  const std::string frame = server.media("alice", 0, "frame");
  Keyring& bob = server.client("bob").keyring;
  bob.wipe();
  CHECK(bob.open_chat("alice", chat).error == Error::no_key);
  CHECK(bob.open_media("alice", 0, frame).error == Error::no_key);
  CHECK(bob.seal_chat("x", "").error == Error::no_key);
  CHECK(bob.seal_chat("x", "alice").error == Error::no_key);
  CHECK(bob.seal_media(0, "x").error == Error::no_key);
  CHECK(bob.accept_sender_key("alice", server.epoch(), server.sealed_key("alice", server.epoch(), "bob")) ==
        Error::no_key);
  CHECK(bob.security_code().empty());
  CHECK(bob.epoch() == 0);
  CHECK_FALSE(bob.next_expiry());
  CHECK(bob.announce("Member bob").signature.empty());
  CHECK_FALSE(bob.set_membership(server.epoch() + 1, {}, 0).bundle);
  CHECK(bob.seal_chat("x", "").error == Error::no_key);
}

TEST_CASE("a direct message is read by its recipient only", "[e2ee]") {
  FakeServer server = four_members();
  const SealedChat direct = server.chat("alice", "only for bob", "bob");
  CHECK(direct.recipient_id == "bob");
  const auto opened = server.relay("alice", direct);
  REQUIRE(opened.at("bob").ok());
  CHECK(*opened.at("bob").value == "only for bob");
  CHECK(opened.at("carol").error == Error::wrong_recipient);
  CHECK(opened.at("dave").error == Error::wrong_recipient);

  // Readdressed to carol by the server: the signature covers the recipient.
  SealedChat readdressed = direct;
  readdressed.recipient_id = "carol";
  CHECK(server.client("carol").keyring.open_chat("alice", readdressed).error == Error::bad_signature);

  // Bob answers on his own direct chain; group messages are unaffected.
  const SealedChat answer = server.chat("bob", "got it", "alice");
  CHECK(answer.counter == 0);
  REQUIRE(server.client("alice").keyring.open_chat("bob", answer).ok());
  const SealedChat group = server.chat("alice", "to all");
  CHECK(group.counter == 0);
  for (auto& [reader, result] : server.relay("alice", group)) CHECK(result.ok());
}

TEST_CASE("chat from someone outside the membership is an unknown sender", "[e2ee]") {
  FakeServer server = four_members();
  SealedChat chat = server.chat("alice", "hi");
  CHECK(server.client("bob").keyring.open_chat("zed", chat).error == Error::unknown_sender);
  CHECK(server.client("bob").keyring.open_chat("bob", chat).error == Error::no_key);
  CHECK(server.client("bob").keyring.open_media("zed", 0, server.media("alice", 0, "f")).error ==
        Error::unknown_sender);
}
