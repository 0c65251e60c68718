#include "balint/e2ee/chain.hpp"

#include "balint/e2ee/constants.hpp"
#include "balint/e2ee/derive.hpp"

namespace balint::e2ee {

namespace {

ChainStep step_at(const Key& chain, std::uint64_t counter) {
  return ChainStep{counter, message_keys(chain), next_chain(chain)};
}

}  // namespace

MessageKeys message_keys(const Key& chain) {
  return MessageKeys{kdf_key(chain, 1, kMessageKeyContext), kdf_bytes(chain, 3, kNonceContext, kNonceBytes)};
}

Key next_chain(const Key& chain) { return kdf_key(chain, 2, kChainContext); }

SendChain::SendChain(Key root) : chain_(std::move(root)) {}

ChainStep SendChain::advance() {
  ChainStep step = step_at(chain_, next_);
  chain_ = step.next.clone();
  ++next_;
  return step;
}

ReceiveChain::ReceiveChain(Key root) : chain_(std::move(root)) {}

Result<ChainStep> ReceiveChain::step_to(std::uint64_t counter) const {
  if (counter < next_) return Result<ChainStep>::failure(Error::replay);
  if (counter - next_ > kMaxCounterJump) return Result<ChainStep>::failure(Error::counter_jump);
  Key chain = chain_.clone();
  for (std::uint64_t n = next_; n < counter; ++n) chain = next_chain(chain);
  return Result<ChainStep>::success(step_at(chain, counter));
}

void ReceiveChain::commit(ChainStep step) {
  chain_ = std::move(step.next);
  next_ = step.counter + 1;
}

}  // namespace balint::e2ee
