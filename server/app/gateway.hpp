// Routes what arrives on the port: health check, admin API, WebSocket joins
// (token checked, then handed to the session's room), the join check, and
// the web client's files (or, without a web root, a landing page).
#pragma once

#include "app/admin_api.hpp"
#include "app/config.hpp"
#include "app/registry.hpp"
#include "app/static_files.hpp"
#include "net/router.hpp"

#include <memory>
#include <string>
#include <variant>

namespace balint::app {

// A join token that passed every check the gateway makes (present, signed
// under a known key, in its time window, a known role, a session this
// server has); the room makes the rest (see Room::admission_problem).
struct JoinTicket {
  auth::JoinClaims claims;
  core::v1::Role role = core::v1::ROLE_UNSPECIFIED;
  std::shared_ptr<Room> room;
  // Names the token (its jti, or its signature), so that it can be revoked.
  std::string token_fingerprint;
};

// A resume credential whose session this server has; the room checks the
// rest (see Room::resume_problem).
struct ResumeTicket {
  std::shared_ptr<Room> room;
  std::string participant_id;
  std::string secret;
};

class Gateway : public net::Router {
 public:
  // Loads config.web_root if set; throws std::runtime_error if it cannot be
  // served (see StaticFiles). Without `admin` the admin API is not here
  // (it has a listener of its own: see AdminGateway).
  Gateway(const Config& config, Registry& registry, std::shared_ptr<AdminApi> admin);

  void handle_http(net::Request request, const net::asio::ip::address& peer, net::Respond respond) override;
  std::variant<net::Response, net::Admit> handle_upgrade(const net::Request& request) override;
  void out_of_descriptors(const net::error_code& ec) override;

 private:
  // The token checks of a join, shared by the upgrade and the join check:
  // the token (see token_of) and what it opens, or why not (missing_token,
  // invalid_token, unknown_session). Logs nothing.
  std::variant<JoinRefusal, JoinTicket> verify_join(const net::Request& request) const;
  // The same for a resume credential (see resume_credential_of):
  // invalid_resume or unknown_session.
  std::variant<JoinRefusal, ResumeTicket> verify_resume(const std::string& credential) const;
  // 403 origin_not_allowed for a page the Origin policy does not allow.
  std::optional<JoinRefusal> origin_refusal(const net::Request& request) const;
  // GET /api/v1/join: what an upgrade with the request's token would meet
  // now, without joining. Answers from the session's room thread.
  void check_join(const net::Request& request, net::Respond respond);

  const Config& config_;
  Registry& registry_;
  std::shared_ptr<AdminApi> admin_;  // Null when the admin API listens elsewhere.
  std::unique_ptr<const StaticFiles> static_files_;  // Null without a web root.
};

// The admin listener's router (admin_bind_address): the admin API and
// /healthz, nothing else.
class AdminGateway : public net::Router {
 public:
  explicit AdminGateway(std::shared_ptr<AdminApi> admin) : admin_(std::move(admin)) {}

  void handle_http(net::Request request, const net::asio::ip::address& peer, net::Respond respond) override;
  std::variant<net::Response, net::Admit> handle_upgrade(const net::Request& request) override;
  void out_of_descriptors(const net::error_code& ec) override;

 private:
  std::shared_ptr<AdminApi> admin_;
};

// The join token of an upgrade request: the `token` query parameter, or an
// `Authorization: Bearer` header. Empty if neither.
std::string token_of(const net::Request& request);
// The resume credential of an upgrade request: the `resume` query
// parameter, or an `Authorization: Resume` header. Empty if neither.
std::string resume_credential_of(const net::Request& request);

}  // namespace balint::app
