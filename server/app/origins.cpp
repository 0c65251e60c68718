#include "app/origins.hpp"

#include <algorithm>
#include <cctype>

namespace balint::app {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// The authority without the default port of `scheme`.
std::string without_default_port(std::string authority, std::string_view scheme) {
  const bool secure = scheme == "https" || scheme == "wss";
  const std::string_view port = secure ? ":443" : ":80";
  if (authority.ends_with(port)) authority.resize(authority.size() - port.size());
  return authority;
}

}  // namespace

std::string origin_of(std::string_view url) {
  const auto colon = url.find("://");
  if (colon == std::string_view::npos) return {};
  std::string scheme = lower(url.substr(0, colon));
  if (scheme == "ws") scheme = "http";
  if (scheme == "wss") scheme = "https";
  if (scheme != "http" && scheme != "https") return {};
  std::string_view rest = url.substr(colon + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (rest.empty()) return {};
  return scheme + "://" + without_default_port(lower(rest), scheme);
}

OriginPolicy::OriginPolicy(const std::vector<std::string>& allowed, std::string_view public_url) {
  for (const auto& origin : allowed) allowed_.push_back(origin_of(origin));
  if (auto own = origin_of(public_url); !own.empty()) allowed_.push_back(std::move(own));
}

bool OriginPolicy::allows(std::string_view origin, std::string_view host) const {
  if (origin.empty()) return true;
  const std::string normalized = origin_of(origin);
  if (normalized.empty()) return false;  // "null" (a sandboxed or file page), or garbage.
  if (std::find(allowed_.begin(), allowed_.end(), normalized) != allowed_.end()) return true;
  // The page came from the server it connects to (the same host and port).
  if (host.empty()) return false;
  const auto scheme = normalized.substr(0, normalized.find(':'));
  return normalized.substr(scheme.size() + 3) == without_default_port(lower(host), scheme);
}

}  // namespace balint::app
