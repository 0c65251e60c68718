// Scenarios 5 and 6: refused joins say why (HTTP status, code, message) and
// leave the server serving everyone else; the admin API checks its secret
// and its input, lists and ends sessions.

#include "harness.hpp"

#include <catch2/catch.hpp>

namespace balint::test {
namespace {

sdk::SessionRequest simple_request(const std::string& name = "group") {
  sdk::SessionRequest request;
  request.name = name;
  request.format = "balint";
  request.invitees = {invitee("fac", "Dr Ada", "facilitator"), invitee("p1", "Ben", "participant")};
  return request;
}

}  // namespace

TEST_CASE("Bad join tokens are refused with a clear status and the server serves the others", "[auth]") {
  const std::string shared_secret = "a-token-secret-both-servers-share-0123456789";
  TestServer server([&](app::Config& c) { c.token_keys = {{"shared", shared_secret}}; });
  auto admin = server.admin();
  const auto created = admin.create_session(simple_request());

  Member fac("facilitator");
  fac.join(created.invites[0]);

  SECTION("no token") {
    sdk::Client client;
    const auto status = client.connect(server.ws_url(), "");
    INFO(status.describe());
    CHECK(status.http_status == 401);
    CHECK_FALSE(status.code.empty());
    CHECK_FALSE(status.message.empty());
    CHECK_FALSE(client.connected());
  }
  SECTION("a garbage token") {
    sdk::Client client;
    const auto status = client.connect(server.ws_url(), "not.a.token");
    INFO(status.describe());
    CHECK(status.http_status == 401);
    CHECK(status.code == "invalid_token");
    CHECK_FALSE(status.message.empty());
  }
  SECTION("a token signed with another secret") {
    TestServer other;  // Its own token secret.
    const auto foreign = other.admin().create_session(simple_request());
    sdk::Client client;
    const auto status = client.connect(server.ws_url(), foreign.invites[0].token);
    INFO(status.describe());
    CHECK(status.http_status == 401);
    CHECK(status.code == "invalid_token");
  }
  SECTION("a well-signed token for a session this server does not have") {
    TestServer other([&](app::Config& c) { c.token_keys = {{"shared", shared_secret}}; });
    const auto elsewhere = other.admin().create_session(simple_request());
    sdk::Client client;
    const auto status = client.connect(server.ws_url(), elsewhere.invites[0].token);
    INFO(status.describe());
    CHECK(status.http_status == 404);
    CHECK_FALSE(status.message.empty());
  }
  SECTION("a token for a session that has ended") {
    const auto ended = admin.create_session(simple_request("short"));
    admin.end_session(ended.session_id);
    sdk::Client client;
    const auto status = client.connect(sdk::parse_join_link(ended.invites[1].link));
    INFO(status.describe());
    CHECK(status.http_status == 409);
    CHECK_FALSE(status.message.empty());
  }
  SECTION("the wrong path") {
    sdk::Client client;
    const auto status =
        client.connect("ws://127.0.0.1:" + std::to_string(server.port()) + "/elsewhere", created.invites[1].token);
    INFO(status.describe());
    CHECK(status.http_status == 404);
  }
  SECTION("nothing listening") {
    sdk::Client client;
    const auto status = client.connect("ws://127.0.0.1:1/ws", created.invites[1].token);
    INFO(status.describe());
    CHECK(status.http_status == 0);
    CHECK(status.code == "network");
    // A command without a connection fails at once, never hangs.
    const auto result = client.send(sdk::cmd::next_phase());
    CHECK(result.code() == sdk::kErrorNotConnected);
  }

  // Whatever was refused, the others are still served, and the token may
  // also travel in the query string.
  CHECK(fac.client().connected());
  CHECK(fac.client().send(sdk::cmd::next_phase()).code() == v1::ERROR_CODE_OK);
  sdk::ClientOptions options;
  options.token_in_query = true;
  sdk::Client ben(options);
  const auto joined = ben.connect(sdk::parse_join_link(created.invites[1].link));
  INFO(joined.describe());
  REQUIRE(joined.ok());
  CHECK(ben.welcome().participant_id() == "p1");
  CHECK(ben.welcome().role() == v1::ROLE_PARTICIPANT);
  CHECK(admin.healthy());
}

TEST_CASE("The admin API checks its secret and its input, lists and ends sessions", "[admin]") {
  TestServer server;
  auto admin = server.admin();

  SECTION("a wrong admin secret is refused with 401") {
    sdk::AdminClient wrong(server.http_url(), "not-the-secret");
    try {
      wrong.list_sessions();
      FAIL("listing with a wrong secret succeeded");
    } catch (const sdk::ApiError& e) {
      CHECK(e.http_status() == 401);
      CHECK_FALSE(e.status().message.empty());
    }
    try {
      wrong.create_session(simple_request());
      FAIL("creating with a wrong secret succeeded");
    } catch (const sdk::ApiError& e) {
      CHECK(e.http_status() == 401);
    }
    sdk::AdminClient none(server.http_url(), "");
    CHECK(none.request("GET", "/api/v1/sessions").status == 401);
    CHECK(admin.list_sessions().empty());
  }

  SECTION("bad formats and bodies are refused with 400 and a message") {
    const auto expect_400 = [&](const sdk::SessionRequest& request, const char* what) {
      INFO(what);
      try {
        admin.create_session(request);
        FAIL("accepted");
      } catch (const sdk::ApiError& e) {
        INFO(e.what());
        CHECK(e.http_status() == 400);
        CHECK_FALSE(e.status().code.empty());
        CHECK_FALSE(e.status().message.empty());
      }
    };
    auto request = simple_request();
    request.format = "no-such-format";
    expect_400(request, "unknown built-in format");
    request.format = boost::json::object{{"id", "mine"}, {"name", "Mine"}, {"phases", boost::json::array{}}};
    expect_400(request, "a format without phases");
    request.format = boost::json::object{{"id", "mine"}, {"phases", "not a list"}};
    expect_400(request, "a format that does not fit the message");
    request.format = boost::json::object{
        {"id", "mine"},
        {"name", "Mine"},
        {"phases", boost::json::array{boost::json::object{{"id", "talk"}, {"name", "Talk"}, {"plannedSeconds", 60}}}}};
    expect_400(request, "a phase without a speaking rule");
    auto no_invitees = simple_request();
    no_invitees.invitees.clear();
    expect_400(no_invitees, "no invitees");

    const auto raw = admin.request("POST", "/api/v1/sessions", "{this is not json");
    CHECK(raw.status == 400);
    const auto status = sdk::status_from_error_body(raw.status, raw.body);
    CHECK_FALSE(status.message.empty());
    CHECK(admin.list_sessions().empty());
  }

  SECTION("a custom format is accepted and runs") {
    auto request = simple_request("custom");
    request.format = boost::json::object{
        {"id", "short-round"},
        {"name", "Short round"},
        {"phases", boost::json::array{
                       boost::json::object{
                           {"id", "talk"}, {"name", "Talk"}, {"planned_seconds", 120}, {"rule", "SPEAKING_RULE_EVERYONE"}},
                       boost::json::object{
                           {"id", "end"}, {"name", "End"}, {"planned_seconds", 0}, {"rule", "SPEAKING_RULE_FACILITATORS_ONLY"}},
                   }}};
    const auto created = admin.create_session(request);
    CHECK(created.format == "short-round");
    Member fac("facilitator");
    fac.join(created.invites[0]);
    CHECK(fac.client().state().format().phases_size() == 2);
    must(fac, sdk::cmd::next_phase());
    const auto state = fac.client().state();
    REQUIRE(sdk::current_phase(state));
    CHECK(sdk::current_phase(state)->id() == "talk");
  }

  SECTION("list, read and end; ending closes every connection with a goodbye") {
    const auto first = admin.create_session(simple_request("first"));
    const auto second = admin.create_session(simple_request("second"));
    CHECK(first.invites.size() == 2);
    CHECK(first.invite("Dr Ada").participant_id == "fac");
    CHECK(first.invites[0].link.find("/join#") != std::string::npos);

    Member fac("facilitator"), ben("participant");
    fac.join(first.invites[0]);
    ben.join(first.invites[1]);
    wait_all({&fac, &ben}, must(fac, sdk::cmd::next_phase()));

    const auto sessions = admin.list_sessions();
    REQUIRE(sessions.size() == 2);
    bool saw_first = false, saw_second = false;
    for (const auto& s : sessions) {
      if (s.session_id == first.session_id) {
        saw_first = true;
        CHECK(s.name == "first");
        CHECK(s.format == "balint");
        CHECK(s.phase_index == 0);
        CHECK_FALSE(s.ended);
        CHECK(s.members == 2);
      }
      if (s.session_id == second.session_id) {
        saw_second = true;
        CHECK(s.phase_index == -1);
        CHECK(s.members == 0);
      }
    }
    CHECK(saw_first);
    CHECK(saw_second);

    const auto state = admin.get_session(first.session_id);
    CHECK(state.session_id() == first.session_id);
    CHECK(state.name() == "first");
    CHECK(state.phase_index() == 0);
    CHECK(state.roster_size() == 2);

    admin.end_session(first.session_id);
    for (Member* m : {&fac, &ben}) expect_closed_by_end(*m);
    bool ended = false;
    for (const auto& s : admin.list_sessions())
      if (s.session_id == first.session_id) ended = s.ended;
    CHECK(ended);
    CHECK(admin.get_session(first.session_id).ended());

    try {
      admin.end_session("no-such-session");
      FAIL("ending an unknown session succeeded");
    } catch (const sdk::ApiError& e) {
      CHECK(e.http_status() == 404);
    }
  }
}

}  // namespace balint::test
