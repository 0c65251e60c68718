// Join tokens: JWT with HS256, so that any backend can mint them with an
// ordinary JWT library and the shared secret.
//
// Claims: sub (participant id), name (display name), sid (session id),
// role ("facilitator", "co_facilitator", "participant", "room"), iat, nbf,
// exp (seconds since the epoch) and jti (token id).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace balint::auth {

struct JoinClaims {
  std::string participant_id;  // sub
  std::string display_name;    // name
  std::string session_id;      // sid
  std::string role;            // role
  std::int64_t issued_at = 0;  // iat
  std::int64_t not_before = 0; // nbf (0: absent)
  std::int64_t expires_at = 0; // exp
  std::string token_id;        // jti
};

// Why a token was refused; `message` says it in words.
struct TokenError {
  enum class Kind { malformed, bad_signature, unsupported_algorithm, expired, not_yet_valid, missing_claim };
  Kind kind;
  std::string message;
};

// Signs the claims with HS256 under `secret`.
std::string sign_token(const JoinClaims& claims, std::string_view secret);

// Checks the signature, the algorithm and the time window (with `leeway`
// seconds of clock skew allowed) and returns the claims, or why not.
struct VerifiedToken {
  std::optional<JoinClaims> claims;
  std::optional<TokenError> error;
};
VerifiedToken verify_token(std::string_view token, std::string_view secret, std::int64_t now_seconds,
                           std::int64_t leeway_seconds = 30);

// Base64url without padding, as JWT uses it.
std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

// A random URL-safe secret of `bytes` random bytes.
std::string random_secret(std::size_t bytes = 32);

}  // namespace balint::auth
