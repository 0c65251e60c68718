// Join tokens: JWT with HS256, so that any backend can mint them with an
// ordinary JWT library and one of the server's API keys.
//
// Header: alg "HS256", typ "JWT", kid (the API key's id; optional).
// Claims: sub (participant id), name (display name), sid (session id),
// role ("facilitator", "co_facilitator", "participant", "room"), iat, nbf,
// exp (seconds since the epoch) and jti (token id).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
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

// An API key: the id a token names in its "kid" header, and the secret it
// is signed with. Several may be in force at once, so that a secret can be
// rotated without refusing the tokens already handed out.
struct SigningKey {
  std::string id;
  std::string secret;
};

// Why a token was refused; `message` says it in words.
struct TokenError {
  enum class Kind { malformed, unsupported_algorithm, unknown_key, bad_signature, expired, not_yet_valid, missing_claim };
  Kind kind;
  std::string message;
};

// Signs the claims with HS256 under `key`, naming it in the "kid" header
// (left out when the key's id is empty).
std::string sign_token(const JoinClaims& claims, const SigningKey& key);

// Checks the algorithm, the signature and the time window (with `leeway`
// seconds of clock skew allowed) and returns the claims, or why not. A
// token that names a key is checked against that key alone; one that names
// none, against each key in turn.
struct VerifiedToken {
  std::optional<JoinClaims> claims;
  std::optional<TokenError> error;
};
VerifiedToken verify_token(std::string_view token, std::span<const SigningKey> keys, std::int64_t now_seconds,
                           std::int64_t leeway_seconds);

// Base64url without padding, as JWT uses it.
std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

// A random URL-safe secret of `bytes` random bytes.
std::string random_secret(std::size_t bytes = 32);

}  // namespace balint::auth
