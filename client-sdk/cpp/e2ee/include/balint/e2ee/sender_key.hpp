// Handing a sender secret to one member: sealed under the pairwise channel,
// bound by the associated data to the session, epoch, sender and recipient,
// so it cannot be replayed into another epoch or passed to someone else.
#pragma once

#include "balint/e2ee/error.hpp"
#include "balint/e2ee/random.hpp"
#include "balint/e2ee/secret.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace balint::e2ee {

struct SenderKeyContext {
  std::string_view session_id;
  std::uint64_t epoch = 0;
  std::string_view sender_id;
  std::string_view recipient_id;
};

// label("balint-room/v1/sender-key") || str(session_id) || u64(epoch)
// || str(sender_id) || str(recipient_id)
std::string sender_key_ad(const SenderKeyContext& context);

// nonce(24, from `random`) || XChaCha20-Poly1305(sender_secret, ad, nonce, tx): 72 bytes.
std::string seal_sender_key(const Key& sender_secret, const Key& tx, const SenderKeyContext& context,
                            RandomSource& random);

// The sender secret; malformed unless 72 bytes, tampered if it does not open.
Result<Key> open_sender_key(std::string_view sealed, const Key& rx, const SenderKeyContext& context);

}  // namespace balint::e2ee
