// Join tokens made the way any backend would make them: HS256 over
// base64url JSON, with libsodium's HMAC. It shares no code with the
// server's own token handling, so that a mistake there cannot hide behind
// the same mistake here; and it makes tokens no backend should: edited,
// unsigned, expired, missing claims.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace balint::test {

// Base64url without padding, as JWT writes it, and back (empty optional
// when `text` is not base64url).
std::string base64url(std::string_view bytes);
std::optional<std::string> from_base64url(std::string_view text);

class JwtForge {
 public:
  explicit JwtForge(std::string secret);
  // The key a server keeps in <data_dir>/token.secret (its first line).
  static JwtForge from_data_dir(const std::filesystem::path& data_dir);

  // {"alg":"HS256","typ":"JWT"}
  static boost::json::object header();
  // Claims a server accepts for the given member of the given session: sub, name,
  // sid, role, iat and nbf (now), exp (in an hour), jti.
  static boost::json::object claims(const std::string& session_id, const std::string& participant_id,
                                    const std::string& name, const std::string& role);

  // header.payload.signature, signed with HS256 under the forge's secret
  // whatever the header says.
  std::string sign(const boost::json::object& claims) const;
  std::string sign(const boost::json::object& header, const boost::json::object& claims) const;
  // The same over any text, JSON or not.
  std::string sign_text(std::string_view header_text, std::string_view payload_text) const;

 private:
  std::string secret_;
};

// Seconds since the epoch, as tokens count time.
std::int64_t unix_now();

}  // namespace balint::test
