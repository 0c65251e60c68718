// The chat ratchet: each message has its own key and nonce, and the chain
// moves forward one way, so a key that leaks later cannot open what came
// before it. A receiver moves its chain only after a message opened.
#pragma once

#include "balint/e2ee/error.hpp"
#include "balint/e2ee/secret.hpp"

#include <cstdint>
#include <string>

namespace balint::e2ee {

struct MessageKeys {
  Key message_key;    // kdf(chain_n, 1, "brmsgkey", 32)
  std::string nonce;  // kdf(chain_n, 3, "brnonce_", 24)
};

MessageKeys message_keys(const Key& chain);
// chain_{n+1} = kdf(chain_n, 2, "brchain_", 32)
Key next_chain(const Key& chain);

// What opening (or sealing) message number `counter` needs, and where the
// chain stands after it.
struct ChainStep {
  std::uint64_t counter = 0;
  MessageKeys keys;
  Key next;  // chain_{counter+1}
};

// The sending side: message 0, 1, 2... of an epoch.
class SendChain {
 public:
  explicit SendChain(Key root);

  std::uint64_t next_counter() const { return next_; }
  // The step for the next counter; the chain moves past it.
  ChainStep advance();

 private:
  Key chain_;
  std::uint64_t next_ = 0;
};

// The receiving side of one (sender, epoch) chain.
class ReceiveChain {
 public:
  explicit ReceiveChain(Key root);

  std::uint64_t next_counter() const { return next_; }

  // The keys of message `counter`, without moving: replay if `counter` is
  // below the next expected one, counter_jump if more than 1000 above it.
  Result<ChainStep> step_to(std::uint64_t counter) const;
  // Moves the chain past the step's counter (skipped counters are gone).
  void commit(ChainStep step);

 private:
  Key chain_;
  std::uint64_t next_ = 0;
};

}  // namespace balint::e2ee
