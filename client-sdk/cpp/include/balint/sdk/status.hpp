// Outcomes the SDK reports without a server answer: a refused WebSocket
// handshake, a network failure, a timeout, a closed connection.
#pragma once

#include "balint/v1/balint.pb.h"

#include <string>

namespace balint::sdk {

namespace v1 = ::balint::v1;

// The result of an operation that either worked or failed with a reason.
//
// `http_status` is the HTTP status the server refused with (401, 404, 409...)
// and 0 when the failure happened before or after HTTP (DNS, TCP, timeout).
// `code` is the server's machine-readable error code ("invalid_token") when
// the server gave one, otherwise one of the SDK's own codes: "network",
// "tls" (the TLS handshake failed, or the CA file cannot be used), "timeout",
// "protocol", "closed", "invalid_argument", "busy".
struct Status {
  int http_status = 0;
  std::string code;
  std::string message;

  bool ok() const { return code.empty() && http_status == 0; }
  explicit operator bool() const { return ok(); }

  // One line for people: "401 invalid_token: token signature does not match".
  std::string describe() const;

  static Status success() { return {}; }
  static Status failure(std::string code, std::string message, int http_status = 0);
};

// Error codes a `v1::CommandResult` can carry when the command never got an
// answer from the server. They are outside the range the server uses and are
// never sent on the wire; `error_name()` in describe.hpp knows them.
inline constexpr v1::ErrorCode kErrorNotConnected = static_cast<v1::ErrorCode>(1001);
inline constexpr v1::ErrorCode kErrorTimeout = static_cast<v1::ErrorCode>(1002);
inline constexpr v1::ErrorCode kErrorConnectionClosed = static_cast<v1::ErrorCode>(1003);
inline constexpr v1::ErrorCode kErrorQueueFull = static_cast<v1::ErrorCode>(1004);
inline constexpr v1::ErrorCode kErrorWrongThread = static_cast<v1::ErrorCode>(1005);
// A chat message could not be sealed: this connection's end-to-end keys are
// not in place yet (or were wiped when the session ended).
inline constexpr v1::ErrorCode kErrorKeysNotReady = static_cast<v1::ErrorCode>(1006);

}  // namespace balint::sdk
