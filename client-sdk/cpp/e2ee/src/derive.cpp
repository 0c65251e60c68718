#include "balint/e2ee/derive.hpp"

#include "balint/e2ee/constants.hpp"
#include "balint/e2ee/init.hpp"

#include <sodium.h>

#include <cassert>

namespace balint::e2ee {

static_assert(crypto_kdf_KEYBYTES == Key::size());
static_assert(crypto_kdf_CONTEXTBYTES == 8);

void kdf(unsigned char* out, std::size_t n, const Key& key, std::uint64_t id, std::string_view context) {
  ensure_sodium();
  assert(context.size() == crypto_kdf_CONTEXTBYTES);
  assert(n >= crypto_kdf_BYTES_MIN && n <= crypto_kdf_BYTES_MAX);
  // Cannot fail for a length in range, which every caller passes.
  crypto_kdf_derive_from_key(out, n, id, context.data(), key.data());
}

Key kdf_key(const Key& key, std::uint64_t id, std::string_view context) {
  Key out;
  kdf(out.data(), out.size(), key, id, context);
  return out;
}

std::string kdf_bytes(const Key& key, std::uint64_t id, std::string_view context, std::size_t n) {
  std::string out(n, '\0');
  kdf(reinterpret_cast<unsigned char*>(out.data()), n, key, id, context);
  return out;
}

Key group_chain_root(const Key& sender_secret) { return kdf_key(sender_secret, 1, kGroupContext); }

Key media_key(const Key& sender_secret) { return kdf_key(sender_secret, 1, kMediaContext); }

Key direct_chain_root(const Key& pair_key, std::uint64_t epoch) { return kdf_key(pair_key, epoch, kDirectContext); }

}  // namespace balint::e2ee
