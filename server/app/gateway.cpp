#include "app/gateway.hpp"

#include "app/clock.hpp"
#include "app/log.hpp"
#include "app/origins.hpp"
#include "app/roles.hpp"
#include "core/names.hpp"

#include <boost/json.hpp>

namespace balint::app {
namespace http = net::http;
namespace json = boost::json;

namespace {

constexpr std::string_view join_check_path = "/api/v1/join";

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

// Query values here are tokens (base64url and dots): no percent-decoding is
// needed, and a value that needs it is not a token anyway.
std::string query_value(std::string_view target, std::string_view key) {
  const auto question = target.find('?');
  if (question == std::string_view::npos) return {};
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    if (pair.size() > key.size() && pair.starts_with(key) && pair[key.size()] == '=')
      return std::string(pair.substr(key.size() + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

constexpr std::string_view landing_page = R"(<!doctype html>
<html lang="en"><meta charset="utf-8"><title>Balint Room</title>
<body style="font:18px/1.5 system-ui,sans-serif;max-width:40em;margin:3em auto;padding:0 1em">
<h1>Balint Room</h1>
<p>The server is running. Join a session with the command-line client:</p>
<pre>balint-cli join '&lt;your join link&gt;'</pre>
<p>The web client is served here when the server runs with <code>--web-root</code>
(deploy/run.sh does it).</p>
</body></html>
)";

net::Response health_answer(const net::Request& request) {
  return net::json_response(http::status::ok, R"({"status":"ok"})", request.version(), request.keep_alive());
}

void log_out_of_descriptors(const net::error_code& ec) {
  log(LogLevel::warn, "out of descriptors (", ec.message(),
      "): new connections are answered 503 until some close; raise LimitNOFILE or lower max_connections");
}

// The join check's answer when joining would be admitted.
net::Response join_answer(const Room& room, const std::string& participant_id, const std::string& display_name,
                          const std::string& role, unsigned version, bool keep_alive) {
  return net::json_response(http::status::ok,
                            json::serialize(json::object{{"session_id", room.summary().session_id},
                                                         {"session_name", room.summary().name},
                                                         {"participant_id", participant_id},
                                                         {"display_name", display_name},
                                                         {"role", role},
                                                         {"ended", false}}),
                            version, keep_alive);
}

}  // namespace

std::string token_of(const net::Request& request) {
  if (auto token = query_value(request.target(), "token"); !token.empty()) return token;
  const auto header = request[http::field::authorization];
  constexpr std::string_view scheme = "Bearer ";
  if (header.starts_with(scheme)) return std::string(header.substr(scheme.size()));
  return {};
}

std::string resume_credential_of(const net::Request& request) {
  if (auto credential = query_value(request.target(), "resume"); !credential.empty()) return credential;
  const auto header = request[http::field::authorization];
  constexpr std::string_view scheme = "Resume ";
  if (header.starts_with(scheme)) return std::string(header.substr(scheme.size()));
  return {};
}

Gateway::Gateway(const Config& config, Registry& registry, std::shared_ptr<AdminApi> admin)
    : config_(config), registry_(registry), admin_(std::move(admin)) {
  if (config.web_root.empty()) return;
  static_files_ = std::make_unique<const StaticFiles>(config.web_root);
  log(LogLevel::info, "serving ", static_files_->file_count(), " files (", static_files_->total_bytes(),
      " bytes) from ", static_files_->root());
}

void Gateway::handle_http(net::Request request, const net::asio::ip::address& peer, net::Respond respond) {
  const auto path = path_of(request.target());
  if (admin_ && AdminApi::handles(path)) return admin_->handle(request, peer, std::move(respond));
  if (path == join_check_path) return check_join(request, std::move(respond));
  if (path == "/healthz" && request.method() == http::verb::get) return respond(health_answer(request));
  if (path == "/ws") {
    auto refusal = net::json_error(http::status::upgrade_required, "upgrade_required",
                                   "/ws speaks WebSocket only: connect with a WebSocket client", request.version(),
                                   request.keep_alive());
    refusal.set(http::field::upgrade, "websocket");
    return respond(std::move(refusal));
  }
  // Everything else on the port is the web client's.
  if (static_files_) return respond(static_files_->answer(request));
  if ((path == "/" || path == "/join") && request.method() == http::verb::get) {
    net::Response page{http::status::ok, request.version()};
    page.set(http::field::content_type, "text/html; charset=utf-8");
    page.keep_alive(request.keep_alive());
    page.body() = std::string(landing_page);
    page.prepare_payload();
    return respond(std::move(page));
  }
  respond(net::json_error(http::status::not_found, "not_found", "nothing at " + std::string(path), request.version(),
                          request.keep_alive()));
}

// A browser says which page opens the socket: only pages of this server
// (and of allowed_origins) may, so that a page elsewhere that holds
// someone's link cannot join with it.
std::optional<JoinRefusal> Gateway::origin_refusal(const net::Request& request) const {
  if (OriginPolicy(config_.allowed_origins, config_.public_url)
          .allows(request[http::field::origin], request[http::field::host]))
    return std::nullopt;
  return JoinRefusal{http::status::forbidden, "origin_not_allowed",
                     "pages from this origin may not join: the server allows its own pages (see allowed_origins)"};
}

std::variant<JoinRefusal, JoinTicket> Gateway::verify_join(const net::Request& request) const {
  const auto token = token_of(request);
  if (token.empty())
    return JoinRefusal{http::status::unauthorized, "missing_token",
                       "a join token is required (?token=... or Authorization: Bearer ...)"};
  auto verified = auth::verify_token(token, config_.token_keys, now_ms() / 1000, config_.token_leeway.count());
  if (verified.error) return JoinRefusal{http::status::unauthorized, "invalid_token", verified.error->message};
  auto& claims = *verified.claims;
  const auto role = parse_role(claims.role);
  if (!role) return JoinRefusal{http::status::unauthorized, "invalid_token", "token role \"" + claims.role + "\" is unknown"};
  auto room = registry_.find(claims.session_id);
  if (!room) return JoinRefusal{http::status::not_found, "unknown_session", "the token's session does not exist"};
  // A token is known by its id, or, if it has none, by its signature.
  std::string fingerprint =
      claims.token_id.empty() ? "sig:" + token.substr(token.rfind('.') + 1) : "jti:" + claims.token_id;
  return JoinTicket{std::move(claims), *role, std::move(room), std::move(fingerprint)};
}

// A credential is "<session id>.<participant id>.<secret>" (see
// Room::issue_resume_credential); none of the three holds a dot.
std::variant<JoinRefusal, ResumeTicket> Gateway::verify_resume(const std::string& credential) const {
  const auto first = credential.find('.');
  const auto second = first == std::string::npos ? first : credential.find('.', first + 1);
  const bool shaped = second != std::string::npos && credential.find('.', second + 1) == std::string::npos &&
                      core::valid_participant_id(credential.substr(first + 1, second - first - 1)) &&
                      second + 1 < credential.size();
  if (!shaped) return JoinRefusal{http::status::unauthorized, "invalid_resume", "the resume credential is malformed"};
  // No session answers as a wrong secret does: without the secret, nothing
  // tells whether a session exists.
  auto room = registry_.find(credential.substr(0, first));
  if (!room) return resume_refused();
  return ResumeTicket{std::move(room), credential.substr(first + 1, second - first - 1), credential.substr(second + 1)};
}

std::variant<net::Response, net::Admit> Gateway::handle_upgrade(const net::Request& request) {
  auto refuse = [&](const JoinRefusal& refusal) {
    log(LogLevel::info, "join refused code=", refusal.code);
    return net::json_error(refusal.status, refusal.code, refusal.message, request.version(), false);
  };
  if (path_of(request.target()) != "/ws")
    return refuse({http::status::not_found, "not_found", "WebSockets join at /ws"});
  if (auto refusal = origin_refusal(request)) return refuse(*refusal);
  if (const auto credential = resume_credential_of(request); !credential.empty()) {
    auto verified = verify_resume(credential);
    if (const auto* refusal = std::get_if<JoinRefusal>(&verified)) return refuse(*refusal);
    return net::Admit([ticket = std::get<ResumeTicket>(std::move(verified))](net::Transport transport,
                                                                           net::Request request) mutable {
      ticket.room->resume(std::move(transport), std::move(request), std::move(ticket.participant_id),
                          std::move(ticket.secret));
    });
  }
  auto verified = verify_join(request);
  if (const auto* refusal = std::get_if<JoinRefusal>(&verified)) return refuse(*refusal);
  return net::Admit([ticket = std::get<JoinTicket>(std::move(verified))](net::Transport transport,
                                                                         net::Request request) mutable {
    ticket.room->admit(std::move(transport), std::move(request), std::move(ticket.claims), ticket.role,
                       std::move(ticket.token_fingerprint));
  });
}

// Answers as the upgrade would, from the same checks: the gateway's here,
// the room's on its thread; nothing joins and nothing changes.
void Gateway::check_join(const net::Request& request, net::Respond respond) {
  const unsigned version = request.version();
  const bool keep_alive = request.keep_alive();
  if (request.method() != http::verb::get) {
    log(LogLevel::info, "join check code=method_not_allowed");
    auto refusal = net::json_error(http::status::method_not_allowed, "method_not_allowed",
                                   "use GET on " + std::string(join_check_path), version, keep_alive);
    refusal.set(http::field::allow, "GET");
    return respond(std::move(refusal));
  }
  const auto refuse = [&](const JoinRefusal& refusal) {
    log(LogLevel::info, "join check code=", refusal.code);
    respond(net::json_error(refusal.status, refusal.code, refusal.message, version, keep_alive));
  };
  if (auto refusal = origin_refusal(request)) return refuse(*refusal);
  if (const auto credential = resume_credential_of(request); !credential.empty()) {
    auto verified = verify_resume(credential);
    if (const auto* refusal = std::get_if<JoinRefusal>(&verified)) return refuse(*refusal);
    auto ticket = std::get<ResumeTicket>(std::move(verified));
    const auto target = std::move(ticket.room);
    return target->post([ticket = std::move(ticket), version, keep_alive, respond = std::move(respond)](Room& room) {
      const auto problem = room.resume_problem(ticket.participant_id, ticket.secret);
      log(LogLevel::info, "resume check session=", room.summary().session_id, " participant=", ticket.participant_id,
          " code=", problem ? problem->code : "ok");
      if (problem) return respond(net::json_error(problem->status, problem->code, problem->message, version, keep_alive));
      const auto& member = *room.member(ticket.participant_id);
      respond(join_answer(room, member.participant_id(), member.display_name(), std::string(role_name(member.role())),
                          version, keep_alive));
    });
  }
  auto verified = verify_join(request);
  if (const auto* refusal = std::get_if<JoinRefusal>(&verified)) return refuse(*refusal);
  auto ticket = std::get<JoinTicket>(std::move(verified));
  const auto target = std::move(ticket.room);  // The task runs on the room: it needs no handle of its own.
  target->post([ticket = std::move(ticket), version, keep_alive, respond = std::move(respond)](Room& room) {
    const auto& claims = ticket.claims;
    const auto problem = room.admission_problem(claims, ticket.role, ticket.token_fingerprint);
    // An id the engine refuses may hold anything, line breaks included.
    const bool plain_id = core::valid_participant_id(claims.participant_id);
    log(LogLevel::info, "join check session=", claims.session_id, " participant=",
        plain_id ? claims.participant_id : "(invalid)", " code=", problem ? problem->code : "ok");
    if (problem) return respond(net::json_error(problem->status, problem->code, problem->message, version, keep_alive));
    respond(join_answer(room, claims.participant_id, claims.display_name, claims.role, version, keep_alive));
  });
}

void Gateway::out_of_descriptors(const net::error_code& ec) { log_out_of_descriptors(ec); }

void AdminGateway::handle_http(net::Request request, const net::asio::ip::address& peer, net::Respond respond) {
  const auto path = path_of(request.target());
  if (AdminApi::handles(path)) return admin_->handle(request, peer, std::move(respond));
  if (path == "/healthz" && request.method() == http::verb::get) return respond(health_answer(request));
  respond(net::json_error(http::status::not_found, "not_found", "the admin listener serves /api/v1/sessions only",
                          request.version(), request.keep_alive()));
}

std::variant<net::Response, net::Admit> AdminGateway::handle_upgrade(const net::Request& request) {
  return net::json_error(http::status::not_found, "not_found", "WebSockets join on the public listener",
                         request.version(), false);
}

void AdminGateway::out_of_descriptors(const net::error_code& ec) { log_out_of_descriptors(ec); }

}  // namespace balint::app
