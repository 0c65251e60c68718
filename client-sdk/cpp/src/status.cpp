#include "balint/sdk/status.hpp"

#include <utility>

namespace balint::sdk {

std::string Status::describe() const {
  if (ok()) return "ok";
  std::string out;
  if (http_status != 0) out += std::to_string(http_status);
  if (!code.empty()) {
    if (!out.empty()) out += ' ';
    out += code;
  }
  if (!message.empty()) {
    if (!out.empty()) out += ": ";
    out += message;
  }
  return out;
}

Status Status::failure(std::string code, std::string message, int http_status) {
  Status status;
  status.http_status = http_status;
  status.code = code.empty() ? std::string("error") : std::move(code);
  status.message = std::move(message);
  return status;
}

}  // namespace balint::sdk
