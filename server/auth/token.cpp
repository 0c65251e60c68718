#include "auth/token.hpp"

#include <boost/json.hpp>
#include <sodium.h>

#include <stdexcept>
#include <vector>

namespace balint::auth {
namespace json = boost::json;
namespace {

void ensure_sodium() {
  static const bool ready = [] {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    return true;
  }();
  (void)ready;
}

std::string hmac_sha256(std::string_view message, std::string_view key) {
  ensure_sodium();
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()), key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()), message.size());
  crypto_auth_hmacsha256_final(&state, mac);
  return std::string(reinterpret_cast<const char*>(mac), sizeof mac);
}

TokenError fail(TokenError::Kind kind, std::string message) { return TokenError{kind, std::move(message)}; }

// Reads a string claim; empty when absent or not a string.
std::string string_claim(const json::object& payload, std::string_view key) {
  auto it = payload.find(key);
  if (it == payload.end() || !it->value().is_string()) return {};
  return std::string(it->value().get_string());
}

std::optional<std::int64_t> int_claim(const json::object& payload, std::string_view key) {
  auto it = payload.find(key);
  if (it == payload.end()) return std::nullopt;
  if (it->value().is_int64()) return it->value().get_int64();
  if (it->value().is_uint64() && it->value().get_uint64() <= INT64_MAX)
    return static_cast<std::int64_t>(it->value().get_uint64());
  return std::nullopt;
}

}  // namespace

std::string base64url_encode(std::string_view bytes) {
  ensure_sodium();
  constexpr int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    variant);
  out.resize(out.size() - 1);  // The encoder writes a terminating NUL.
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  // libsodium 1.0.18 reads every byte from 0x80 up as '_'; without this
  // check one token would have many spellings.
  for (const char c : text) {
    const bool alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!alphabet) return std::nullopt;
  }
  ensure_sodium();
  std::string out(text.size() * 3 / 4 + 3, '\0');
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                        &length, &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size())
    return std::nullopt;
  out.resize(length);
  return out;
}

std::string random_secret(std::size_t bytes) {
  ensure_sodium();
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  return base64url_encode(raw);
}

std::string sign_token(const JoinClaims& claims, const SigningKey& key) {
  json::object header{{"alg", "HS256"}, {"typ", "JWT"}};
  if (!key.id.empty()) header["kid"] = key.id;
  json::object payload;
  payload["sub"] = claims.participant_id;
  payload["name"] = claims.display_name;
  payload["sid"] = claims.session_id;
  payload["role"] = claims.role;
  payload["iat"] = claims.issued_at;
  if (claims.not_before != 0) payload["nbf"] = claims.not_before;
  payload["exp"] = claims.expires_at;
  if (!claims.token_id.empty()) payload["jti"] = claims.token_id;
  const std::string signing_input =
      base64url_encode(json::serialize(header)) + "." + base64url_encode(json::serialize(payload));
  return signing_input + "." + base64url_encode(hmac_sha256(signing_input, key.secret));
}

VerifiedToken verify_token(std::string_view token, std::span<const SigningKey> keys, std::int64_t now_seconds,
                           std::int64_t leeway_seconds) {
  using Kind = TokenError::Kind;
  const auto first_dot = token.find('.');
  const auto second_dot = first_dot == std::string_view::npos ? first_dot : token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos || token.find('.', second_dot + 1) != std::string_view::npos)
    return {std::nullopt, fail(Kind::malformed, "token is not three dot-separated parts")};

  const auto header_text = base64url_decode(token.substr(0, first_dot));
  const auto payload_text = base64url_decode(token.substr(first_dot + 1, second_dot - first_dot - 1));
  const auto signature = base64url_decode(token.substr(second_dot + 1));
  if (!header_text || !payload_text || !signature)
    return {std::nullopt, fail(Kind::malformed, "token part is not base64url")};

  boost::system::error_code ec;
  const json::value header = json::parse(*header_text, ec);
  if (ec || !header.is_object()) return {std::nullopt, fail(Kind::malformed, "token header is not a JSON object")};
  const auto* alg = header.as_object().if_contains("alg");
  if (!alg || !alg->is_string() || alg->get_string() != "HS256")
    return {std::nullopt, fail(Kind::unsupported_algorithm, "token algorithm must be HS256")};

  const auto* kid = header.as_object().if_contains("kid");
  if (kid && !kid->is_string()) return {std::nullopt, fail(Kind::malformed, "token key id (kid) is not a string")};
  bool key_found = false;
  bool signature_matches = false;
  for (const auto& key : keys) {
    if (kid && key.id != kid->get_string()) continue;
    key_found = true;
    const std::string expected = hmac_sha256(token.substr(0, second_dot), key.secret);
    if (signature->size() == expected.size() &&
        sodium_memcmp(signature->data(), expected.data(), expected.size()) == 0) {
      signature_matches = true;
      break;
    }
  }
  if (!key_found) return {std::nullopt, fail(Kind::unknown_key, "token names a key (kid) this server does not have")};
  if (!signature_matches) return {std::nullopt, fail(Kind::bad_signature, "token signature does not match")};

  const json::value payload_value = json::parse(*payload_text, ec);
  if (ec || !payload_value.is_object())
    return {std::nullopt, fail(Kind::malformed, "token payload is not a JSON object")};
  const json::object& payload = payload_value.as_object();

  JoinClaims claims;
  claims.participant_id = string_claim(payload, "sub");
  claims.display_name = string_claim(payload, "name");
  claims.session_id = string_claim(payload, "sid");
  claims.role = string_claim(payload, "role");
  claims.token_id = string_claim(payload, "jti");
  for (auto [name, value] : {std::pair{"sub", &claims.participant_id}, std::pair{"name", &claims.display_name},
                             std::pair{"sid", &claims.session_id}, std::pair{"role", &claims.role}})
    if (value->empty())
      return {std::nullopt, fail(Kind::missing_claim, std::string("token has no \"") + name + "\" claim")};
  const auto exp = int_claim(payload, "exp");
  if (!exp) return {std::nullopt, fail(Kind::missing_claim, "token has no \"exp\" claim")};
  claims.expires_at = *exp;
  claims.issued_at = int_claim(payload, "iat").value_or(0);
  claims.not_before = int_claim(payload, "nbf").value_or(0);

  // Written so that no claim, however large, makes the arithmetic overflow.
  if (claims.expires_at < now_seconds - leeway_seconds)
    return {std::nullopt, fail(Kind::expired, "token has expired")};
  if (claims.not_before != 0 && now_seconds + leeway_seconds < claims.not_before)
    return {std::nullopt, fail(Kind::not_yet_valid, "token is not valid yet")};
  return {std::move(claims), std::nullopt};
}

}  // namespace balint::auth
