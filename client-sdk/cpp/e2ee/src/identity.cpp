#include "balint/e2ee/identity.hpp"

#include "balint/e2ee/bytes.hpp"
#include "balint/e2ee/constants.hpp"
#include "balint/e2ee/init.hpp"

#include <sodium.h>

#include <stdexcept>

namespace balint::e2ee {

static_assert(crypto_sign_SECRETKEYBYTES == 64 && crypto_sign_SEEDBYTES == kSeedBytes);
static_assert(crypto_kx_SECRETKEYBYTES == 32 && crypto_kx_SEEDBYTES == kSeedBytes);

Identity::Identity(const Secret<32>& sign_seed, const Secret<32>& exchange_seed)
    : identity_public_(kPublicKeyBytes, '\0'), exchange_public_(kPublicKeyBytes, '\0') {
  ensure_sodium();
  crypto_sign_seed_keypair(uchars(identity_public_), sign_secret_.data(), sign_seed.data());
  crypto_kx_seed_keypair(uchars(exchange_public_), exchange_secret_.data(), exchange_seed.data());
}

Identity Identity::generate(RandomSource& random) {
  const auto sign_seed = random_secret<kSeedBytes>(random);
  const auto exchange_seed = random_secret<kSeedBytes>(random);
  return Identity(sign_seed, exchange_seed);
}

Identity Identity::from_seeds(std::string sign_seed, std::string exchange_seed) {
  if (sign_seed.size() != kSeedBytes || exchange_seed.size() != kSeedBytes) {
    throw std::invalid_argument("identity seeds must be 32 bytes each");
  }
  const auto sign = Secret<kSeedBytes>::from_bytes(sign_seed);
  const auto exchange = Secret<kSeedBytes>::from_bytes(exchange_seed);
  sodium_memzero(sign_seed.data(), sign_seed.size());
  sodium_memzero(exchange_seed.data(), exchange_seed.size());
  return Identity(sign, exchange);
}

Identity::Identity(Identity&& other) noexcept
    : sign_secret_(std::move(other.sign_secret_)),
      exchange_secret_(std::move(other.exchange_secret_)),
      identity_public_(std::move(other.identity_public_)),
      exchange_public_(std::move(other.exchange_public_)),
      wiped_(other.wiped_) {
  other.wiped_ = true;
}

Identity& Identity::operator=(Identity&& other) noexcept {
  if (this != &other) {
    sign_secret_ = std::move(other.sign_secret_);
    exchange_secret_ = std::move(other.exchange_secret_);
    identity_public_ = std::move(other.identity_public_);
    exchange_public_ = std::move(other.exchange_public_);
    wiped_ = other.wiped_;
    other.wiped_ = true;
  }
  return *this;
}

std::string Identity::sign(std::string_view message) const {
  if (wiped_) throw std::logic_error("signing with a wiped identity");
  std::string signature(kSignatureBytes, '\0');
  crypto_sign_detached(uchars(signature), nullptr, uchars(message), message.size(), sign_secret_.data());
  return signature;
}

void Identity::wipe() {
  sign_secret_.wipe();
  exchange_secret_.wipe();
  wiped_ = true;
}

bool signature_valid(std::string_view message, std::string_view signature, std::string_view identity_pk) {
  ensure_sodium();
  if (signature.size() != kSignatureBytes || identity_pk.size() != kPublicKeyBytes) return false;
  return crypto_sign_verify_detached(uchars(signature), uchars(message), message.size(), uchars(identity_pk)) == 0;
}

}  // namespace balint::e2ee
