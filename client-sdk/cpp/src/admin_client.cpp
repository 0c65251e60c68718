#include "balint/sdk/admin_client.hpp"

#include "balint/sdk/join_link.hpp"
#include "tls.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/json.hpp>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <exception>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace balint::sdk {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

namespace {

constexpr std::size_t kMaxResponseBytes = 8 * 1024 * 1024;
constexpr std::chrono::milliseconds kTlsCloseBound{1000};

std::string get_string(const json::object& object, std::string_view key) {
  if (const auto* value = object.if_contains(key); value && value->is_string())
    return std::string(value->get_string());
  return {};
}

std::int64_t get_int(const json::object& object, std::string_view key, std::int64_t fallback) {
  const auto* value = object.if_contains(key);
  if (!value) return fallback;
  if (value->is_int64()) return value->get_int64();
  if (value->is_uint64()) return static_cast<std::int64_t>(value->get_uint64());
  if (value->is_double()) return static_cast<std::int64_t>(value->get_double());
  return fallback;
}

// Parses a 2xx answer's JSON body; a body that is not a JSON object is the
// server's fault and reported as such.
json::object parse_object(const HttpResponse& response, std::string_view what) {
  json::error_code ec;
  json::value value = json::parse(response.body, ec);
  if (ec || !value.is_object())
    throw ApiError(Status::failure("protocol", std::string(what) + ": the server's answer is not a JSON object",
                                   response.status));
  return std::move(value.get_object());
}

Status status_of(const HttpResponse& response) {
  return status_from_error_body(response.status, response.body);
}

struct Exchange {
  http::request<http::string_body> request;
  HttpResponse response;
  beast::error_code error;
  std::string failed_step;
  Status tls_failure;  // Set when the TLS handshake failed.
  bool done = false;
};

// One request and its answer over `stream`: a plain TCP stream for http://,
// a TLS stream for https:// (which adds the handshake and the TLS close).
template <class Stream>
net::awaitable<void> exchange(Exchange& x, const Url& url, std::chrono::milliseconds timeout, Stream& stream) {
  constexpr bool kTls = std::is_same_v<Stream, TlsStream>;
  tcp::resolver resolver(co_await net::this_coro::executor);
  beast::error_code& ec = x.error;

  auto endpoints = co_await resolver.async_resolve(url.host, std::to_string(url.port),
                                                   net::redirect_error(net::use_awaitable, ec));
  if (ec) {
    x.failed_step = "resolve " + url.host;
    co_return;
  }
  auto& tcp_stream = beast::get_lowest_layer(stream);
  tcp_stream.expires_after(timeout);
  co_await tcp_stream.async_connect(endpoints, net::redirect_error(net::use_awaitable, ec));
  if (ec) {
    x.failed_step = "connect to " + url.host_header();
    co_return;
  }
  tcp_stream.socket().set_option(tcp::no_delay(true), ec);
  if constexpr (kTls) {
    if (!tls::expect_peer(stream.native_handle(), url.host)) {
      x.tls_failure = Status::failure("tls", "cannot set up TLS for " + url.host_header());
      co_return;
    }
    co_await stream.async_handshake(ssl::stream_base::client, net::redirect_error(net::use_awaitable, ec));
    if (ec) {
      x.failed_step = "complete the TLS handshake with " + url.host_header();
      if (ec != beast::error::timeout)
        x.tls_failure = Status::failure("tls", tls::handshake_failure(stream.native_handle(), ec, url.host_header()));
      co_return;
    }
  }
  co_await http::async_write(stream, x.request, net::redirect_error(net::use_awaitable, ec));
  if (ec) {
    x.failed_step = "send the request to " + url.host_header();
    co_return;
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxResponseBytes);
  co_await http::async_read(stream, buffer, parser, net::redirect_error(net::use_awaitable, ec));
  if (ec) {
    x.failed_step = "read the answer from " + url.host_header();
    co_return;
  }
  auto message = parser.release();
  x.response.status = static_cast<int>(message.result_int());
  x.response.body = std::move(message.body());
  if (auto it = message.find(http::field::content_type); it != message.end())
    x.response.content_type = std::string(it->value());
  x.done = true;
  // The answer is complete. Saying goodbye in TLS is a courtesy whose
  // outcome does not matter (many servers just drop the connection), so it
  // gets a short bound of its own.
  if constexpr (kTls) {
    tcp_stream.expires_after(std::min<std::chrono::milliseconds>(timeout, kTlsCloseBound));
    co_await stream.async_shutdown(net::redirect_error(net::use_awaitable, ec));
  }
  tcp_stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  ec = {};
}

net::awaitable<void> perform(Exchange& x, Url url, std::chrono::milliseconds timeout, ssl::context* tls) {
  auto executor = co_await net::this_coro::executor;
  if (tls) {
    TlsStream stream(executor, *tls);
    co_await exchange(x, url, timeout, stream);
  } else {
    beast::tcp_stream stream(executor);
    co_await exchange(x, url, timeout, stream);
  }
}

}  // namespace

ApiError::ApiError(Status status) : std::runtime_error(status.describe()), status_(std::move(status)) {}

Status status_from_error_body(int http_status, const std::string& body) {
  json::error_code ec;
  json::value value = json::parse(body, ec);
  if (!ec && value.is_object()) {
    const auto& object = value.get_object();
    if (const auto* error = object.if_contains("error"); error && error->is_object()) {
      const auto& e = error->get_object();
      std::string code = get_string(e, "code");
      std::string message = get_string(e, "message");
      return Status::failure(code.empty() ? "http_error" : std::move(code), std::move(message), http_status);
    }
    if (const auto* error = object.if_contains("error"); error && error->is_string())
      return Status::failure("http_error", std::string(error->get_string()), http_status);
  }
  // Not our JSON shape: keep the first line of whatever came.
  std::string text = body.substr(0, body.find('\n'));
  if (text.size() > 200) text.resize(200);
  return Status::failure("http_error", text.empty() ? "HTTP " + std::to_string(http_status) : text, http_status);
}

const Invite& CreatedSession::invite(const std::string& name) const {
  for (const auto& invite : invites)
    if (invite.name == name) return invite;
  throw std::out_of_range("no invite for \"" + name + "\"");
}

AdminClient::AdminClient(std::string base_url, std::string admin_secret, AdminOptions options)
    : base_url_(std::move(base_url)), admin_secret_(std::move(admin_secret)), timeout_(options.timeout) {
  const Url url = parse_url(base_url_);
  if (url.scheme != "http" && url.scheme != "https")
    throw std::invalid_argument("the admin API URL must start with http:// or https://");
  while (!base_url_.empty() && base_url_.back() == '/') base_url_.pop_back();
  if (url.secure()) {
    try {
      tls_ = tls::make_client_context(options.ca_file);
    } catch (const std::exception& e) {
      throw ApiError(Status::failure("tls", e.what()));
    }
  }
}

AdminClient::AdminClient(std::string base_url, std::string admin_secret, std::chrono::milliseconds timeout)
    : AdminClient(std::move(base_url), std::move(admin_secret), AdminOptions{timeout, {}}) {}

HttpResponse AdminClient::request(const std::string& method, const std::string& target, const std::string& body) {
  Url url = parse_url(base_url_);
  std::string prefix = url.target.substr(0, url.target.find('?'));
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();

  Exchange x;
  const http::verb verb = http::string_to_verb(method);
  if (verb == http::verb::unknown) throw std::invalid_argument("unknown HTTP method " + method);
  x.request.method(verb);
  x.request.target(prefix + target);
  x.request.version(11);
  x.request.set(http::field::host, url.host_header());
  x.request.set(http::field::user_agent, "balint-sdk-cpp/0.1");
  x.request.set(http::field::accept, "application/json");
  if (!admin_secret_.empty()) x.request.set(http::field::authorization, "Bearer " + admin_secret_);
  if (!body.empty()) {
    x.request.set(http::field::content_type, "application/json");
    x.request.body() = body;
  }
  x.request.keep_alive(false);
  x.request.prepare_payload();

  net::io_context ioc{1};
  std::exception_ptr failure;
  net::co_spawn(ioc, perform(x, url, timeout_, tls_.get()), [&failure](std::exception_ptr e) { failure = e; });
  ioc.run_for(timeout_ + std::chrono::seconds(1));
  if (failure) std::rethrow_exception(failure);
  if (!x.done) {
    if (!x.tls_failure.ok()) throw ApiError(x.tls_failure);
    if (x.error == beast::error::timeout || x.failed_step.empty())
      throw ApiError(Status::failure("timeout", method + " " + target + ": no answer from " + base_url_ +
                                                    " within " + std::to_string(timeout_.count()) + " ms"));
    const std::string hint = url.secure() ? std::string{} : tls::plain_connection_hint(x.error, "https://");
    throw ApiError(Status::failure("network", "cannot " + x.failed_step + ": " + x.error.message() + hint));
  }
  return std::move(x.response);
}

CreatedSession AdminClient::create_session(const SessionRequest& req) {
  json::object body;
  body["name"] = req.name;
  body["format"] = req.format;
  if (!req.presenter.empty()) body["presenter"] = req.presenter;
  if (req.max_members > 0) body["max_members"] = static_cast<std::int64_t>(req.max_members);
  if (!req.ground_rules.empty()) body["ground_rules"] = req.ground_rules;
  json::array invitees;
  for (const auto& invitee : req.invitees) {
    json::object entry;
    if (!invitee.id.empty()) entry["id"] = invitee.id;
    entry["name"] = invitee.name;
    entry["role"] = invitee.role;
    invitees.push_back(std::move(entry));
  }
  body["invitees"] = std::move(invitees);

  const HttpResponse response = request("POST", "/api/v1/sessions", json::serialize(body));
  if (response.status != 201 && response.status != 200) throw ApiError(status_of(response));
  const json::object answer = parse_object(response, "create session");

  CreatedSession created;
  created.session_id = get_string(answer, "session_id");
  created.name = get_string(answer, "name");
  if (const auto* format = answer.if_contains("format")) {
    if (format->is_string()) created.format = std::string(format->get_string());
    else if (format->is_object()) created.format = get_string(format->get_object(), "id");
  }
  if (const auto* invites = answer.if_contains("invites"); invites && invites->is_array()) {
    for (const auto& item : invites->get_array()) {
      if (!item.is_object()) continue;
      const auto& o = item.get_object();
      Invite invite;
      invite.participant_id = get_string(o, "participant_id");
      invite.name = get_string(o, "name");
      invite.role = get_string(o, "role");
      invite.token = get_string(o, "token");
      invite.link = get_string(o, "link");
      if (const auto* presenter = o.if_contains("presenter"); presenter && presenter->is_bool())
        invite.presenter = presenter->get_bool();
      created.invites.push_back(std::move(invite));
    }
  }
  if (created.session_id.empty())
    throw ApiError(Status::failure("protocol", "create session: the answer has no session_id", response.status));
  return created;
}

std::vector<SessionSummary> AdminClient::list_sessions() {
  const HttpResponse response = request("GET", "/api/v1/sessions");
  if (response.status != 200) throw ApiError(status_of(response));
  const json::object answer = parse_object(response, "list sessions");
  std::vector<SessionSummary> out;
  if (const auto* sessions = answer.if_contains("sessions"); sessions && sessions->is_array()) {
    for (const auto& item : sessions->get_array()) {
      if (!item.is_object()) continue;
      const auto& o = item.get_object();
      SessionSummary s;
      s.session_id = get_string(o, "session_id");
      s.name = get_string(o, "name");
      if (const auto* format = o.if_contains("format")) {
        if (format->is_string()) s.format = std::string(format->get_string());
        else if (format->is_object()) s.format = get_string(format->get_object(), "id");
      }
      s.phase_index = static_cast<std::int32_t>(get_int(o, "phase_index", -1));
      if (const auto* ended = o.if_contains("ended"); ended && ended->is_bool()) s.ended = ended->get_bool();
      if (const auto* members = o.if_contains("members"); members && members->is_array())
        s.members = static_cast<std::uint32_t>(members->get_array().size());
      else
        s.members = static_cast<std::uint32_t>(get_int(o, "members", 0));
      s.connections = static_cast<std::uint32_t>(get_int(o, "connections", 0));
      out.push_back(std::move(s));
    }
  }
  return out;
}

v1::SessionState AdminClient::get_session(const std::string& session_id) {
  const HttpResponse response = request("GET", "/api/v1/sessions/" + url_encode(session_id));
  if (response.status != 200) throw ApiError(status_of(response));
  v1::SessionState state;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const auto parsed = google::protobuf::util::JsonStringToMessage(response.body, &state, options);
  if (!parsed.ok())
    throw ApiError(Status::failure("protocol", "get session: " + std::string(parsed.message()), response.status));
  return state;
}

void AdminClient::end_session(const std::string& session_id) {
  const HttpResponse response = request("POST", "/api/v1/sessions/" + url_encode(session_id) + "/end");
  if (response.status != 200 && response.status != 204) throw ApiError(status_of(response));
}

bool AdminClient::healthy() {
  try {
    return request("GET", "/healthz").status == 200;
  } catch (const ApiError&) {
    return false;
  }
}

}  // namespace balint::sdk
