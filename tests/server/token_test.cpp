#include "auth/token.hpp"

#include <catch2/catch.hpp>

#include <limits>

using balint::auth::JoinClaims;
using balint::auth::SigningKey;
using balint::auth::TokenError;

namespace {

const SigningKey secret{"k1", "a-test-secret-that-is-long-enough-1234"};
const std::vector<SigningKey> keys{secret};

JoinClaims sample_claims() {
  return JoinClaims{"p1", "Dr Pat", "s1", "participant", 1000, 0, 5000, "t1"};
}

TokenError::Kind refusal(const std::string& token, std::int64_t now = 2000) {
  const auto verified = balint::auth::verify_token(token, keys, now, 30);
  REQUIRE_FALSE(verified.claims);
  REQUIRE(verified.error);
  CHECK_FALSE(verified.error->message.empty());
  return verified.error->kind;
}

std::string part(const std::string& token, int index) {
  std::size_t start = 0;
  for (int i = 0; i < index; ++i) start = token.find('.', start) + 1;
  return token.substr(start, token.find('.', start) - start);
}

}  // namespace

TEST_CASE("a signed token verifies and carries every claim", "[token]") {
  const auto token = balint::auth::sign_token(sample_claims(), secret);
  const auto verified = balint::auth::verify_token(token, keys, 2000, 30);
  REQUIRE(verified.claims);
  CHECK(verified.claims->participant_id == "p1");
  CHECK(verified.claims->display_name == "Dr Pat");
  CHECK(verified.claims->session_id == "s1");
  CHECK(verified.claims->role == "participant");
  CHECK(verified.claims->issued_at == 1000);
  CHECK(verified.claims->expires_at == 5000);
  CHECK(verified.claims->token_id == "t1");
}

TEST_CASE("the token header is the standard HS256 JWT header, naming the key", "[token]") {
  const auto token = balint::auth::sign_token(sample_claims(), secret);
  CHECK(balint::auth::base64url_decode(part(token, 0)) == R"({"alg":"HS256","typ":"JWT","kid":"k1"})");
  const auto unnamed = balint::auth::sign_token(sample_claims(), SigningKey{"", secret.secret});
  CHECK(balint::auth::base64url_decode(part(unnamed, 0)) == R"({"alg":"HS256","typ":"JWT"})");
}

TEST_CASE("several keys are in force at once, so a secret can be rotated", "[token]") {
  const SigningKey old_key{"2026-10", "the-old-secret-the-old-secret-the-old-1"};
  const SigningKey new_key{"2026-11", "the-new-secret-the-new-secret-the-new-2"};
  const std::vector<SigningKey> during_rotation{new_key, old_key};
  const std::vector<SigningKey> after_rotation{new_key};
  const auto old_token = balint::auth::sign_token(sample_claims(), old_key);
  const auto new_token = balint::auth::sign_token(sample_claims(), new_key);

  CHECK(balint::auth::verify_token(old_token, during_rotation, 2000, 30).claims);
  CHECK(balint::auth::verify_token(new_token, during_rotation, 2000, 30).claims);
  CHECK(balint::auth::verify_token(new_token, after_rotation, 2000, 30).claims);
  const auto retired = balint::auth::verify_token(old_token, after_rotation, 2000, 30);
  REQUIRE(retired.error);
  CHECK(retired.error->kind == TokenError::Kind::unknown_key);

  SECTION("a token without a kid is tried against every key") {
    const auto unnamed = balint::auth::sign_token(sample_claims(), SigningKey{"", old_key.secret});
    CHECK(balint::auth::verify_token(unnamed, during_rotation, 2000, 30).claims);
    CHECK(balint::auth::verify_token(unnamed, after_rotation, 2000, 30).error->kind == TokenError::Kind::bad_signature);
  }
  SECTION("a token naming one key but signed with another is refused") {
    const auto mislabelled = balint::auth::sign_token(sample_claims(), SigningKey{new_key.id, old_key.secret});
    CHECK(balint::auth::verify_token(mislabelled, during_rotation, 2000, 30).error->kind ==
          TokenError::Kind::bad_signature);
  }
}

TEST_CASE("tokens that must be refused are refused with the right reason", "[token]") {
  using Kind = TokenError::Kind;
  const auto good = balint::auth::sign_token(sample_claims(), secret);

  SECTION("another secret") {
    CHECK(refusal(balint::auth::sign_token(sample_claims(), SigningKey{"k1", "some-other-secret-entirely-0000000"})) ==
          Kind::bad_signature);
  }
  SECTION("a tampered payload") {
    auto claims = sample_claims();
    claims.role = "facilitator";
    const auto forged = balint::auth::sign_token(claims, SigningKey{"k1", "wrong-secret-wrong-secret-wrong-secret"});
    CHECK(refusal(part(good, 0) + "." + part(forged, 1) + "." + part(good, 2)) == Kind::bad_signature);
  }
  SECTION("algorithm none") {
    const auto header = balint::auth::base64url_encode(R"({"alg":"none","typ":"JWT"})");
    CHECK(refusal(header + "." + part(good, 1) + ".") == Kind::unsupported_algorithm);
  }
  SECTION("expired, beyond the leeway") { CHECK(refusal(good, 5000 + 31) == Kind::expired); }
  SECTION("not yet valid") {
    auto claims = sample_claims();
    claims.not_before = 3000;
    CHECK(refusal(balint::auth::sign_token(claims, secret), 2000) == Kind::not_yet_valid);
  }
  SECTION("a missing claim") {
    auto claims = sample_claims();
    claims.session_id.clear();
    CHECK(refusal(balint::auth::sign_token(claims, secret)) == Kind::missing_claim);
  }
  SECTION("not a JWT at all") {
    CHECK(refusal("garbage") == Kind::malformed);
    CHECK(refusal("a.b.c.d") == Kind::malformed);
    CHECK(refusal("!!.??.**") == Kind::malformed);
    CHECK(refusal("") == Kind::malformed);
  }
}

TEST_CASE("expiry allows the configured clock skew", "[token]") {
  const auto token = balint::auth::sign_token(sample_claims(), secret);
  CHECK(balint::auth::verify_token(token, keys, 5000 + 30, 30).claims);
  CHECK_FALSE(balint::auth::verify_token(token, keys, 5000 + 30, 0).claims);
}

TEST_CASE("base64url round-trips every byte value", "[token]") {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  const auto encoded = balint::auth::base64url_encode(bytes);
  CHECK(encoded.find_first_of("+/=") == std::string::npos);
  CHECK(balint::auth::base64url_decode(encoded) == bytes);
}

TEST_CASE("base64url refuses bytes outside its alphabet, so a token has one spelling", "[token]") {
  CHECK_FALSE(balint::auth::base64url_decode("ab\xff" "c"));
  CHECK_FALSE(balint::auth::base64url_decode("ab+c"));
  CHECK_FALSE(balint::auth::base64url_decode("ab=c"));
  const auto token = balint::auth::sign_token(sample_claims(), secret);
  // The same token with one signature character respelt as a high byte.
  auto respelt = token;
  respelt.back() = '\xff';
  CHECK(refusal(respelt) == TokenError::Kind::malformed);
}

TEST_CASE("an expiry at the edge of int64 is compared without overflow", "[token]") {
  auto claims = sample_claims();
  claims.expires_at = std::numeric_limits<std::int64_t>::max();
  CHECK(balint::auth::verify_token(balint::auth::sign_token(claims, secret), keys, 2000, 30).claims);
  claims.expires_at = std::numeric_limits<std::int64_t>::min();
  CHECK(refusal(balint::auth::sign_token(claims, secret)) == TokenError::Kind::expired);
}
