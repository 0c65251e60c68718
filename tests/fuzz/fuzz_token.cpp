// libFuzzer target: the bytes are a join token, checked as the gateway
// checks one, with fixed keys and a fixed clock (token_keys.hpp).
//
// A forged signature stops verification early, so the fuzzer alone would
// hardly get past it. Each input is therefore checked twice: as it is (what
// anyone can send), and with its signature replaced by a valid one under
// key "k1" (what a backend holding a key can mint), which opens the header,
// key id and claim checks to the fuzzer as well.
//
// Also: base64url encoding round-trips any bytes, and decoding accepts only
// the canonical encoding, so that a token has one spelling (the server tells
// tokens without a jti apart by their signature's text).
#include "auth/token.hpp"
#include "require.hpp"
#include "token_keys.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace {

namespace auth = balint::auth;
namespace fuzz = balint::fuzz;
using fuzz::require;

bool same_claims(const auth::JoinClaims& a, const auth::JoinClaims& b) {
  return a.participant_id == b.participant_id && a.display_name == b.display_name && a.session_id == b.session_id &&
         a.role == b.role && a.issued_at == b.issued_at && a.not_before == b.not_before &&
         a.expires_at == b.expires_at && a.token_id == b.token_id;
}

// Each dot-separated part decodes and encodes back to itself.
bool canonical(std::string_view token) {
  std::size_t start = 0;
  while (true) {
    const auto dot = token.find('.', start);
    const auto part = token.substr(start, dot == std::string_view::npos ? dot : dot - start);
    const auto decoded = auth::base64url_decode(part);
    if (!decoded || auth::base64url_encode(*decoded) != part) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// Exactly one of claims and error; an accepted token is spelled canonically,
// its claims are complete and in their time window, and signing them again
// gives a token that verifies to the same claims.
void check_verdict(std::string_view token) {
  const auth::VerifiedToken verified = fuzz::verify(token);
  require(verified.claims.has_value() != verified.error.has_value(), "a verdict needs exactly one of claims and error");
  if (verified.error) {
    require(!verified.error->message.empty(), "a refused token without a reason");
    return;
  }
  require(canonical(token), "a token that is not spelled canonically was accepted");
  const auth::JoinClaims& claims = *verified.claims;
  require(!claims.participant_id.empty() && !claims.display_name.empty() && !claims.session_id.empty() &&
              !claims.role.empty(),
          "an accepted token lacks a claim");
  require(claims.expires_at >= fuzz::kNowSeconds - fuzz::kLeewaySeconds, "an expired token was accepted");
  require(claims.not_before <= fuzz::kNowSeconds + fuzz::kLeewaySeconds, "a token not valid yet was accepted");
  const auth::VerifiedToken again = fuzz::verify(fuzz::sign(claims, fuzz::server_keys()[1]));
  require(again.claims.has_value() && same_claims(*again.claims, claims), "re-signed claims do not verify the same");
}

// The token's header and payload with a valid "k1" signature in place of
// its own; empty when it has no second part.
std::string resigned(std::string_view token) {
  const auto first_dot = token.find('.');
  if (first_dot == std::string_view::npos) return {};
  const auto second_dot = token.find('.', first_dot + 1);
  return fuzz::sign_raw(token.substr(0, second_dot), fuzz::server_keys()[0]);
}

void check_base64url(std::string_view bytes) {
  const std::string encoded = auth::base64url_encode(bytes);
  require(auth::base64url_decode(encoded) == bytes, "base64url does not round-trip");
  if (const auto decoded = auth::base64url_decode(bytes)) {
    require(auth::base64url_encode(*decoded) == bytes, "base64url decoding accepted a non-canonical text");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view token(reinterpret_cast<const char*>(data), size);
  check_verdict(token);
  if (const std::string signed_token = resigned(token); !signed_token.empty()) check_verdict(signed_token);
  check_base64url(token);
  return 0;
}
