// Key derivation: `kdf(key, id, ctx, n)` of the spec is
// crypto_kdf_derive_from_key, and the roots of the chains and the media key
// are derived from the sender secret or the pairwise channel with it.
#pragma once

#include "balint/e2ee/secret.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace balint::e2ee {

// `n` (16 to 64) bytes into `out`; `context` must be 8 bytes.
void kdf(unsigned char* out, std::size_t n, const Key& key, std::uint64_t id, std::string_view context);
Key kdf_key(const Key& key, std::uint64_t id, std::string_view context);
std::string kdf_bytes(const Key& key, std::uint64_t id, std::string_view context, std::size_t n);

// group_chain_0 = kdf(sender_secret, 1, "brgroup_", 32)
Key group_chain_root(const Key& sender_secret);
// media_key = kdf(sender_secret, 1, "brmedia_", 32)
Key media_key(const Key& sender_secret);
// direct_chain_0 = kdf(pair key, epoch, "brdirect", 32): the sender passes its
// pair.tx, the recipient its pair.rx (the same bytes).
Key direct_chain_root(const Key& pair_key, std::uint64_t epoch);

}  // namespace balint::e2ee
