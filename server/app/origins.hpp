// Which web pages may open a WebSocket to the server, by the Origin header
// browsers send with every upgrade (RFC 6454). Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace balint::app {

// "scheme://host[:port]" of a URL or origin, in lower case and without the
// scheme's default port; empty if it is neither http(s) nor ws(s).
std::string origin_of(std::string_view url);

class OriginPolicy {
 public:
  // Pages served by this server itself, the origin of `public_url`, and
  // those of `allowed` (allowed_origins: pages elsewhere that embed the
  // client).
  OriginPolicy(const std::vector<std::string>& allowed, std::string_view public_url);

  // Whether an upgrade with these headers may go on. No Origin (not a
  // browser) may; `host` is the request's Host header.
  bool allows(std::string_view origin, std::string_view host) const;

 private:
  std::vector<std::string> allowed_;
};

}  // namespace balint::app
