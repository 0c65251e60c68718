#include "token_keys.hpp"

#include <sodium.h>

#include <array>

namespace balint::fuzz {

std::span<const auth::SigningKey> server_keys() {
  static const std::array<auth::SigningKey, 2> keys = {{
      {"k1", "fuzzing-key-one-0123456789abcdefghij"},
      {"k2", "fuzzing-key-two-0123456789abcdefghij"},
  }};
  return keys;
}

const auth::SigningKey& foreign_key() {
  static const auth::SigningKey key{"k1", "someone-elses-key-0123456789abcdefgh"};
  return key;
}

auth::VerifiedToken verify(std::string_view token) {
  return auth::verify_token(token, server_keys(), kNowSeconds, kLeewaySeconds);
}

std::string sign(const auth::JoinClaims& claims, const auth::SigningKey& key) { return auth::sign_token(claims, key); }

std::string sign_raw(std::string_view signing_input, const auth::SigningKey& key) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.secret.data()), key.secret.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(signing_input.data()),
                                signing_input.size());
  crypto_auth_hmacsha256_final(&state, mac);
  const std::string_view signature(reinterpret_cast<const char*>(mac), sizeof mac);
  return std::string(signing_input) + "." + auth::base64url_encode(signature);
}

}  // namespace balint::fuzz
