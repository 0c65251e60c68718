// A member's keys for one session: Ed25519 to sign, X25519 to agree on
// pairwise channels. Made when the member joins, held in memory only.
#pragma once

#include "balint/e2ee/random.hpp"
#include "balint/e2ee/secret.hpp"

#include <string>
#include <string_view>

namespace balint::e2ee {

class Identity {
 public:
  // Two fresh 32-byte seeds from `random`: the signing seed first.
  static Identity generate(RandomSource& random);
  // From given 32-byte seeds (std::invalid_argument otherwise); the seed
  // strings are zeroed once used.
  static Identity from_seeds(std::string sign_seed, std::string exchange_seed);

  Identity(Identity&& other) noexcept;
  Identity& operator=(Identity&& other) noexcept;
  Identity(const Identity&) = delete;
  Identity& operator=(const Identity&) = delete;
  ~Identity() = default;

  const std::string& identity_public() const { return identity_public_; }  // Ed25519, 32 bytes.
  const std::string& exchange_public() const { return exchange_public_; }  // X25519, 32 bytes.
  const Key& exchange_secret() const { return exchange_secret_; }

  // crypto_sign_detached: 64 bytes. Throws std::logic_error once wiped.
  std::string sign(std::string_view message) const;

  // Zeroes both secret keys; the public keys stay, so a log can still say
  // whose keys these were.
  void wipe();
  bool wiped() const { return wiped_; }

 private:
  Identity(const Secret<32>& sign_seed, const Secret<32>& exchange_seed);

  Secret<64> sign_secret_;
  Key exchange_secret_;
  std::string identity_public_;
  std::string exchange_public_;
  bool wiped_ = false;
};

// crypto_sign_verify_detached; false for a signature or key of the wrong length.
bool signature_valid(std::string_view message, std::string_view signature, std::string_view identity_pk);

}  // namespace balint::e2ee
