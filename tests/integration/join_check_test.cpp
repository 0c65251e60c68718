// GET /api/v1/join: what a WebSocket upgrade with a join token would meet
// now, told over plain HTTP (a browser only sees close code 1006 when an
// upgrade is refused). Every refusal is checked against a real upgrade with
// the same token, so that the two can never drift apart; and the check
// joins nobody and changes nothing.

#include "hostile/hostile_session.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include <algorithm>

namespace balint::test {
namespace {

namespace json = boost::json;

const sdk::Invite& invite_of(const sdk::CreatedSession& session, const std::string& participant_id) {
  const auto it = std::find_if(session.invites.begin(), session.invites.end(),
                               [&](const sdk::Invite& i) { return i.participant_id == participant_id; });
  if (it == session.invites.end()) throw std::out_of_range("no invite for " + participant_id);
  return *it;
}

// GET /api/v1/join with the token where a client may put it: the admin
// client sends its credential as "Authorization: Bearer ..." (and nothing
// when it is empty), here the join token.
sdk::HttpResponse check_join(const TestServer& server, const std::string& token, TokenPlace place = TokenPlace::header) {
  if (place == TokenPlace::query)
    return sdk::AdminClient(server.http_url(), "").request("GET", "/api/v1/join?token=" + token);
  return sdk::AdminClient(server.http_url(), token).request("GET", "/api/v1/join");
}

const char* where(TokenPlace place) { return place == TokenPlace::query ? "token in the query" : "token in the header"; }

// The check and a real upgrade with the same token, in the header and in
// the query, refuse alike: `status`, `code` and the very same body; and the
// SDK reports the upgrade's refusal with the check's message.
void expect_refused_alike(const TestServer& server, const std::string& token, int status, std::string_view code) {
  std::string message;
  for (const auto place : {TokenPlace::header, TokenPlace::query}) {
    INFO(where(place));
    const auto check = check_join(server, token, place);
    expect_json_error(check.status, check.body, {status}, code);
    CHECK(check.content_type == "application/json");

    RawClient raw(server.port());
    const auto upgrade = token.empty() && place == TokenPlace::header ? raw.upgrade("/ws")
                                                                      : raw.upgrade_with_token(token, place);
    INFO("upgrade: " << upgrade.status << " " << upgrade.body << upgrade.error);
    CHECK_FALSE(upgrade.upgraded);
    CHECK(upgrade.status == check.status);
    CHECK(upgrade.body == check.body);
    if (const auto error = json_error_of(check.body)) message = error->message;
  }
  sdk::Client client;
  const auto joined = client.connect(server.ws_url(), token);
  INFO("SDK: " << joined.describe());
  CHECK(joined.http_status == status);
  CHECK(joined.code == code);
  CHECK(joined.message == message);
  CHECK_FALSE(client.connected());
}

sdk::SessionRequest group(std::uint32_t max_members = 0) {
  sdk::SessionRequest request;
  request.name = "Tuesday group";
  request.format = "balint";
  request.max_members = max_members;
  request.invitees = {invitee("fac", "Dr Ada", "facilitator"), invitee("cof", "Dr Bo", "co_facilitator"),
                      invitee("pres", "Dr Cy", "presenter"),   invitee("p1", "Ben", "participant"),
                      invitee("p2", "Di", "participant"),      invitee("room1", "Room 3", "room")};
  return request;
}

}  // namespace

TEST_CASE("Join check: a valid link answers 200 with the session, the member and the role, and joins nobody",
          "[join_check]") {
  TestServer server;
  auto admin = server.admin();
  const auto created = admin.create_session(group());
  Member fac("facilitator");
  fac.join(invite_of(created, "fac"));
  const auto before = admin.get_session(created.session_id);
  REQUIRE(before.roster_size() == 1);

  // The exact answer, for one of them.
  const auto ben = check_join(server, invite_of(created, "p1").token);
  CHECK(ben.status == 200);
  CHECK(ben.content_type == "application/json");
  CHECK(ben.body == R"({"session_id":")" + created.session_id +
                        R"(","session_name":"Tuesday group","participant_id":"p1","display_name":"Ben",)"
                        R"("role":"participant","ended":false})");

  // Every invite, the facilitator's own (connected) link included, both ways.
  for (const auto& invite : created.invites) {
    for (const auto place : {TokenPlace::header, TokenPlace::query}) {
      INFO(invite.participant_id << ", " << where(place));
      const auto answer = check_join(server, invite.token, place);
      INFO(answer.body);
      REQUIRE(answer.status == 200);
      CHECK(json::parse(answer.body) == json::value(json::object{{"session_id", created.session_id},
                                                                 {"session_name", "Tuesday group"},
                                                                 {"participant_id", invite.participant_id},
                                                                 {"display_name", invite.name},
                                                                 {"role", invite.role},
                                                                 {"ended", false}}));
    }
  }
  CHECK(invite_of(created, "cof").role == "co_facilitator");
  CHECK(invite_of(created, "room1").role == "room");
  CHECK(invite_of(created, "pres").role == "participant");

  // Nobody joined, nothing moved, and the facilitator was not signed in again.
  const auto after = admin.get_session(created.session_id);
  CHECK(after.version() == before.version());
  CHECK(after.roster_size() == before.roster_size());
  CHECK(fac.client().state().version() == before.version());
  for (const auto& summary : admin.list_sessions()) {
    CHECK(summary.members == 1);
    CHECK(summary.connections == 1);
  }
  CHECK(fac.client().connected());
  must(fac, sdk::cmd::next_phase());

  // Only GET.
  for (const std::string method : {"POST", "PUT", "DELETE"}) {
    INFO(method);
    const auto refused = sdk::AdminClient(server.http_url(), invite_of(created, "p1").token).request(method, "/api/v1/join");
    expect_json_error(refused.status, refused.body, {405}, "method_not_allowed");
  }

  // And the link the check approved opens a real upgrade.
  RawClient raw(server.port());
  INFO(raw.last_error());
  REQUIRE(raw.join(invite_of(created, "p1").token));
  CHECK(raw.welcome().participant_id() == "p1");
}

TEST_CASE("Join check: every refusal has the upgrade's status, code and message, and changes nothing",
          "[join_check]") {
  TestServer server;
  auto admin = server.admin();
  const auto created = admin.create_session(group(1));  // p1 fills it.
  Member fac("facilitator"), ben("participant p1");
  fac.join(invite_of(created, "fac"));
  ben.join(invite_of(created, "p1"));
  wait_all({&fac, &ben}, ben.client().state().version());
  const auto forge = JwtForge::from_data_dir(server.data_dir());
  const auto forged = [&](auto edit) {
    auto claims = JwtForge::claims(created.session_id, "p9", "Dr Nine", "participant");
    edit(claims);
    return forge.sign(claims);
  };
  // What the session must still be after each refusal.
  auto expected = admin.get_session(created.session_id);

  SECTION("no token") { expect_refused_alike(server, "", 401, "missing_token"); }
  SECTION("a bad signature") {
    const JwtForge stranger("not-this-servers-key-not-this-servers-key-0451");
    expect_refused_alike(server, stranger.sign(JwtForge::claims(created.session_id, "p2", "Di", "participant")), 401,
                         "invalid_token");
    const auto token = invite_of(created, "p2").token;
    const auto dot = token.rfind('.');
    std::string edited = token;
    edited[dot + 5] = edited[dot + 5] == 'A' ? 'B' : 'A';  // Not the last character: all its bits count.
    expect_refused_alike(server, edited, 401, "invalid_token");
  }
  SECTION("an expired token") {
    expect_refused_alike(server, forged([](json::object& c) {
                           c["iat"] = unix_now() - 7200;
                           c["nbf"] = unix_now() - 7200;
                           c["exp"] = unix_now() - 3600;
                         }),
                         401, "invalid_token");
  }
  SECTION("a role the server does not know") {
    expect_refused_alike(server, forged([](json::object& c) { c["role"] = "observer"; }), 401, "invalid_token");
  }
  SECTION("a session this server does not have") {
    expect_refused_alike(server, forged([](json::object& c) { c["sid"] = "no-such-session"; }), 404,
                         "unknown_session");
  }
  SECTION("a token a facilitator revoked") {
    must(fac, sdk::cmd::revoke_member("p1"));
    REQUIRE(ben.client().wait_closed(kWait));
    expected = admin.get_session(created.session_id);
    expect_refused_alike(server, invite_of(created, "p1").token, 403, "token_revoked");
  }
  SECTION("a session that has ended") {
    admin.end_session(created.session_id);
    expect_closed_by_end(fac);
    expected = admin.get_session(created.session_id);
    REQUIRE(expected.ended());
    expect_refused_alike(server, invite_of(created, "p2").token, 409, "session_ended");
    expect_refused_alike(server, invite_of(created, "fac").token, 409, "session_ended");
  }
  SECTION("a session that is full") {
    expect_refused_alike(server, invite_of(created, "p2").token, 409, "session_full");
    // Leaders do not count, and the member already in comes back.
    CHECK(check_join(server, invite_of(created, "cof").token).status == 200);
    CHECK(check_join(server, invite_of(created, "p1").token).status == 200);
  }
  SECTION("a participant id the session refuses") {
    expect_refused_alike(server, forged([](json::object& c) { c["sub"] = "not an id!"; }), 400, "invalid_argument");
  }

  const auto after = admin.get_session(created.session_id);
  CHECK(after.version() == expected.version());
  CHECK(after.roster_size() == expected.roster_size());
}

TEST_CASE("Join check: one log line with the outcome, and never the token", "[join_check][logs]") {
  CapturedLog captured;
  {
    TestServer server([](app::Config& c) { c.log_level = "info"; });
    const auto created = server.admin().create_session(group());
    Member fac("facilitator");
    fac.join(invite_of(created, "fac"));
    const auto forge = JwtForge::from_data_dir(server.data_dir());
    auto bad_id = JwtForge::claims(created.session_id, "not an id!", "Dr Nine", "participant");
    const std::string stranger = JwtForge("not-this-servers-key-not-this-servers-key-0451")
                                     .sign(JwtForge::claims(created.session_id, "p2", "Di", "participant"));

    const std::vector<std::pair<std::string, std::string>> checks = {
        {invite_of(created, "p1").token, "join check session=" + created.session_id + " participant=p1 code=ok"},
        {"", "join check code=missing_token"},
        {stranger, "join check code=invalid_token"},
        {forge.sign(bad_id), "join check session=" + created.session_id + " participant=(invalid) code=invalid_argument"},
    };
    for (const auto& [token, line] : checks) {
      const auto lines_before = captured.lines().size();
      check_join(server, token);
      const auto lines = captured.lines();
      INFO(captured.text());
      REQUIRE(lines.size() == lines_before + 1);
      CHECK(lines.back() == line);
    }

    const auto log = captured.text();
    INFO(log);
    CHECK_THAT(log, !Catch::Contains("join refused"));
    CHECK_THAT(log, !Catch::Contains("member connected session=" + created.session_id + " participant=p1"));
    for (const auto& [token, line] : checks) {
      if (token.empty()) continue;
      CHECK_THAT(log, !Catch::Contains(token.substr(token.rfind('.') + 1)));  // The signature.
      const auto payload = token.substr(token.find('.') + 1, token.rfind('.') - token.find('.') - 1);
      CHECK_THAT(log, !Catch::Contains(payload));
    }
    for (const auto& invite : created.invites)
      if (invite.name.find(' ') != std::string::npos) CHECK_THAT(log, !Catch::Contains(invite.name));  // No id has a space.
  }
}

TEST_CASE("Join check: a resume credential that is malformed, for no session or never issued is refused, and nobody joins",
          "[join_check][resume]") {
  TestServer server;
  auto admin = server.admin();
  const auto created = admin.create_session(group());
  const auto ask = [&](const std::string& credential) {
    return sdk::AdminClient(server.http_url(), "").request("GET", "/api/v1/join?resume=" + credential);
  };
  for (const std::string& bad : {std::string("garbage"), created.session_id + ".p1", created.session_id + ".p!1.x",
                                created.session_id + ".p1.", created.session_id + ".p1.x.y"}) {
    INFO("credential " << bad);
    const auto answer = ask(bad);
    CHECK(answer.status == 401);
    CHECK(answer.body.find("invalid_resume") != std::string::npos);
  }
  const auto never_issued = ask(created.session_id + ".p1.guessed");
  CHECK(never_issued.status == 401);
  CHECK(never_issued.body.find("resume_refused") != std::string::npos);
  CHECK(admin.get_session(created.session_id).roster_size() == 0);
}

TEST_CASE("Join check: a guessed resume credential tells nothing of whether its session exists or has ended",
          "[join_check][resume][hostile]") {
  TestServer server;
  auto admin = server.admin();
  const auto running = admin.create_session(group());
  const auto ended = admin.create_session(group());
  admin.end_session(ended.session_id);
  const auto ask = [&](const std::string& credential) {
    return sdk::AdminClient(server.http_url(), "").request("GET", "/api/v1/join?resume=" + credential);
  };
  const auto upgrade = [&](const std::string& credential) {
    RawClient raw(server.port());
    return raw.upgrade("/ws?resume=" + credential);
  };
  // Without the secret, a running session, an ended one and one that never
  // existed answer alike, byte for byte, on the join check and the upgrade.
  const auto reference = ask(running.session_id + ".p1.guessed");
  REQUIRE(reference.status == 401);
  CHECK(reference.body.find("resume_refused") != std::string::npos);
  const auto reference_upgrade = upgrade(running.session_id + ".p1.guessed");
  CHECK(reference_upgrade.status == 401);
  for (const std::string& guess : {ended.session_id + ".p1.guessed", std::string("nosuchsession.p1.guessed"),
                                   running.session_id + ".nobody.guessed", ended.session_id + ".nobody.guessed"}) {
    INFO("credential " << guess);
    const auto answer = ask(guess);
    CHECK(answer.status == reference.status);
    CHECK(answer.body == reference.body);
    const auto upgraded = upgrade(guess);
    CHECK_FALSE(upgraded.upgraded);
    CHECK(upgraded.status == reference_upgrade.status);
    CHECK(upgraded.body == reference_upgrade.body);
  }
  CHECK(admin.get_session(running.session_id).roster_size() == 0);
}

}  // namespace balint::test
