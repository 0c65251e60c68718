#include "balint/sdk/join_link.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <stdexcept>

namespace balint::sdk {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

std::uint16_t default_port(const std::string& scheme) {
  return (scheme == "https" || scheme == "wss") ? 443 : 80;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string url_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int hi = hex_value(text[i + 1]);
      const int lo = hex_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += text[i] == '+' ? ' ' : text[i];
  }
  return out;
}

// The value of `name` in a query string ("a=1&token=x"), if present.
std::optional<std::string> query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == name)
      return url_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
  }
  return std::nullopt;
}

}  // namespace

std::string Url::host_header() const {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != default_port(scheme)) out += ":" + std::to_string(port);
  return out;
}

Url parse_url(std::string_view text) {
  text = trim(text);
  const auto sep = text.find("://");
  if (sep == std::string_view::npos || sep == 0)
    throw std::invalid_argument("not a URL (no scheme): " + std::string(text));
  Url url;
  url.scheme = std::string(text.substr(0, sep));
  std::transform(url.scheme.begin(), url.scheme.end(), url.scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (url.scheme != "http" && url.scheme != "https" && url.scheme != "ws" && url.scheme != "wss")
    throw std::invalid_argument("unsupported URL scheme \"" + url.scheme + "\"");
  std::string_view rest = text.substr(sep + 3);

  const auto authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  rest = authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  if (authority.find('@') != std::string_view::npos)
    throw std::invalid_argument("URLs with user information are not supported");

  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) throw std::invalid_argument("unterminated IPv6 address in URL");
    url.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') throw std::invalid_argument("bad characters after IPv6 address");
      port_text = after.substr(1);
    }
  } else {
    const auto colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (url.host.empty()) throw std::invalid_argument("URL has no host: " + std::string(text));

  url.port = default_port(url.scheme);
  if (!port_text.empty()) {
    unsigned long value = 0;
    for (char c : port_text) {
      if (!std::isdigit(static_cast<unsigned char>(c)) || value > 65535)
        throw std::invalid_argument("bad port in URL: " + std::string(port_text));
      value = value * 10 + static_cast<unsigned long>(c - '0');
    }
    if (value == 0 || value > 65535) throw std::invalid_argument("port out of range in URL");
    url.port = static_cast<std::uint16_t>(value);
  }

  const auto hash = rest.find('#');
  if (hash != std::string_view::npos) {
    url.fragment = std::string(rest.substr(hash + 1));
    rest = rest.substr(0, hash);
  }
  url.target = std::string(rest);
  if (url.target.empty() || url.target.front() == '?') url.target.insert(0, "/");
  return url;
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string make_join_link(std::string_view public_url, std::string_view token) {
  token = trim(token);
  if (token.empty()) throw std::invalid_argument("empty join token");
  const Url url = parse_url(public_url);
  if (url.scheme != "http" && url.scheme != "https")
    throw std::invalid_argument("the server's public URL must start with http:// or https://");
  if (url.target.find('?') != std::string::npos || !url.fragment.empty() ||
      trim(public_url).find('#') != std::string_view::npos)
    throw std::invalid_argument("the server's public URL must not carry a query or fragment");
  std::string base(trim(public_url));
  while (!base.empty() && base.back() == '/') base.pop_back();
  // JWTs are URL-safe already; encoding keeps any other token intact too.
  return base + "/join#" + url_encode(token);
}

JoinTarget parse_join_link(std::string_view link_or_token, std::string_view default_ws_url) {
  std::string_view input = trim(link_or_token);
  if (input.empty()) throw std::invalid_argument("empty join link");

  if (input.find("://") == std::string_view::npos) {
    // A bare token, perhaps still carrying the '#' of the link it came from.
    if (input.front() == '#') input.remove_prefix(1);
    if (input.empty()) throw std::invalid_argument("empty join token");
    if (default_ws_url.empty())
      throw std::invalid_argument("a bare token needs a server URL to connect to");
    const Url ws = parse_url(default_ws_url);
    if (ws.scheme != "ws" && ws.scheme != "wss")
      throw std::invalid_argument("the server URL for a token must be ws:// or wss://");
    return {std::string(trim(default_ws_url)), std::string(input)};
  }

  const Url url = parse_url(input);
  std::string path = url.target.substr(0, url.target.find('?'));
  const std::string query =
      url.target.find('?') == std::string::npos ? std::string{} : url.target.substr(url.target.find('?') + 1);

  std::string token;
  if (!url.fragment.empty()) {
    std::string_view fragment = url.fragment;
    if (fragment.rfind("token=", 0) == 0) fragment.remove_prefix(6);
    token = url_decode(fragment);
  } else if (auto from_query = query_param(query, "token")) {
    token = *from_query;
  }
  if (token.empty()) throw std::invalid_argument("the link carries no join token");

  std::string scheme;
  if (url.scheme == "http" || url.scheme == "ws") scheme = "ws";
  else scheme = "wss";

  if (url.scheme == "http" || url.scheme == "https") {
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    if (path.size() >= 5 && path.compare(path.size() - 5, 5, "/join") == 0) path.resize(path.size() - 5);
    if (path == "/") path.clear();
    path += "/ws";
  }
  Url ws = url;
  ws.scheme = scheme;
  return {scheme + "://" + ws.host_header() + path, token};
}

}  // namespace balint::sdk
