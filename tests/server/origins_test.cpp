// Which pages may open a WebSocket: origins compared as RFC 6454 has them
// (scheme, host and port; letters in any case; default ports left out).
#include "app/origins.hpp"

#include <catch2/catch.hpp>

using balint::app::origin_of;
using balint::app::OriginPolicy;

TEST_CASE("Origins: a URL's origin is its scheme, host and port, in lower case, without the default port", "[origin]") {
  CHECK(origin_of("https://Balint.Example.org/join#token") == "https://balint.example.org");
  CHECK(origin_of("https://balint.example.org:443") == "https://balint.example.org");
  CHECK(origin_of("http://127.0.0.1:8080/") == "http://127.0.0.1:8080");
  CHECK(origin_of("http://127.0.0.1:80") == "http://127.0.0.1");
  CHECK(origin_of("wss://balint.example.org/ws") == "https://balint.example.org");
  CHECK(origin_of("http://[::1]:8080?x") == "http://[::1]:8080");
  CHECK(origin_of("null").empty());
  CHECK(origin_of("ftp://files.example").empty());
  CHECK(origin_of("https://").empty());
}

TEST_CASE("Origins: by default the public URL's pages and the server's own are allowed, and no others", "[origin]") {
  const OriginPolicy policy({}, "https://balint.example.org");
  CHECK(policy.allows("", "anything"));  // Not a browser.
  CHECK(policy.allows("https://balint.example.org", "10.0.0.5:8080"));
  CHECK(policy.allows("http://127.0.0.1:8080", "127.0.0.1:8080"));  // Served by this server.
  CHECK(policy.allows("http://LOCALHOST:8080", "localhost:8080"));
  CHECK(policy.allows("https://room.hospital.example", "room.hospital.example:443"));
  CHECK_FALSE(policy.allows("https://evil.example", "balint.example.org"));
  CHECK_FALSE(policy.allows("http://127.0.0.1:9999", "127.0.0.1:8080"));
  CHECK_FALSE(policy.allows("null", "127.0.0.1:8080"));
  CHECK_FALSE(policy.allows("https://evil.example", ""));
}

TEST_CASE("Origins: a configured list adds pages elsewhere to the server's own", "[origin]") {
  const OriginPolicy policy({"https://portal.example.org", "http://intranet.example:8000"}, "https://balint.example.org");
  CHECK(policy.allows("https://portal.example.org:443", "x"));
  CHECK(policy.allows("http://INTRANET.example:8000", "x"));
  CHECK(policy.allows("https://balint.example.org", "x"));
  CHECK(policy.allows("http://127.0.0.1:8080", "127.0.0.1:8080"));
  CHECK_FALSE(policy.allows("https://evil.example", "x"));
  CHECK(policy.allows("", "x"));
}
