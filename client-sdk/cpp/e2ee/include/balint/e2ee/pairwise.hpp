// The pairwise channel between two members: crypto_kx session keys, with
// the member whose exchange key is lower playing "client", so both sides
// agree on who is who without talking. A's tx is B's rx.
#pragma once

#include "balint/e2ee/error.hpp"
#include "balint/e2ee/identity.hpp"
#include "balint/e2ee/secret.hpp"

#include <string_view>

namespace balint::e2ee {

struct PairKeys {
  Key rx;  // Opens what the peer sealed.
  Key tx;  // Seals for the peer.
};

// bad_key if the peer's key is not 32 bytes, equals mine, or crypto_kx
// refuses it (e.g. a low-order point).
Result<PairKeys> pair_keys(const Identity& me, std::string_view peer_exchange_pk);

// The same from bare keys (for vectors, which hold only exchange seeds).
Result<PairKeys> pair_keys(std::string_view my_exchange_pk, const Key& my_exchange_sk,
                           std::string_view peer_exchange_pk);

}  // namespace balint::e2ee
