// The keys and the clock that the token fuzzer and its seeds share, and the
// one place that calls the token API, so that a change of that API is made
// here alone.
#pragma once

#include "auth/token.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace balint::fuzz {

// The server's keys: "k1" and "k2", as during a key rotation.
std::span<const auth::SigningKey> server_keys();

// A key the server does not have.
const auth::SigningKey& foreign_key();

inline constexpr std::int64_t kNowSeconds = 1'700'000'000;
inline constexpr std::int64_t kLeewaySeconds = 30;

// verify_token with the server's keys at kNowSeconds.
auth::VerifiedToken verify(std::string_view token);

// sign_token under `key`.
std::string sign(const auth::JoinClaims& claims, const auth::SigningKey& key);

// `signing_input` (header and payload, base64url, joined by a dot) with an
// HS256 signature under `key` appended: a token whose contents are whatever
// the caller says, signed as a backend holding the key would sign it.
std::string sign_raw(std::string_view signing_input, const auth::SigningKey& key);

}  // namespace balint::fuzz
