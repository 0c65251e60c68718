// A blocking client for the server's admin HTTP API: create sessions (which
// mints the members' join links), list them, read one, end one.
//
//   balint::sdk::AdminClient admin("http://127.0.0.1:8080", secret);
//   balint::sdk::SessionRequest req;
//   req.name = "Tuesday group";
//   req.format = "balint";
//   req.invitees = {{"f1", "Dr Ada", "facilitator"}, {"", "Ben", "presenter"}};
//   auto created = admin.create_session(req);
//   for (auto& invite : created.invites) std::cout << invite.link << "\n";
#pragma once

#include "balint/sdk/status.hpp"
#include "balint/v1/balint.pb.h"

#include <boost/json/value.hpp>

namespace boost::asio::ssl {
class context;
}

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace balint::sdk {

namespace v1 = ::balint::v1;

// The server refused a request (or it never got there). `status()` carries
// the HTTP status (0 when there was none) and the server's error code and
// message.
class ApiError : public std::runtime_error {
 public:
  explicit ApiError(Status status);
  const Status& status() const { return status_; }
  int http_status() const { return status_.http_status; }
  const std::string& code() const { return status_.code; }

 private:
  Status status_;
};

// One person (or room device) to invite.
struct Invitee {
  std::string id;    // Optional; the server makes one when empty.
  std::string name;  // Display name.
  // "facilitator", "co_facilitator", "participant", "presenter" (a
  // participant who is named presenter) or "room".
  std::string role;
};

// What a new session is made of.
struct SessionRequest {
  std::string name;
  // A built-in format id ("balint", "ccdg") as a JSON string, or a custom
  // `v1::Format` in protobuf JSON as a JSON object.
  boost::json::value format = "balint";
  std::string presenter;          // Optional participant id.
  std::uint32_t max_members = 0;  // 0: the server's default.
  std::string ground_rules;       // Optional.
  std::vector<Invitee> invitees;
};

// One minted invitation.
struct Invite {
  std::string participant_id;
  std::string name;
  std::string role;    // The role the token carries (a presenter's is
                       // "participant").
  std::string token;   // The join token (a JWT).
  std::string link;    // `<base>/join#<token>`.
  bool presenter = false;  // This invitee is the session's presenter.
};

struct CreatedSession {
  std::string session_id;
  std::string name;
  std::string format;
  std::vector<Invite> invites;  // In the order of the request's invitees.

  // The invite with this display name; throws std::out_of_range if none.
  const Invite& invite(const std::string& name) const;
};

// One line of the session list.
struct SessionSummary {
  std::string session_id;
  std::string name;
  std::string format;
  std::int32_t phase_index = -1;
  bool ended = false;
  std::uint32_t members = 0;      // Roster entries.
  std::uint32_t connections = 0;  // Open connections.
};

// An HTTP answer, as it came.
struct HttpResponse {
  int status = 0;
  std::string body;
  std::string content_type;
};

// How the admin client behaves.
struct AdminOptions {
  // Longest time one request may take, connecting included.
  std::chrono::milliseconds timeout{5000};
  // For https:// base URLs: a PEM file of certificates to trust besides the
  // system's trust store, such as a private CA or a server's self-signed
  // certificate. The server's certificate is always checked, and must name
  // the URL's host. Empty: the system's trust store alone.
  std::string ca_file;
};

class AdminClient {
 public:
  // `base_url` is http://host:port or https://host:port (a path prefix is
  // kept). Throws std::invalid_argument on a malformed URL, and ApiError with
  // code "tls" when the options' CA file cannot be used.
  AdminClient(std::string base_url, std::string admin_secret, AdminOptions options = {});
  AdminClient(std::string base_url, std::string admin_secret, std::chrono::milliseconds timeout);

  // POST /api/v1/sessions. Throws ApiError.
  CreatedSession create_session(const SessionRequest& request);
  // GET /api/v1/sessions. Throws ApiError.
  std::vector<SessionSummary> list_sessions();
  // GET /api/v1/sessions/{id}. Throws ApiError.
  v1::SessionState get_session(const std::string& session_id);
  // POST /api/v1/sessions/{id}/end. Throws ApiError.
  void end_session(const std::string& session_id);
  // GET /healthz: true on 200.
  bool healthy();

  // Any request with the admin credential; never throws on an HTTP status,
  // only ApiError with code "network", "tls" or "timeout" when there is no
  // answer (for "tls": the host and OpenSSL's reason, e.g. "certificate
  // verify failed (self-signed certificate)").
  HttpResponse request(const std::string& method, const std::string& target,
                       const std::string& body = {});

  const std::string& base_url() const { return base_url_; }

 private:
  std::string base_url_;
  std::string admin_secret_;
  std::chrono::milliseconds timeout_;
  std::shared_ptr<boost::asio::ssl::context> tls_;  // For https:// only.
};

// Reads `{"error":{"code":"...","message":"..."}}` into a Status with the
// given HTTP status; falls back to the body's text when it is not that shape.
Status status_from_error_body(int http_status, const std::string& body);

}  // namespace balint::sdk
