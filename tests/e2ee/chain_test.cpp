#include "balint/e2ee/chain.hpp"

#include "balint/e2ee/constants.hpp"
#include "balint/e2ee/derive.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace balint::e2ee;

namespace {

Key root() { return Key::from_bytes(std::string(32, '\x42')); }

}  // namespace

TEST_CASE("the chain is deterministic and every message gets its own key and nonce", "[e2ee]") {
  SendChain first(root());
  SendChain second(root());
  std::set<std::string> keys, nonces;
  Key expected_chain = root();
  for (std::uint64_t n = 0; n < 20; ++n) {
    const ChainStep a = first.advance();
    const ChainStep b = second.advance();
    CHECK(a.counter == n);
    CHECK(a.keys.message_key.equals(b.keys.message_key));
    CHECK(a.keys.nonce == b.keys.nonce);
    CHECK(a.keys.nonce.size() == 24);
    // By hand, as the spec writes it.
    CHECK(a.keys.message_key.equals(kdf_key(expected_chain, 1, "brmsgkey")));
    CHECK(a.keys.nonce == kdf_bytes(expected_chain, 3, "brnonce_", 24));
    expected_chain = kdf_key(expected_chain, 2, "brchain_");
    CHECK(a.next.equals(expected_chain));
    keys.insert(a.keys.message_key.reveal());
    nonces.insert(a.keys.nonce);
  }
  CHECK(keys.size() == 20);
  CHECK(nonces.size() == 20);
  CHECK(first.next_counter() == 20);
}

TEST_CASE("a receiving chain opens in order, skips forward, and never goes back", "[e2ee]") {
  SendChain sender(root());
  std::vector<ChainStep> sent;
  for (int n = 0; n < 6; ++n) sent.push_back(sender.advance());

  ReceiveChain receiver(root());
  auto step = receiver.step_to(0);
  REQUIRE(step.ok());
  CHECK(step.value->keys.message_key.equals(sent[0].keys.message_key));
  CHECK(receiver.next_counter() == 0);  // Looking does not move it.
  receiver.commit(std::move(*step.value));
  CHECK(receiver.next_counter() == 1);

  CHECK(receiver.step_to(0).error == Error::replay);
  auto skip = receiver.step_to(4);
  REQUIRE(skip.ok());
  CHECK(skip.value->keys.message_key.equals(sent[4].keys.message_key));
  receiver.commit(std::move(*skip.value));
  CHECK(receiver.next_counter() == 5);
  CHECK(receiver.step_to(3).error == Error::replay);
  CHECK(receiver.step_to(4).error == Error::replay);
  CHECK(receiver.step_to(5).ok());
}

TEST_CASE("a receiving chain moves at most 1000 past the next expected counter", "[e2ee]") {
  ReceiveChain receiver(root());
  CHECK(receiver.step_to(kMaxCounterJump).ok());
  CHECK(receiver.step_to(kMaxCounterJump + 1).error == Error::counter_jump);
  CHECK(receiver.step_to(~std::uint64_t{0}).error == Error::counter_jump);
  auto step = receiver.step_to(10);
  receiver.commit(std::move(*step.value));
  CHECK(receiver.step_to(11 + kMaxCounterJump).ok());
  CHECK(receiver.step_to(12 + kMaxCounterJump).error == Error::counter_jump);
}
