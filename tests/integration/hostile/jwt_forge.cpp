#include "jwt_forge.hpp"

#include <boost/json/serialize.hpp>
#include <sodium.h>

#include <chrono>
#include <fstream>
#include <stdexcept>

namespace balint::test {

std::string base64url(std::string_view bytes) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  constexpr int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string text(sodium_base64_ENCODED_LEN(bytes.size(), variant), '\0');
  sodium_bin2base64(text.data(), text.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    variant);
  text.resize(text.size() - 1);  // The terminating NUL.
  return text;
}

std::optional<std::string> from_base64url(std::string_view text) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  std::string bytes(text.size(), '\0');
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(), text.data(), text.size(),
                        nullptr, &length, &end, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size())
    return std::nullopt;
  bytes.resize(length);
  return bytes;
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

JwtForge::JwtForge(std::string secret) : secret_(std::move(secret)) {}

JwtForge JwtForge::from_data_dir(const std::filesystem::path& data_dir) {
  std::ifstream in(data_dir / "token.secret");
  std::string secret;
  if (!in || !std::getline(in, secret) || secret.empty())
    throw std::runtime_error("no token secret in " + (data_dir / "token.secret").string());
  return JwtForge(secret);
}

boost::json::object JwtForge::header() { return {{"alg", "HS256"}, {"typ", "JWT"}}; }

boost::json::object JwtForge::claims(const std::string& session_id, const std::string& participant_id,
                                     const std::string& name, const std::string& role) {
  const auto now = unix_now();
  return {{"sub", participant_id}, {"name", name},      {"sid", session_id},         {"role", role},
          {"iat", now},            {"nbf", now},        {"exp", now + 3600},         {"jti", "forged-" + participant_id}};
}

std::string JwtForge::sign(const boost::json::object& claims) const { return sign(header(), claims); }

std::string JwtForge::sign(const boost::json::object& header, const boost::json::object& claims) const {
  return sign_text(boost::json::serialize(header), boost::json::serialize(claims));
}

std::string JwtForge::sign_text(std::string_view header_text, std::string_view payload_text) const {
  const std::string signing_input = base64url(header_text) + "." + base64url(payload_text);
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret_.data()), secret_.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(signing_input.data()),
                                signing_input.size());
  crypto_auth_hmacsha256_final(&state, mac);
  return signing_input + "." + base64url(std::string_view(reinterpret_cast<const char*>(mac), sizeof mac));
}

}  // namespace balint::test
