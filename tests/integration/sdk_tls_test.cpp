// The SDK's TLS and token pieces that need no TLS server: join tokens minted
// for a backend (checked by the server's own verifier), join links built and
// read back, https/wss URLs, and TLS failures that must come back as "tls".

#include "harness.hpp"

#include "auth/token.hpp"

#include <catch2/catch.hpp>

#include <vector>

namespace balint::test {
namespace {

using std::chrono::system_clock;

const sdk::ApiKey kBackendKey{"backend-1", "a-backend-secret-a-backend-secret-0123"};

sdk::JoinTokenRequest ada_request() {
  sdk::JoinTokenRequest request;
  request.participant_id = "p-417";
  request.display_name = "Dr Ada";
  request.session_id = "s-tuesday";
  request.role = "participant";
  request.lifetime = std::chrono::hours(2);
  request.issued_at = system_clock::time_point(std::chrono::seconds(1'700'000'000));
  return request;
}

auth::VerifiedToken verify(const std::string& token, const std::vector<auth::SigningKey>& keys,
                           std::int64_t now_seconds) {
  return auth::verify_token(token, keys, now_seconds, 0);
}

}  // namespace

TEST_CASE("mint_join_token makes a token the server's verifier accepts", "[sdk][token]") {
  const auto request = ada_request();
  const std::string token = sdk::mint_join_token(request, kBackendKey);
  const std::vector<auth::SigningKey> server_keys{{"local", "the-server-own-key-the-server-own-key-0"},
                                                  {kBackendKey.id, kBackendKey.secret}};

  const auto verified = verify(token, server_keys, 1'700'000'000 + 60);
  INFO((verified.error ? verified.error->message : std::string("accepted")));
  REQUIRE(verified.claims.has_value());
  const auto& claims = *verified.claims;
  CHECK(claims.participant_id == "p-417");
  CHECK(claims.display_name == "Dr Ada");
  CHECK(claims.session_id == "s-tuesday");
  CHECK(claims.role == "participant");
  CHECK(claims.issued_at == 1'700'000'000);
  CHECK(claims.expires_at == 1'700'000'000 + 2 * 3600);
  CHECK(claims.not_before == 0);
  CHECK_FALSE(claims.token_id.empty());

  SECTION("the token names its key, so only that key may verify it") {
    const std::vector<auth::SigningKey> same_secret_other_id{{"backend-2", kBackendKey.secret}};
    const auto refused = verify(token, same_secret_other_id, 1'700'000'000);
    REQUIRE(refused.error.has_value());
    CHECK(refused.error->kind == auth::TokenError::Kind::unknown_key);

    const std::vector<auth::SigningKey> other_secret{{kBackendKey.id, "not-the-backend-secret-not-the-backend"}};
    const auto forged = verify(token, other_secret, 1'700'000'000);
    REQUIRE(forged.error.has_value());
    CHECK(forged.error->kind == auth::TokenError::Kind::bad_signature);
  }

  SECTION("the lifetime ends it") {
    const auto late = verify(token, server_keys, 1'700'000'000 + 2 * 3600 + 1);
    REQUIRE(late.error.has_value());
    CHECK(late.error->kind == auth::TokenError::Kind::expired);
  }
}

TEST_CASE("mint_join_token: token ids, not-before and a key without id", "[sdk][token]") {
  auto request = ada_request();
  const std::vector<auth::SigningKey> keys{{kBackendKey.id, kBackendKey.secret}};
  const auto now = 1'700'000'000 + 10;

  // Generated ids differ from token to token; a given one is kept.
  const auto first = verify(sdk::mint_join_token(request, kBackendKey), keys, now);
  const auto second = verify(sdk::mint_join_token(request, kBackendKey), keys, now);
  REQUIRE(first.claims);
  REQUIRE(second.claims);
  CHECK(first.claims->token_id != second.claims->token_id);
  request.token_id = "invite-42";
  const auto named = verify(sdk::mint_join_token(request, kBackendKey), keys, now);
  REQUIRE(named.claims);
  CHECK(named.claims->token_id == "invite-42");

  // Not valid before the session starts.
  request.not_before = system_clock::time_point(std::chrono::seconds(1'700'000'000 + 3600));
  const std::string later = sdk::mint_join_token(request, kBackendKey);
  const auto early = verify(later, keys, now);
  REQUIRE(early.error.has_value());
  CHECK(early.error->kind == auth::TokenError::Kind::not_yet_valid);
  const auto on_time = verify(later, keys, 1'700'000'000 + 3600);
  REQUIRE(on_time.claims);
  CHECK(on_time.claims->not_before == 1'700'000'000 + 3600);

  // A key without an id: the server tries its keys in turn.
  request.not_before.reset();
  const std::string anonymous = sdk::mint_join_token(request, {"", kBackendKey.secret});
  const std::vector<auth::SigningKey> server_keys{{"local", "the-server-own-key-the-server-own-key-0"},
                                                  {"rotated", kBackendKey.secret}};
  CHECK(verify(anonymous, server_keys, now).claims.has_value());
}

TEST_CASE("mint_join_token refuses what the server would refuse", "[sdk][token]") {
  const auto refuses = [](auto change, const sdk::ApiKey& key = kBackendKey) {
    auto request = ada_request();
    change(request);
    CHECK_THROWS_AS(sdk::mint_join_token(request, key), std::invalid_argument);
  };
  refuses([](sdk::JoinTokenRequest& r) { r.participant_id.clear(); });
  refuses([](sdk::JoinTokenRequest& r) { r.display_name.clear(); });
  refuses([](sdk::JoinTokenRequest& r) { r.session_id.clear(); });
  refuses([](sdk::JoinTokenRequest& r) { r.role = "presenter"; });
  refuses([](sdk::JoinTokenRequest& r) { r.role = "admin"; });
  refuses([](sdk::JoinTokenRequest& r) { r.lifetime = std::chrono::seconds(0); });
  refuses([](sdk::JoinTokenRequest& r) { r.not_before = *r.issued_at + r.lifetime; });
  refuses([](sdk::JoinTokenRequest&) {}, sdk::ApiKey{"backend-1", ""});
  for (const char* role : {"facilitator", "co_facilitator", "participant", "room"}) {
    auto request = ada_request();
    request.role = role;
    CHECK_NOTHROW(sdk::mint_join_token(request, kBackendKey));
  }
}

TEST_CASE("make_join_link builds the link parse_join_link reads back", "[sdk][token]") {
  CHECK(sdk::make_join_link("https://balint.example.org", "abc.def.ghi") == "https://balint.example.org/join#abc.def.ghi");
  CHECK(sdk::make_join_link("https://balint.example.org/group/", "t") == "https://balint.example.org/group/join#t");
  CHECK(sdk::make_join_link("http://127.0.0.1:8080", "t") == "http://127.0.0.1:8080/join#t");

  const std::string token = sdk::mint_join_token(ada_request(), kBackendKey);
  auto target = sdk::parse_join_link(sdk::make_join_link("https://balint.example.org:8443/group", token));
  CHECK(target.ws_url == "wss://balint.example.org:8443/group/ws");
  CHECK(target.token == token);
  target = sdk::parse_join_link(sdk::make_join_link("http://127.0.0.1:8080/", token));
  CHECK(target.ws_url == "ws://127.0.0.1:8080/ws");
  CHECK(target.token == token);

  CHECK_THROWS_AS(sdk::make_join_link("https://balint.example.org", ""), std::invalid_argument);
  CHECK_THROWS_AS(sdk::make_join_link("wss://balint.example.org", "t"), std::invalid_argument);
  CHECK_THROWS_AS(sdk::make_join_link("balint.example.org", "t"), std::invalid_argument);
  CHECK_THROWS_AS(sdk::make_join_link("https://balint.example.org/?x=1", "t"), std::invalid_argument);
  CHECK_THROWS_AS(sdk::make_join_link("https://balint.example.org/#old", "t"), std::invalid_argument);
}

TEST_CASE("https and wss URLs and links", "[sdk][tls]") {
  auto u = sdk::parse_url("https://Balint.Example.org/group");
  CHECK(u.scheme == "https");
  CHECK(u.port == 443);
  CHECK(u.secure());
  CHECK(u.host_header() == "Balint.Example.org");
  u = sdk::parse_url("WSS://[::1]:8443/ws?token=t");
  CHECK(u.scheme == "wss");
  CHECK(u.host == "::1");
  CHECK(u.port == 8443);
  CHECK(u.target == "/ws?token=t");
  CHECK(u.host_header() == "[::1]:8443");
  CHECK(sdk::parse_url("https://h:443/").host_header() == "h");
  CHECK_FALSE(sdk::parse_url("http://h:443/").secure());

  // A link's port, prefix and scheme carry over to the WebSocket URL.
  auto t = sdk::parse_join_link("https://127.0.0.1:8443/join#tok");
  CHECK(t.ws_url == "wss://127.0.0.1:8443/ws");
  t = sdk::parse_join_link("https://balint.example.org:443/join#tok");
  CHECK(t.ws_url == "wss://balint.example.org/ws");
  t = sdk::parse_join_link("https://[::1]:8443/a/b/join#tok");
  CHECK(t.ws_url == "wss://[::1]:8443/a/b/ws");
  t = sdk::parse_join_link("wss://balint.example.org/ws?token=a%2Eb");
  CHECK(t.ws_url == "wss://balint.example.org/ws");
  CHECK(t.token == "a.b");
  t = sdk::parse_join_link("tok", "wss://balint.example.org/ws");
  CHECK(t.ws_url == "wss://balint.example.org/ws");
  CHECK_THROWS_AS(sdk::parse_join_link("tok", "https://balint.example.org"), std::invalid_argument);
}

TEST_CASE("a CA file that cannot be used is a tls failure", "[sdk][tls]") {
  TempDir dir;
  const std::string missing = (dir.path() / "missing.pem").string();

  sdk::ClientOptions options;
  options.ca_file = missing;
  sdk::Client client(options);
  const auto status = client.connect("wss://127.0.0.1:1/ws", "t");
  CHECK(status.code == "tls");
  CHECK_THAT(status.message, Catch::Contains(missing));

  try {
    sdk::AdminClient admin("https://127.0.0.1:1", "secret", sdk::AdminOptions{kWait, missing});
    FAIL("an unusable CA file was accepted");
  } catch (const sdk::ApiError& e) {
    CHECK(e.code() == "tls");
    CHECK_THAT(e.status().message, Catch::Contains(missing));
  }
  // Plain http:// never reads it.
  CHECK_NOTHROW(sdk::AdminClient("http://127.0.0.1:1", "secret", sdk::AdminOptions{kWait, missing}));
}

TEST_CASE("TLS to a server that speaks plain HTTP fails as tls and names the host", "[sdk][tls]") {
  TestServer server;
  const std::string where = "127.0.0.1:" + std::to_string(server.port());

  sdk::Client client;
  const auto status = client.connect("wss://" + where + "/ws", "t");
  INFO(status.describe());
  CHECK(status.code == "tls");
  CHECK_THAT(status.message, Catch::Contains(where));
  CHECK_FALSE(client.connected());

  sdk::AdminClient admin("https://" + where, server.admin_secret());
  try {
    admin.list_sessions();
    FAIL("https:// to a plain server answered");
  } catch (const sdk::ApiError& e) {
    INFO(e.what());
    CHECK(e.code() == "tls");
    CHECK_THAT(e.status().message, Catch::Contains(where));
  }
  // The plain server is unharmed and answers plain requests.
  CHECK(server.admin().healthy());
}

}  // namespace balint::test
