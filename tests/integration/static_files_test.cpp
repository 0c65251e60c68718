// The web client's files (Config::web_root) over real HTTP on loopback: the
// two entry paths, types, caching, ETags, HEAD, errors, paths that try to
// climb out of the folder, and a server that refuses a folder it cannot
// serve.

#include "app/log.hpp"
#include "harness.hpp"
#include "raw_tcp.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>

#include <fstream>
#include <mutex>
#include <utility>

namespace balint::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace fs = std::filesystem;
using Answer = http::response<http::string_body>;

constexpr std::string_view index_html =
    "<!doctype html><title>Balint Room (web)</title><script type=module src=/assets/app-1234.js></script>\n";
constexpr std::string_view app_js = "console.log('the web client');\n";
constexpr std::string_view help_txt = "Ask your facilitator for a join link.\n";
constexpr std::string_view secret = "SECRET-BESIDE-THE-WEB-ROOT-0451";
constexpr std::string_view csp =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' ws: wss:; "
    "img-src 'self' data: blob:; media-src 'self' blob:; worker-src 'self' blob:; style-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
constexpr std::string_view no_cache = "no-cache";
constexpr std::string_view immutable = "public, max-age=31536000, immutable";

// Every byte value, twice, so that no step on the way may treat the body as
// text (a NUL, a CR LF, bytes that are not UTF-8).
std::string every_byte() {
  std::string bytes;
  for (int round = 0; round < 2; ++round)
    for (int b = 0; b < 256; ++b) bytes.push_back(static_cast<char>(b));
  return bytes;
}

void write_file(const fs::path& path, std::string_view bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

// A folder laid out as Vite builds one, and beside it a file that no request
// may ever reach, with a link to it from inside.
struct WebRoot {
  TempDir dir;
  fs::path root = dir.path() / "web";

  WebRoot() {
    write_file(root / "index.html", index_html);
    write_file(root / "assets/app-1234.js", app_js);
    write_file(root / "assets/fonts/inter-5678.woff2", "wOF2 not really a font");
    write_file(root / "help/en/join.txt", help_txt);
    write_file(root / "download/every-byte.bin", every_byte());
    write_file(root / ".env", secret);  // Dotfiles are never served.
    write_file(dir.path() / "secret.txt", secret);
    fs::create_symlink(dir.path() / "secret.txt", root / "leak.txt");
    fs::create_symlink(root / "help/en/join.txt", root / "join-help.txt");  // Stays inside: served.
  }

  // A server on this folder.
  std::unique_ptr<TestServer> serve(const std::function<void(app::Config&)>& tweak = {}) const {
    return std::make_unique<TestServer>([&](app::Config& c) {
      c.web_root = root.string();
      if (tweak) tweak(c);
    });
  }
};

// One HTTP/1.1 connection; the target goes out exactly as given, so the
// tests can send what no browser would. Every step is asynchronous because
// only then does the stream's expiry bound it: a server that forgets to
// answer fails the test within kWait instead of hanging it.
class Connection {
 public:
  explicit Connection(std::uint16_t port) : stream_(io_) {
    stream_.expires_after(kWait);
    stream_.connect(asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), port));
  }

  Answer ask(http::verb method, const std::string& target,
             const std::vector<std::pair<http::field, std::string>>& headers = {}) {
    http::request<http::string_body> request{method, target, 11};
    request.set(http::field::host, "127.0.0.1");
    for (const auto& [field, value] : headers) request.set(field, value);
    request.prepare_payload();
    http::response_parser<http::string_body> parser;
    parser.body_limit(16 * 1024 * 1024);
    parser.skip(method == http::verb::head);  // A HEAD answer has a length but no body.
    beast::error_code ec;
    stream_.expires_after(kWait);
    http::async_write(stream_, request, [&](beast::error_code e, std::size_t) {
      if ((ec = e)) return;
      http::async_read(stream_, buffer_, parser, [&](beast::error_code e, std::size_t) { ec = e; });
    });
    run();
    if (ec) throw beast::system_error(ec);
    return parser.release();
  }

  // True if the server hangs up (rather than waiting for another request).
  bool closed_by_server() {
    char byte = 0;
    beast::error_code ec;
    stream_.expires_after(kWait);
    stream_.async_read_some(asio::buffer(&byte, 1), [&](beast::error_code e, std::size_t) { ec = e; });
    run();
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }

 private:
  void run() {
    io_.restart();
    io_.run();
  }

  asio::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

Answer get(const TestServer& server, const std::string& target,
           const std::vector<std::pair<http::field, std::string>>& headers = {}) {
  return Connection(server.port()).ask(http::verb::get, target, headers);
}

std::string header(const Answer& answer, http::field field) { return std::string(answer[field]); }
std::string header(const Answer& answer, std::string_view name) { return std::string(answer[name]); }

void expect_security_headers(const Answer& answer) {
  CHECK(header(answer, "X-Content-Type-Options") == "nosniff");
  CHECK(header(answer, "Referrer-Policy") == "no-referrer");
  CHECK(header(answer, "X-Frame-Options") == "DENY");
  CHECK(header(answer, "Content-Security-Policy") == csp);
}

}  // namespace

TEST_CASE("Web client static files: / and /join answer index.html, not cached, with the security headers", "[static]") {
  WebRoot web;
  const auto server = web.serve();
  for (const std::string target : {"/", "/join", "/join?utm=x", "/index.html"}) {
    INFO(target);
    const auto answer = get(*server, target);
    CHECK(answer.result() == http::status::ok);
    CHECK(answer.body() == index_html);
    CHECK(header(answer, http::field::content_type) == "text/html; charset=utf-8");
    CHECK(header(answer, http::field::cache_control) == no_cache);
    CHECK_FALSE(header(answer, http::field::etag).empty());
    expect_security_headers(answer);
  }
}

TEST_CASE("Web client static files: each file has its type, and only /assets/ may be cached for good", "[static]") {
  WebRoot web;
  const auto server = web.serve();
  struct Expected {
    std::string target, type, cache;
    std::string_view body;
  };
  for (const auto& e :
       {Expected{"/assets/app-1234.js", "text/javascript; charset=utf-8", std::string(immutable), app_js},
        Expected{"/assets/app-1234.js?v=2", "text/javascript; charset=utf-8", std::string(immutable), app_js},
        Expected{"/assets/fonts/inter-5678.woff2", "font/woff2", std::string(immutable), "wOF2 not really a font"},
        Expected{"/help/en/join.txt", "text/plain; charset=utf-8", std::string(no_cache), help_txt},
        Expected{"/join-help.txt", "text/plain; charset=utf-8", std::string(no_cache), help_txt}}) {
    INFO(e.target);
    const auto answer = get(*server, e.target);
    CHECK(answer.result() == http::status::ok);
    CHECK(header(answer, http::field::content_type) == e.type);
    CHECK(header(answer, http::field::cache_control) == e.cache);
    CHECK(answer.body() == e.body);
    const auto etag = header(answer, http::field::etag);
    CHECK((etag.size() > 2 && etag.front() == '"' && etag.back() == '"'));  // Strong: no W/.
    expect_security_headers(answer);
  }
  CHECK(get(*server, "/assets/app-1234.js")[http::field::etag] != get(*server, "/")[http::field::etag]);
}

TEST_CASE("Web client static files: a binary file comes back byte for byte", "[static]") {
  WebRoot web;
  const auto server = web.serve();
  const auto answer = get(*server, "/download/every-byte.bin");
  REQUIRE(answer.result() == http::status::ok);
  CHECK(header(answer, http::field::content_type) == "application/octet-stream");
  CHECK(answer.body().size() == 512);
  CHECK(answer.body() == every_byte());
}

TEST_CASE("Web client static files: HEAD tells the length and sends no body", "[static]") {
  WebRoot web;
  const auto server = web.serve();
  Connection connection(server->port());
  const auto head = connection.ask(http::verb::head, "/download/every-byte.bin");
  CHECK(head.result() == http::status::ok);
  CHECK(header(head, http::field::content_length) == "512");
  CHECK(head.body().empty());
  CHECK_FALSE(header(head, http::field::etag).empty());
  expect_security_headers(head);
  // Had the server sent a body after all, it would be read here as the
  // start of the next answer, which would then not parse.
  const auto next = connection.ask(http::verb::get, "/assets/app-1234.js");
  CHECK(next.result() == http::status::ok);
  CHECK(next.body() == app_js);
}

TEST_CASE("Web client static files: a matching If-None-Match answers 304 with no body", "[static]") {
  WebRoot web;
  const auto server = web.serve();
  for (const std::string target : {"/", "/assets/app-1234.js", "/download/every-byte.bin"}) {
    INFO(target);
    const auto first = get(*server, target);
    const auto etag = header(first, http::field::etag);
    REQUIRE_FALSE(etag.empty());

    Connection connection(server->port());
    const auto again = connection.ask(http::verb::get, target, {{http::field::if_none_match, etag}});
    CHECK(again.result() == http::status::not_modified);
    CHECK(again.body().empty());
    CHECK(header(again, http::field::etag) == etag);
    CHECK(header(again, http::field::cache_control) == header(first, http::field::cache_control));
    expect_security_headers(again);
    // In a list, weakened by a proxy, and on HEAD too.
    CHECK(connection.ask(http::verb::get, target, {{http::field::if_none_match, "\"other\", W/" + etag}}).result() ==
          http::status::not_modified);
    CHECK(connection.ask(http::verb::head, target, {{http::field::if_none_match, etag}}).result() ==
          http::status::not_modified);
    // Another tag gets the file.
    const auto changed = connection.ask(http::verb::get, target, {{http::field::if_none_match, "\"0123\""}});
    CHECK(changed.result() == http::status::ok);
    CHECK(changed.body() == first.body());
  }
}

TEST_CASE("Web client static files: a missing file is a 404 JSON error, not index.html", "[static]") {
  WebRoot web;
  const auto server = web.serve();
  for (const std::string target :
       {"/nothing.js", "/assets/app-9999.js", "/join/abc", "/index.htm", "/assets/", "/.env", "//index.html"}) {
    INFO(target);
    const auto answer = get(*server, target);
    CHECK(answer.result() == http::status::not_found);
    CHECK(header(answer, http::field::content_type) == "application/json");
    const auto error = json_error_of(answer.body());
    REQUIRE(error.has_value());
    CHECK(error->code == "not_found");
    CHECK(answer.body().find("Balint Room (web)") == std::string::npos);
    CHECK(answer.body().find(secret) == std::string::npos);
    expect_security_headers(answer);
  }
}

TEST_CASE("Web client static files: paths that climb out of the web root are refused and leak nothing", "[static]") {
  WebRoot web;
  const auto server = web.serve();
  for (const std::string target :
       {"/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/.%2e/secret.txt",
        "/assets/..%2fsecret.txt", "/assets/..%2F..%2Fsecret.txt", "/assets%2f%2e%2e%2f%2e%2e%2fsecret.txt",
        "/..\\secret.txt", "/assets\\app-1234.js", "/index.html%00.js", "/join/../../secret.txt"}) {
    INFO(target);
    const auto answer = get(*server, target);
    CHECK(answer.result() == http::status::bad_request);
    const auto error = json_error_of(answer.body());
    REQUIRE(error.has_value());
    CHECK(error->code == "bad_path");
    CHECK(answer.body().find(secret) == std::string::npos);
  }
  {
    // A raw NUL never gets past the HTTP parser.
    const auto answer = get(*server, std::string("/index.html\0.js", 15));
    CHECK(answer.result() == http::status::bad_request);
    CHECK(answer.body().find("Balint Room (web)") == std::string::npos);
  }
  // The link inside the folder that points out of it was never loaded.
  const auto leak = get(*server, "/leak.txt");
  CHECK(leak.result() == http::status::not_found);
  CHECK(leak.body().find(secret) == std::string::npos);
}

TEST_CASE("Web client static files: other methods get 405 with Allow: GET, HEAD", "[static]") {
  WebRoot web;
  const auto server = web.serve();
  for (const auto method : {http::verb::post, http::verb::put, http::verb::delete_, http::verb::options}) {
    INFO(http::to_string(method));
    const auto answer = Connection(server->port()).ask(method, "/index.html");
    CHECK(answer.result() == http::status::method_not_allowed);
    CHECK(header(answer, http::field::allow) == "GET, HEAD");
    const auto error = json_error_of(answer.body());
    REQUIRE(error.has_value());
    CHECK(error->code == "method_not_allowed");
    CHECK(answer.body().find("Balint Room (web)") == std::string::npos);
  }
}

TEST_CASE("Web client static files: a connection is kept alive unless the client asks otherwise", "[static]") {
  WebRoot web;
  const auto server = web.serve();
  Connection connection(server->port());
  CHECK(connection.ask(http::verb::get, "/").body() == index_html);
  CHECK(connection.ask(http::verb::get, "/nothing").result() == http::status::not_found);
  CHECK(connection.ask(http::verb::post, "/").result() == http::status::method_not_allowed);
  const auto last = connection.ask(http::verb::get, "/assets/app-1234.js", {{http::field::connection, "close"}});
  CHECK(last.body() == app_js);
  CHECK_FALSE(last.keep_alive());
  CHECK(connection.closed_by_server());
}

TEST_CASE("Web client static files: the admin API, /healthz and /ws come before the files", "[static]") {
  WebRoot web;
  // Files that shadow the server's own paths, were the order wrong.
  write_file(web.root / "healthz", "shadow");
  write_file(web.root / "ws", "shadow");
  write_file(web.root / "api/v1/sessions", "shadow");
  const auto server = web.serve();

  const auto health = get(*server, "/healthz");
  CHECK(health.result() == http::status::ok);
  CHECK(health.body() == R"({"status":"ok"})");
  CHECK(get(*server, "/ws").result() == http::status::upgrade_required);
  const auto api = get(*server, "/api/v1/sessions");
  CHECK(api.result() == http::status::unauthorized);
  CHECK(api.body().find("shadow") == std::string::npos);
  CHECK(server->admin().list_sessions().empty());
}

TEST_CASE("Web client static files: one log line at start, and no request path in the log", "[static]") {
  CapturedLog log;
  WebRoot web;
  {
    const auto server = web.serve([](app::Config& c) { c.log_level = "debug"; });
    CHECK(get(*server, "/join?token=TOKEN-IN-QUERY-4242").result() == http::status::ok);
    CHECK(get(*server, "/assets/missing-7777.js?token=TOKEN-IN-QUERY-4242").result() == http::status::not_found);
  }
  const auto text = log.text();
  INFO(text);
  // index.html, two assets, help text, the binary and the link inside.
  const std::size_t bytes =
      index_html.size() + app_js.size() + 22 + help_txt.size() + every_byte().size() + help_txt.size();
  CHECK(text.find("serving 6 files (" + std::to_string(bytes) + " bytes) from " + fs::canonical(web.root).string()) !=
        std::string::npos);
  CHECK(text.find("TOKEN-IN-QUERY") == std::string::npos);
  CHECK(text.find("missing-7777") == std::string::npos);
}

TEST_CASE("Web client static files: the server refuses a web root it cannot serve, and says why", "[static]") {
  TempDir dir;
  const auto start = [](const fs::path& root) {
    TestServer server([&](app::Config& c) { c.web_root = root.string(); });
  };

  SECTION("a folder that does not exist") {
    CHECK_THROWS_WITH(start(dir.path() / "missing"), Catch::Contains("missing") && Catch::Contains("is not a folder"));
  }
  SECTION("a file instead of a folder") {
    write_file(dir.path() / "plain.txt", "x");
    CHECK_THROWS_WITH(start(dir.path() / "plain.txt"), Catch::Contains("is not a folder"));
  }
  SECTION("a folder without index.html") {
    write_file(dir.path() / "web/assets/app-1234.js", app_js);
    CHECK_THROWS_WITH(start(dir.path() / "web"), Catch::Contains("has no index.html"));
  }
  SECTION("an index.html that is a link out of the folder") {
    write_file(dir.path() / "outside.html", index_html);
    fs::create_directories(dir.path() / "web");
    fs::create_symlink(dir.path() / "outside.html", dir.path() / "web/index.html");
    CHECK_THROWS_WITH(start(dir.path() / "web"), Catch::Contains("has no index.html"));
  }
  SECTION("a folder of more than 64 MiB") {
    write_file(dir.path() / "web/index.html", index_html);
    write_file(dir.path() / "web/assets/huge.bin", "");
    fs::resize_file(dir.path() / "web/assets/huge.bin", 64 * 1024 * 1024 + 1);  // Sparse: no disk used.
    CHECK_THROWS_WITH(start(dir.path() / "web"), Catch::Contains("more than 64 MiB"));
  }
  SECTION("the balint-server binary prints the reason and exits") {
    const auto result = run_process({BALINT_SERVER_PATH, "--port", "0", "--data-dir", (dir.path() / "data").string(),
                                     "--web-root", (dir.path() / "missing").string()});
    CHECK(result.exit_code == 1);
    CHECK_THAT(result.err, Catch::Contains("web_root") && Catch::Contains("is not a folder"));
    CHECK(result.out.find("is running") == std::string::npos);
  }
}

TEST_CASE("Web client static files: without a web root, / is the landing page and says how to get the client",
          "[static]") {
  TestServer server;
  for (const std::string target : {"/", "/join"}) {
    INFO(target);
    const auto answer = get(server, target);
    CHECK(answer.result() == http::status::ok);
    CHECK(header(answer, http::field::content_type) == "text/html; charset=utf-8");
    CHECK(answer.body().find("balint-cli join") != std::string::npos);
    CHECK(answer.body().find("--web-root") != std::string::npos);
  }
  CHECK(get(server, "/assets/app-1234.js").result() == http::status::not_found);
}

}  // namespace balint::test
