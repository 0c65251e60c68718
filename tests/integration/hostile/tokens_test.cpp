// Every way a join token can be wrong. Tokens are forged locally (HS256
// with libsodium, under the server's own key where the point is that the
// signature is right and something else is not). Each is refused before
// the upgrade with an HTTP status and a JSON error, and the session does
// not notice.

#include "hostile_session.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

namespace balint::test {
namespace {

// Claims the server would take from p2, before the test spoils them.
boost::json::object p2_claims(const HostileSession& s) {
  return JwtForge::claims(s.session.session_id, "p2", "Di", "participant");
}

// (a), (b) and (c) for a token that must not get in.
void expect_join_refused(HostileSession& s, const std::string& token, std::initializer_list<int> statuses,
                         std::string_view code = "invalid_token", TokenPlace place = TokenPlace::header) {
  const auto before = s.snapshot();
  RawClient raw(s.server.port());
  const auto answer = raw.upgrade_with_token(token, place);
  INFO("upgrade answer: " << answer.status << " " << answer.body << answer.error);
  CHECK_FALSE(answer.upgraded);
  expect_json_error(answer.status, answer.body, statuses, code);
  s.expect_unchanged(before);
  s.expect_others_served();
}

std::vector<std::string> split(const std::string& token) {
  std::vector<std::string> parts(1);
  for (char c : token) {
    if (c == '.')
      parts.emplace_back();
    else
      parts.back() += c;
  }
  return parts;
}

}  // namespace

TEST_CASE("Tokens: a valid token is let in (the forge agrees with the server)", "[hostile][tokens]") {
  HostileSession s;
  RawClient raw(s.server.port());
  const bool joined = raw.join(s.forge().sign(p2_claims(s)));
  INFO(raw.last_error());
  REQUIRE(joined);
  CHECK(raw.welcome().participant_id() == "p2");
}

TEST_CASE("Tokens: a signature under another key is refused with 401", "[hostile][tokens]") {
  HostileSession s;
  const JwtForge stranger("a key this server has never seen, 0123456789");
  expect_join_refused(s, stranger.sign(p2_claims(s)), {401});
}

TEST_CASE("Tokens: a forged token in the query string is refused with 401", "[hostile][tokens]") {
  HostileSession s;
  const JwtForge stranger("a key this server has never seen, 0123456789");
  expect_join_refused(s, stranger.sign(p2_claims(s)), {401}, "invalid_token", TokenPlace::query);
}

TEST_CASE("Tokens: algorithm \"none\" with an empty signature is refused with 401", "[hostile][tokens]") {
  HostileSession s;
  const auto header = boost::json::serialize(boost::json::object{{"alg", "none"}, {"typ", "JWT"}});
  const auto token = base64url(header) + "." + base64url(boost::json::serialize(p2_claims(s))) + ".";
  expect_join_refused(s, token, {401});
}

TEST_CASE("Tokens: algorithm HS512 in the header is refused with 401", "[hostile][tokens]") {
  HostileSession s;
  // Signed with the right key (HMAC-SHA256); only the header lies.
  expect_join_refused(s, s.forge().sign({{"alg", "HS512"}, {"typ", "JWT"}}, p2_claims(s)), {401});
}

TEST_CASE("Tokens: algorithm RS256 in the header is refused with 401", "[hostile][tokens]") {
  HostileSession s;
  expect_join_refused(s, s.forge().sign({{"alg", "RS256"}, {"typ", "JWT"}}, p2_claims(s)), {401});
}

TEST_CASE("Tokens: an expired token is refused with 401", "[hostile][tokens]") {
  HostileSession s;
  auto claims = p2_claims(s);
  claims["iat"] = unix_now() - 7200;
  claims["nbf"] = unix_now() - 7200;
  claims["exp"] = unix_now() - 3600;  // Far past the 30 s leeway.
  expect_join_refused(s, s.forge().sign(claims), {401});
}

TEST_CASE("Tokens: a token not valid for another hour is refused with 401", "[hostile][tokens]") {
  HostileSession s;
  auto claims = p2_claims(s);
  claims["nbf"] = unix_now() + 3600;  // Far past the 30 s leeway.
  claims["exp"] = unix_now() + 7200;
  expect_join_refused(s, s.forge().sign(claims), {401});
}

TEST_CASE("Tokens: a well-signed token for a session that does not exist is refused with 404", "[hostile][tokens]") {
  HostileSession s;
  auto claims = p2_claims(s);
  claims["sid"] = "no-such-session";
  expect_join_refused(s, s.forge().sign(claims), {404}, "unknown_session");
}

TEST_CASE("Tokens: a token without \"sub\" is refused with 401", "[hostile][tokens]") {
  HostileSession s;
  auto claims = p2_claims(s);
  claims.erase("sub");
  expect_join_refused(s, s.forge().sign(claims), {401});
}

TEST_CASE("Tokens: a token without \"name\" is refused with 401", "[hostile][tokens]") {
  HostileSession s;
  auto claims = p2_claims(s);
  claims.erase("name");
  expect_join_refused(s, s.forge().sign(claims), {401});
}

TEST_CASE("Tokens: a token without \"sid\" is refused with 401", "[hostile][tokens]") {
  HostileSession s;
  auto claims = p2_claims(s);
  claims.erase("sid");
  expect_join_refused(s, s.forge().sign(claims), {401});
}

TEST_CASE("Tokens: a token without \"role\" is refused with 401", "[hostile][tokens]") {
  HostileSession s;
  auto claims = p2_claims(s);
  claims.erase("role");
  expect_join_refused(s, s.forge().sign(claims), {401});
}

TEST_CASE("Tokens: a token without \"exp\" is refused with 401", "[hostile][tokens]") {
  HostileSession s;
  auto claims = p2_claims(s);
  claims.erase("exp");
  expect_join_refused(s, s.forge().sign(claims), {401});
}

TEST_CASE("Tokens: a participant's token edited to say facilitator is refused with 401", "[hostile][tokens]") {
  HostileSession s;
  auto parts = split(s.token("p2"));
  REQUIRE(parts.size() == 3);
  const auto payload = from_base64url(parts[1]);
  REQUIRE(payload.has_value());
  auto claims = boost::json::parse(*payload).as_object();
  REQUIRE(claims.at("role").as_string() == "participant");
  claims["role"] = "facilitator";
  // The payload is edited; the header and the signature are kept.
  const auto tampered = parts[0] + "." + base64url(boost::json::serialize(claims)) + "." + parts[2];
  expect_join_refused(s, tampered, {401});
}

TEST_CASE("Tokens: a well-signed token with an unknown role is refused with 401", "[hostile][tokens]") {
  HostileSession s;
  auto claims = p2_claims(s);
  claims["role"] = "administrator";
  expect_join_refused(s, s.forge().sign(claims), {401});
}

TEST_CASE("Tokens: a token of two parts is refused with 401", "[hostile][tokens]") {
  HostileSession s;
  const auto parts = split(s.token("p2"));
  REQUIRE(parts.size() == 3);
  expect_join_refused(s, parts[0] + "." + parts[1], {401});
}

TEST_CASE("Tokens: a token of four parts is refused with 401", "[hostile][tokens]") {
  HostileSession s;
  expect_join_refused(s, s.token("p2") + "." + base64url("more"), {401});
}

TEST_CASE("Tokens: a token whose parts are not base64url is refused with 401", "[hostile][tokens]") {
  HostileSession s;
  expect_join_refused(s, "*not*.{base64}.$at$all", {401});
}

TEST_CASE("Tokens: a well-signed token whose payload is not JSON is refused with 401", "[hostile][tokens]") {
  HostileSession s;
  const auto header = boost::json::serialize(JwtForge::header());
  expect_join_refused(s, s.forge().sign_text(header, "sub=p2; role=facilitator"), {401});
}

TEST_CASE("Tokens: a 32 KiB token is refused for its size", "[hostile][tokens]") {
  HostileSession s;
  auto claims = p2_claims(s);
  claims["padding"] = std::string(24 * 1024, 'x');
  // Too big for the request headers: refused before anyone reads it.
  expect_join_refused(s, s.forge().sign(claims), {431}, "headers_too_large");
}

TEST_CASE("Tokens: an absurdly long name claim is refused", "[hostile][tokens]") {
  HostileSession s;
  auto claims = p2_claims(s);
  // Well signed and small enough for the headers, but no one is called that.
  claims["name"] = std::string(4000, 'N');
  expect_join_refused(s, s.forge().sign(claims), {400}, "invalid_argument");
}

TEST_CASE("Tokens: a participant id the admin API would never mint is refused", "[hostile][tokens]") {
  HostileSession s;
  auto claims = p2_claims(s);
  claims["sub"] = "../../p1\r\nX-Injected: yes";
  expect_join_refused(s, s.forge().sign(claims), {400}, "invalid_argument");
}

TEST_CASE("Tokens: an Authorization header that is not Bearer is refused with 401", "[hostile][tokens]") {
  HostileSession s;
  const auto before = s.snapshot();
  RawClient raw(s.server.port());
  const auto answer = raw.upgrade("/ws", {{"Authorization", "Basic " + base64url("p2:" + s.token("p2"))}});
  CHECK_FALSE(answer.upgraded);
  expect_json_error(answer.status, answer.body, {401}, "missing_token");
  s.expect_unchanged(before);
  s.expect_others_served();
}

}  // namespace balint::test
