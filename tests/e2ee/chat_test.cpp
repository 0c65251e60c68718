#include "balint/e2ee/chat.hpp"

#include "balint/e2ee/bytes.hpp"
#include "balint/e2ee/derive.hpp"
#include "balint/e2ee/pairwise.hpp"

#include "test_keys.hpp"

#include <catch2/catch.hpp>

using namespace balint::e2ee;
using namespace balint::e2ee::testing;

namespace {


const Key& group_secret() {
  static const Key secret = Key::from_bytes(std::string(32, '\x33'));
  return secret;
}

}  // namespace

TEST_CASE("chat_ad is label, session, epoch, sender, recipient and counter", "[e2ee]") {
  const std::string expected =
      ByteWriter().label("balint-room/v1/chat").str("s").u64(2).str("alice").str("").u64(5).take();
  CHECK(chat_ad({"s", 2, "alice", "", 5}) == expected);
}

TEST_CASE("texts are padded to whole blocks of 256 bytes", "[e2ee]") {
  CHECK(pad_text("").size() == 256);
  CHECK(pad_text(std::string(255, 'a')).size() == 256);
  CHECK(pad_text(std::string(256, 'a')).size() == 512);
  CHECK(pad_text(std::string(4000, 'a')).size() == 4096);
  CHECK(pad_text("hi").substr(0, 3) == "hi\x80");
}

TEST_CASE("a group message opens for a member holding the sender's chain", "[e2ee]") {
  const Identity alice = test_identity(30);
  SendChain out(group_chain_root(group_secret()));
  ReceiveChain in(group_chain_root(group_secret()));
  const ChatReceiver bob{"s1", "bob", "alice", alice.identity_public(), 3, &in, nullptr};

  const std::vector<std::string> texts{"hello", "", "Grüße 👋", std::string(4000, 'x')};
  for (const std::string& text : texts) {
    const ChainStep step = out.advance();
    const auto sealed = seal_chat_message(text, {"s1", 3, "alice", "", step.counter}, step.keys, alice);
    REQUIRE(sealed.ok());
    CHECK(sealed.value->ciphertext.size() % 256 == 16);
    CHECK(sealed.value->signature.size() == 64);
    const auto opened = open_chat_message(*sealed.value, bob);
    REQUIRE(opened.ok());
    CHECK(*opened.value == text);
  }
  CHECK(in.next_counter() == 4);
}

TEST_CASE("a direct message uses the pairwise channel and names its recipient", "[e2ee]") {
  const Identity alice = test_identity(31);
  const Identity bob = test_identity(32);
  const auto alice_bob = pair_keys(alice, bob.exchange_public());
  const auto bob_alice = pair_keys(bob, alice.exchange_public());
  SendChain out(direct_chain_root(alice_bob.value->tx, 7));
  ReceiveChain in(direct_chain_root(bob_alice.value->rx, 7));
  const ChainStep step = out.advance();
  const auto sealed = seal_chat_message("just you", {"s1", 7, "alice", "bob", step.counter}, step.keys, alice);
  REQUIRE(sealed.ok());
  CHECK(sealed.value->recipient_id == "bob");

  const ChatReceiver carol_view{"s1", "carol", "alice", alice.identity_public(), 7, nullptr, &in};
  CHECK(open_chat_message(*sealed.value, carol_view).error == Error::wrong_recipient);
  const ChatReceiver bob_view{"s1", "bob", "alice", alice.identity_public(), 7, nullptr, &in};
  const auto opened = open_chat_message(*sealed.value, bob_view);
  REQUIRE(opened.ok());
  CHECK(*opened.value == "just you");
}

TEST_CASE("a chat message is refused in the spec's order and the chain only moves on success", "[e2ee]") {
  const Identity alice = test_identity(33);
  const Identity mallory = test_identity(34);
  SendChain out(group_chain_root(group_secret()));
  ReceiveChain in(group_chain_root(group_secret()));
  const ChatReceiver bob{"s1", "bob", "alice", alice.identity_public(), 3, &in, nullptr};
  const ChainStep step = out.advance();
  const ChatContext context{"s1", 3, "alice", "", step.counter};
  const SealedChat good = *seal_chat_message("hello", context, step.keys, alice).value;

  CHECK(seal_chat_message(std::string(4001, 'x'), context, step.keys, alice).error == Error::too_long);

  SealedChat flipped = good;
  flipped.ciphertext[5] = static_cast<char>(flipped.ciphertext[5] ^ 1);
  CHECK(open_chat_message(flipped, bob).error == Error::bad_signature);
  // Re-signed by the sender (a broken client): the signature passes and the AEAD refuses.
  flipped.signature = alice.sign(chat_ad(context) + flipped.ciphertext);
  CHECK(open_chat_message(flipped, bob).error == Error::tampered);

  SealedChat forged = good;
  forged.signature = mallory.sign(chat_ad(context) + good.ciphertext);
  CHECK(open_chat_message(forged, bob).error == Error::bad_signature);

  SealedChat other_epoch = good;
  other_epoch.epoch = 2;
  CHECK(open_chat_message(other_epoch, bob).error == Error::stale_epoch);
  other_epoch.epoch = 4;
  CHECK(open_chat_message(other_epoch, bob).error == Error::no_key);

  const ChatReceiver without_key{"s1", "bob", "alice", alice.identity_public(), 3, nullptr, nullptr};
  CHECK(open_chat_message(good, without_key).error == Error::no_key);

  CHECK(in.next_counter() == 0);
  REQUIRE(open_chat_message(good, bob).ok());
  CHECK(open_chat_message(good, bob).error == Error::replay);
}

TEST_CASE("a message that opens with invalid padding is bad_padding", "[e2ee]") {
  const Identity alice = test_identity(35);
  SendChain out(group_chain_root(group_secret()));
  ReceiveChain in(group_chain_root(group_secret()));
  const ChatReceiver bob{"s1", "bob", "alice", alice.identity_public(), 3, &in, nullptr};
  const ChainStep step = out.advance();
  const ChatContext context{"s1", 3, "alice", "", 0};
  const std::string ad = chat_ad(context);
  const std::string garbage(256, '\x07');  // No 0x80 marker anywhere.
  SealedChat chat{3, 0, "", std::string(garbage.size() + 16, '\0'), {}};
  crypto_aead_xchacha20poly1305_ietf_encrypt(uchars(chat.ciphertext), nullptr, uchars(garbage), garbage.size(),
                                             uchars(ad), ad.size(), nullptr, uchars(step.keys.nonce),
                                             step.keys.message_key.data());
  chat.signature = alice.sign(ad + chat.ciphertext);
  CHECK(open_chat_message(chat, bob).error == Error::bad_padding);
  CHECK(in.next_counter() == 0);
}
