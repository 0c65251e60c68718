// Who gets in: API keys in rotation, tokens a facilitator revokes, invites
// minted for a running session.

#include "hostile/hostile_session.hpp"

#include "auth/token.hpp"

#include <catch2/catch.hpp>

#include <boost/json.hpp>

namespace balint::test {
namespace {

const auth::SigningKey kNewKey{"2026-11", "the-new-key-the-new-key-the-new-key-1"};
const auth::SigningKey kOldKey{"2026-10", "the-old-key-the-old-key-the-old-key-2"};

auth::JoinClaims claims_for(const std::string& session_id, const std::string& participant_id) {
  const auto now = unix_now();
  return {participant_id, "Dr " + participant_id, session_id, "participant", now, 0, now + 600, "t-" + participant_id};
}

sdk::Status try_connect(const TestServer& server, const std::string& token) {
  sdk::Client client;
  return client.connect(server.ws_url(), token);
}

}  // namespace

TEST_CASE("Access: tokens under every configured key get in, the first key signs new invites", "[access]") {
  TestServer server([](app::Config& c) { c.token_keys = {kNewKey, kOldKey}; });
  sdk::SessionRequest request;
  request.name = "rotation";
  request.format = "balint";
  request.invitees = {invitee("fac", "Dr Ada", "facilitator")};
  const auto created = server.admin().create_session(request);

  // The admin API's links carry the first key's id.
  const auto& link_token = created.invites[0].token;
  const auto header = auth::base64url_decode(link_token.substr(0, link_token.find('.')));
  REQUIRE(header.has_value());
  CHECK(boost::json::parse(*header).at("kid").as_string() == kNewKey.id);

  Member fac("facilitator");
  fac.join(created.invites[0]);
  CHECK(try_connect(server, auth::sign_token(claims_for(created.session_id, "p1"), kOldKey)).ok());
  CHECK(try_connect(server, auth::sign_token(claims_for(created.session_id, "p2"), kNewKey)).ok());

  const auth::SigningKey retired{"2026-09", "a-retired-key-a-retired-key-a-retired-3"};
  const auto refused = try_connect(server, auth::sign_token(claims_for(created.session_id, "p3"), retired));
  CHECK(refused.http_status == 401);
  CHECK(refused.code == "invalid_token");
  CHECK_THAT(refused.message, Catch::Contains("kid"));
  CHECK(must(fac, sdk::cmd::next_phase()) > 0);
}

TEST_CASE("Access: a revoked member is removed and cannot come back with their token, a new invite lets them in",
          "[access][hostile]") {
  HostileSession s;
  const auto before = s.snapshot();

  must(s.fac, sdk::cmd::revoke_member("p1"));
  REQUIRE(s.p1.client().wait_closed(kWait));
  CHECK(s.p1.client().close_info()->goodbye == v1::GOODBYE_REASON_REMOVED);

  // The same link again: refused, and the session does not move.
  const auto after_removal = s.fac.client().state();
  sdk::Client again;
  const auto status = again.connect(s.server.ws_url(), s.token("p1"));
  CHECK(status.http_status == 403);
  CHECK(status.code == "token_revoked");
  CHECK_FALSE(status.message.empty());
  CHECK(s.server.admin().get_session(s.session.session_id).version() == after_removal.version());

  // A fresh invite from the admin API works.
  const auto minted = s.server.admin().request("POST", "/api/v1/sessions/" + s.session.session_id + "/invites",
                                               R"({"invitees":[{"id":"p1","name":"Ben","role":"participant"}]})");
  REQUIRE(minted.status == 201);
  const auto invite = boost::json::parse(minted.body).at("invites").at(0);
  CHECK(invite.at("participant_id").as_string() == "p1");
  CHECK(invite.at("link").as_string().starts_with(s.server.http_url() + "/join#"));
  sdk::Client back;
  CHECK(back.connect(s.server.ws_url(), std::string(invite.at("token").as_string())).ok());
  CHECK(back.state().version() > before.version());
}

TEST_CASE("Access: a member removed without revoking may come back with the same link", "[access]") {
  HostileSession s;
  must(s.fac, sdk::cmd::remove_member("p1"));
  REQUIRE(s.p1.client().wait_closed(kWait));
  sdk::Client again;
  CHECK(again.connect(s.server.ws_url(), s.token("p1")).ok());
}

TEST_CASE("Access: the invites endpoint checks its input and the session", "[access][admin]") {
  HostileSession s;
  auto admin = s.server.admin();
  const std::string target = "/api/v1/sessions/" + s.session.session_id + "/invites";

  auto refused = admin.request("POST", target, "not json");
  expect_json_error(refused.status, refused.body, {400}, "invalid_request");
  refused = admin.request("POST", target, R"({"invitees":[{"name":"Pat","role":"presenter"}]})");
  expect_json_error(refused.status, refused.body, {400}, "invalid_request");
  refused = admin.request("POST", target, R"({"invitees":[{"name":"Pat\u0007","role":"participant"}]})");
  expect_json_error(refused.status, refused.body, {400}, "invalid_request");
  refused = admin.request("POST", "/api/v1/sessions/nope/invites", R"({"invitees":[{"name":"Pat","role":"participant"}]})");
  expect_json_error(refused.status, refused.body, {404}, "unknown_session");

  // Without an id the invitee gets a fresh one.
  const auto minted = admin.request("POST", target, R"({"invitees":[{"name":"Pat","role":"participant"}]})");
  REQUIRE(minted.status == 201);
  const auto id = std::string(boost::json::parse(minted.body).at("invites").at(0).at("participant_id").as_string());
  CHECK(id.starts_with("m"));

  admin.end_session(s.session.session_id);
  refused = admin.request("POST", target, R"({"invitees":[{"name":"Pat","role":"participant"}]})");
  expect_json_error(refused.status, refused.body, {409}, "session_ended");
}

}  // namespace balint::test
