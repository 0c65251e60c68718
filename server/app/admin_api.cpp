#include "app/admin_api.hpp"

#include "app/clock.hpp"
#include "app/log.hpp"
#include "app/roles.hpp"
#include "auth/token.hpp"
#include "core/formats.hpp"
#include "core/names.hpp"

#include <boost/json.hpp>
#include <google/protobuf/util/json_util.h>
#include <sodium.h>

#include <set>

namespace balint::app {
namespace json = boost::json;
namespace http = net::http;
namespace v1 = core::v1;

namespace {

constexpr std::string_view prefix = "/api/v1/sessions";

// A refusal with its status; thrown inside request handling, answered once.
struct ApiError {
  http::status status;
  std::string code;
  std::string message;
};

[[noreturn]] void invalid(std::string message) {
  throw ApiError{http::status::bad_request, "invalid_request", std::move(message)};
}

bool authorized(const net::Request& request, const std::string& secret) {
  const auto header = request[http::field::authorization];
  constexpr std::string_view scheme = "Bearer ";
  if (header.size() != scheme.size() + secret.size() || !header.starts_with(scheme)) return false;
  return sodium_memcmp(header.data() + scheme.size(), secret.data(), secret.size()) == 0;
}

std::string string_field(const json::object& object, std::string_view key, std::size_t max, bool required) {
  const auto* value = object.if_contains(key);
  if (!value) {
    if (required) invalid("\"" + std::string(key) + "\" is required");
    return {};
  }
  if (!value->is_string()) invalid("\"" + std::string(key) + "\" must be a string");
  std::string text(value->get_string());
  if (required && text.empty()) invalid("\"" + std::string(key) + "\" must not be empty");
  if (text.size() > max) invalid("\"" + std::string(key) + "\" is longer than " + std::to_string(max) + " bytes");
  return text;
}

v1::Format read_format(const json::object& body) {
  const auto* value = body.if_contains("format");
  if (!value) invalid("\"format\" is required: \"balint\", \"ccdg\" or a format object");
  if (value->is_string()) {
    auto format = core::builtin_format(value->get_string());
    if (!format) invalid("unknown format \"" + std::string(value->get_string()) + "\"; built in: balint, ccdg");
    return *format;
  }
  if (!value->is_object()) invalid("\"format\" must be a format id or a format object");
  v1::Format format;
  const auto status = google::protobuf::util::JsonStringToMessage(json::serialize(*value), &format);
  if (!status.ok()) invalid("\"format\" does not fit the Format message: " + std::string(status.message()));
  return format;
}


// Someone a join token is minted for.
struct Invitee {
  std::string id;
  std::string name;
  std::string role;  // As the token carries it.
};

// The "invitees" array. With `presenter_id`, one invitee may have the role
// "presenter" (a participant who presents); without, none may.
std::vector<Invitee> read_invitees(const json::object& body, std::string* presenter_id) {
  const auto* invitees_value = body.if_contains("invitees");
  if (!invitees_value || !invitees_value->is_array() || invitees_value->get_array().empty())
    invalid("\"invitees\" must be a non-empty array");
  const auto& invitee_values = invitees_value->get_array();
  if (invitee_values.size() > 200) invalid("at most 200 invitees");

  std::vector<Invitee> invitees;
  std::set<std::string> ids;
  for (const auto& value : invitee_values) {
    if (!value.is_object()) invalid("each invitee must be an object with \"name\" and \"role\"");
    const auto& object = value.as_object();
    Invitee invitee{string_field(object, "id", core::kMaxParticipantIdBytes, false),
                    string_field(object, "name", core::kMaxDisplayNameBytes, true), string_field(object, "role", 32, true)};
    if (!invitee.id.empty() && !core::valid_participant_id(invitee.id))
      invalid("invitee id \"" + invitee.id + "\" must be 1-64 letters, digits, '-' or '_'");
    if (const auto problem = core::display_name_problem(invitee.name); !problem.empty())
      invalid("invitee name " + problem);
    if (invitee.role == "presenter") {
      if (!presenter_id) invalid("the presenter is named when the session is created; a facilitator can change it");
      if (!presenter_id->empty() && *presenter_id != invitee.id) invalid("only one presenter may be named");
      invitee.role = "participant";
      if (invitee.id.empty()) invitee.id = "presenter";
      *presenter_id = invitee.id;
    }
    if (!parse_role(invitee.role))
      invalid("invitee role \"" + invitee.role + "\" must be facilitator, co_facilitator, participant" +
              (presenter_id ? ", presenter" : "") + " or room");
    if (!invitee.id.empty() && !ids.insert(invitee.id).second) invalid("invitee id \"" + invitee.id + "\" is used twice");
    invitees.push_back(std::move(invitee));
  }
  return invitees;
}

std::vector<StoredInvitee> stored(const std::vector<Invitee>& invitees) {
  std::vector<StoredInvitee> out;
  for (const auto& invitee : invitees) out.push_back({invitee.id, invitee.name, invitee.role});
  return out;
}

// One {participant_id, name, role, presenter, token, link} per invitee.
json::array mint_invites(const Config& config, const std::vector<Invitee>& invitees, const std::string& session_id,
                        const std::string& presenter_id) {
  const auto now = now_ms() / 1000;
  json::array invites;
  for (const auto& invitee : invitees) {
    auth::JoinClaims claims{invitee.id, invitee.name, session_id, invitee.role, now, 0,
                            now + config.token_lifetime.count(), auth::random_secret(12)};
    const auto token = auth::sign_token(claims, config.token_keys.front());
    invites.push_back(json::object{{"participant_id", invitee.id}, {"name", invitee.name}, {"role", invitee.role},
                                   {"presenter", invitee.id == presenter_id},
                                   {"token", token}, {"link", config.public_url + "/join#" + token}});
  }
  return invites;
}

json::object summary_json(const RoomSummary& summary) {
  return {{"session_id", summary.session_id}, {"name", summary.name},       {"format", summary.format_id},
          {"phase_index", summary.phase_index}, {"ended", summary.ended},   {"members", summary.members},
          {"connections", summary.connections}};
}

net::Response answer(const net::Request& request, http::status status, const json::value& body) {
  return net::json_response(status, json::serialize(body), request.version(), request.keep_alive());
}

}  // namespace

AdminApi::AdminApi(const Config& config, Registry& registry, net::WorkerPool& workers,
                   std::shared_ptr<StoreThread> store)
    : config_(config), registry_(registry), workers_(workers), store_(std::move(store)) {}

bool AdminApi::handles(std::string_view target) { return target.starts_with(prefix); }

void AdminApi::handle(const net::Request& request, const net::asio::ip::address& peer, net::Respond respond) {
  try {
    // A throttled address is refused before its secret is even compared.
    const auto now = net::FailureThrottle::Clock::now();
    const auto client = net::client_key(peer);
    if (const auto wait = failures_.wait(client, now); wait.count() > 0) {
      auto refusal = net::json_error(http::status::too_many_requests, "too_many_failures",
                                     "too many wrong admin secrets from your address: try again in " +
                                         std::to_string(wait.count()) + " s",
                                     request.version(), request.keep_alive());
      refusal.set(http::field::retry_after, std::to_string(wait.count()));
      return respond(std::move(refusal));
    }
    if (!authorized(request, config_.admin_secret)) {
      // The first of a run and the one that starts the throttle: a guesser
      // from many addresses cannot fill the log at will.
      const auto in_a_row = failures_.failed(client, now);
      if (in_a_row == 1 || in_a_row == kFailureBurst)
        log(LogLevel::warn, "admin authentication failed from ", client.to_string(), " (", in_a_row, " in a row)");
      throw ApiError{http::status::unauthorized, "unauthorized", "the admin API needs \"Authorization: Bearer <admin secret>\""};
    }

    std::string_view target = request.target();
    if (const auto query = target.find('?'); query != std::string_view::npos) target = target.substr(0, query);
    std::string_view rest = target.substr(prefix.size());
    if (rest.empty() || rest == "/") {
      if (request.method() == http::verb::post) return create_session(request, respond);
      if (request.method() == http::verb::get) return respond(list_sessions(request));
      throw ApiError{http::status::method_not_allowed, "method_not_allowed", "use GET or POST on " + std::string(prefix)};
    }

    rest.remove_prefix(1);
    std::string_view action;
    if (const auto slash = rest.find('/'); slash != std::string_view::npos) {
      action = rest.substr(slash + 1);
      rest = rest.substr(0, slash);
    }
    auto room = registry_.find(std::string(rest));
    if (!room) throw ApiError{http::status::not_found, "unknown_session", "no session with id \"" + std::string(rest) + "\""};

    if (action.empty() && request.method() == http::verb::get) {
      return room->post([request_version = request.version(), keep_alive = request.keep_alive(), respond](Room& room) {
        std::string body;
        google::protobuf::util::JsonPrintOptions options;
        options.preserve_proto_field_names = true;
        options.always_print_primitive_fields = true;
        (void)google::protobuf::util::MessageToJsonString(room.snapshot(), &body, options);
        respond(net::json_response(http::status::ok, std::move(body), request_version, keep_alive));
      });
    }
    if (action == "invites" && request.method() == http::verb::post) return invite(request, room, respond);
    if (action == "end" && request.method() == http::verb::post) {
      log(LogLevel::info, "admin ends session id=", rest);
      return room->post([request, respond](Room& room) {
        room.end_session();
        respond(answer(request, http::status::ok, json::object{{"session_id", room.summary().session_id}, {"ended", true}}));
      });
    }
    throw ApiError{http::status::not_found, "not_found", "no such admin endpoint: " + std::string(request.method_string()) +
                                                            " " + std::string(request.target())};
  } catch (const ApiError& error) {
    respond(net::json_error(error.status, error.code, error.message, request.version(), request.keep_alive()));
  }
}

void AdminApi::create_session(const net::Request& request, const net::Respond& respond) {
  boost::system::error_code ec;
  const json::value parsed = json::parse(request.body(), ec);
  if (ec || !parsed.is_object()) invalid("the body must be a JSON object");
  const json::object& body = parsed.as_object();

  core::SessionConfig session;
  session.session_id = auth::random_secret(9);
  session.name = string_field(body, "name", 200, true);
  session.format = read_format(body);
  session.ground_rules = string_field(body, "ground_rules", 4000, false);
  session.presenter_id = string_field(body, "presenter", 64, false);
  session.max_members = config_.default_max_members;
  session.reconnect_grace_ms = std::chrono::duration_cast<std::chrono::milliseconds>(config_.reconnect_grace).count();
  if (const auto* max = body.if_contains("max_members")) {
    if (!max->is_int64() || max->get_int64() < 1 || max->get_int64() > 100)
      invalid("\"max_members\" must be a whole number from 1 to 100");
    session.max_members = static_cast<std::uint32_t>(max->get_int64());
  }

  auto invitees = read_invitees(body, &session.presenter_id);
  // Ids for invitees who came without one: m1, m2, ... skipping taken ones.
  std::set<std::string> ids;
  for (const auto& invitee : invitees) ids.insert(invitee.id);
  int counter = 0;
  for (auto& invitee : invitees)
    while (invitee.id.empty()) {
      const std::string candidate = "m" + std::to_string(++counter);
      if (ids.insert(candidate).second) invitee.id = candidate;
    }

  std::string error;
  auto created = core::Session::create(session, error);
  if (!created) invalid(error);
  auto room = std::make_shared<Room>(workers_.next(), std::move(*created), network_limits(config_), store_);
  if (!registry_.add(room, config_.max_sessions))
    throw ApiError{http::status::service_unavailable, "too_many_sessions",
                   "the server runs its maximum of " + std::to_string(config_.max_sessions) +
                       " sessions; end one or try later"};
  log(LogLevel::info, "session created id=", session.session_id, " format=", session.format.id(),
      " invitees=", invitees.size());
  store_->run([id = session.session_id, rows = stored(invitees)](Store& store) { return store.save_invitees(id, rows); },
              [](bool) {});  // A failure is the store's to report.
  auto created_body = json::object{{"session_id", session.session_id}, {"name", session.name},
                                   {"format", session.format.id()},
                                   {"invites", mint_invites(config_, invitees, session.session_id, session.presenter_id)}};
  // The links go out once the session they open is on disk.
  room->post([this, request, respond, body = std::move(created_body)](Room& room) {
    room.when_durable([this, &room, request, respond, body](bool durable) {
      if (durable) return respond(answer(request, http::status::created, body));
      registry_.remove(room.summary().session_id);
      respond(net::json_error(http::status::service_unavailable, "store_unavailable",
                              "the server cannot save the session right now; try again in a moment",
                              request.version(), request.keep_alive()));
    });
  });
}

void AdminApi::invite(const net::Request& request, const std::shared_ptr<Room>& room, const net::Respond& respond) {
  boost::system::error_code ec;
  const json::value parsed = json::parse(request.body(), ec);
  if (ec || !parsed.is_object()) invalid("the body must be a JSON object");
  auto invitees = read_invitees(parsed.as_object(), nullptr);
  for (auto& invitee : invitees)
    if (invitee.id.empty()) invitee.id = "m" + auth::random_secret(6);
  const auto session_id = room->summary().session_id;
  // The session's state lives on its own thread: ask there whether it is over.
  room->post([this, request, respond, session_id, invitees = std::move(invitees)](Room& room) {
    if (room.snapshot().ended())
      return respond(net::json_error(http::status::conflict, "session_ended", "the session has ended", request.version(),
                                     request.keep_alive()));
    log(LogLevel::info, "admin invites session=", session_id, " invitees=", invitees.size());
    auto body = json::object{{"session_id", session_id}, {"invites", mint_invites(config_, invitees, session_id, "")}};
    store_->run([session_id, rows = stored(invitees)](Store& store) { return store.save_invitees(session_id, rows); },
                [request, respond, body = std::move(body)](bool saved) {
                  if (saved) return respond(answer(request, http::status::created, body));
                  respond(net::json_error(http::status::service_unavailable, "store_unavailable",
                                          "the server cannot save the invitees right now; try again in a moment",
                                          request.version(), request.keep_alive()));
                });
  });
}

net::Response AdminApi::list_sessions(const net::Request& request) {
  json::array sessions;
  for (const auto& room : registry_.all()) sessions.push_back(summary_json(room->summary()));
  return answer(request, http::status::ok, json::object{{"sessions", std::move(sessions)}});
}

}  // namespace balint::app
