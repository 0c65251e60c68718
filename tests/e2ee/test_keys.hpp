// Keys and randomness made from fixed inputs, shared by the e2ee tests and
// by the program that writes the vectors, so that both build their inputs
// the same way.
#pragma once

#include "balint/e2ee/bytes.hpp"
#include "balint/e2ee/identity.hpp"
#include "balint/e2ee/random.hpp"
#include "balint/e2ee/secret.hpp"

#include <sodium.h>

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>

namespace balint::e2ee::testing {

// An identity from a seeded generator: the same seed, the same keys.
inline Identity test_identity(std::uint64_t seed) {
  SeededRandom random(seed);
  return Identity::generate(random);
}

// Hands out given bytes, so that a seal uses the nonce a vector names.
class FixedRandom final : public RandomSource {
 public:
  explicit FixedRandom(std::string bytes) : bytes_(std::move(bytes)) {}
  void fill(unsigned char* out, std::size_t n) override {
    if (n > bytes_.size() - used_) throw std::logic_error("FixedRandom ran out of bytes");
    std::memcpy(out, bytes_.data() + used_, n);
    used_ += n;
  }

 private:
  std::string bytes_;
  std::size_t used_ = 0;
};

// An X25519 pair from a 32-byte seed, as crypto_kx_seed_keypair makes it.
struct ExchangeKeys {
  std::string pk;
  Key sk;
};

inline ExchangeKeys exchange_keys(std::string_view seed) {
  if (seed.size() != 32) throw std::invalid_argument("an exchange seed is 32 bytes");
  ExchangeKeys keys{std::string(32, '\0'), Key()};
  crypto_kx_seed_keypair(uchars(keys.pk), keys.sk.data(), uchars(seed));
  return keys;
}

}  // namespace balint::e2ee::testing
