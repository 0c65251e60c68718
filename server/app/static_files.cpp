#include "app/static_files.hpp"

#include "app/log.hpp"

#include <sodium.h>

#include <array>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace balint::app {
namespace http = net::http;
namespace fs = std::filesystem;

namespace {

constexpr std::string_view no_cache = "no-cache";
// Vite puts a hash of each file's contents in its name under /assets/, so a
// name there never changes meaning and browsers may keep it for a year.
constexpr std::string_view immutable = "public, max-age=31536000, immutable";
constexpr std::string_view content_security_policy =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' ws: wss:; "
    "img-src 'self' data: blob:; media-src 'self' blob:; worker-src 'self' blob:; style-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

// Names made only of these need no percent-encoding in a URL. Since request
// paths are matched as they come, without decoding, a file with any other
// character in its name could not be asked for; it is skipped at load.
bool plain_name(std::string_view relative) {
  for (const unsigned char c : relative)
    if (!std::isalnum(c) && std::string_view("-._~/@+=,").find(static_cast<char>(c)) == std::string_view::npos)
      return false;
  return true;
}

// Dotfiles (.DS_Store, .env, Vite's .vite/ manifest folder) are not part of
// what a browser needs, and may be what an operator did not mean to publish.
bool hidden(const fs::path& relative) {
  for (const auto& part : relative)
    if (part.native().starts_with('.')) return true;
  return false;
}

bool inside(const fs::path& folder, const fs::path& path) {
  const auto relative = path.lexically_relative(folder);
  return !relative.empty() && *relative.begin() != "..";
}

std::string read_all(const fs::path& path, std::size_t size) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes(size, '\0');
  if (!in.read(bytes.data(), static_cast<std::streamsize>(size)) || in.peek() != std::ifstream::traits_type::eof())
    throw std::runtime_error("web_root: cannot read " + path.string() + " (did it change while loading?)");
  return bytes;
}

std::string strong_etag(std::string_view bytes) {
  std::array<unsigned char, 16> hash{};
  crypto_generichash(hash.data(), hash.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                     nullptr, 0);
  std::array<char, hash.size() * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), hash.data(), hash.size());
  return "\"" + std::string(hex.data()) + "\"";
}

// Paths that try to climb out or smuggle a separator. Nothing is decoded, so
// none of them could match a file anyway; they are refused so that a probe
// gets a plain 400 rather than something that looks like a missing file.
bool suspicious(std::string_view path) {
  if (path.find("..") != std::string_view::npos || path.find('\\') != std::string_view::npos ||
      path.find('\0') != std::string_view::npos)
    return true;
  for (auto percent = path.find('%'); percent != std::string_view::npos; percent = path.find('%', percent + 1)) {
    std::string code(path.substr(percent + 1, 2));
    for (auto& c : code) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (code == "2e" || code == "2f" || code == "5c" || code == "00") return true;
  }
  return false;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// If-None-Match holds "*" or a list of tags, compared weakly (RFC 9110
// 13.1.2), so a W/ prefix a proxy may have added still matches.
bool etag_matches(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    const auto comma = header.find(',');
    auto tag = trim(header.substr(0, comma));
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == "*" || tag == etag) return true;
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return false;
}

net::Response with_security_headers(net::Response response) {
  response.set("X-Content-Type-Options", "nosniff");
  response.set("Referrer-Policy", "no-referrer");
  response.set("X-Frame-Options", "DENY");
  response.set("Content-Security-Policy", content_security_policy);
  return response;
}

}  // namespace

std::string_view content_type_for(std::string_view file_name) {
  const auto dot = file_name.rfind('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  std::string extension(file_name.substr(dot + 1));
  for (auto& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const std::unordered_map<std::string, std::string_view> types{
      {"html", "text/html; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"json", "application/json"},
      {"map", "application/json"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"ico", "image/x-icon"},
      {"webp", "image/webp"},
      {"woff2", "font/woff2"},
      {"wasm", "application/wasm"},  // WebAssembly.instantiateStreaming insists on it.
      {"txt", "text/plain; charset=utf-8"},
  };
  const auto found = types.find(extension);
  return found == types.end() ? "application/octet-stream" : found->second;
}

StaticFiles::StaticFiles(const std::string& root) {
  std::error_code ec;
  const fs::path folder = fs::canonical(root, ec);
  if (ec || !fs::is_directory(folder, ec))
    throw std::runtime_error("web_root " + root + " is not a folder" + (ec ? ": " + ec.message() : ""));
  root_ = folder.string();
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");

  // Symlinked folders are listed but not entered (the iterator's default).
  fs::recursive_directory_iterator it(folder, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const fs::path relative = it->path().lexically_relative(folder);
    if (hidden(relative)) {
      it.disable_recursion_pending();
      continue;
    }
    // A link is served only if what it points to is in the folder, and
    // would have been served under its own name.
    fs::path source = it->path();
    if (it->is_symlink()) {
      source = fs::canonical(source, ec);
      if (ec || !inside(folder, source) || hidden(source.lexically_relative(folder))) {
        log(LogLevel::warn, "web_root: not serving ", relative.generic_string(),
            ": a link that leads out of the folder, to a dotfile or to nothing");
        ec.clear();
        continue;
      }
    }
    if (!fs::is_regular_file(source, ec)) {
      if (ec) break;
      continue;  // A folder (entered by the iterator), a socket, a device.
    }
    const std::string url_path = "/" + relative.generic_string();
    if (!plain_name(url_path)) {
      log(LogLevel::warn, "web_root: not serving ", relative.generic_string(), ": its name needs URL encoding");
      continue;
    }
    const auto size = fs::file_size(source, ec);
    if (ec) break;
    if (size > max_total_bytes - total_bytes_)
      throw std::runtime_error("web_root " + root_ + " holds more than " + std::to_string(max_total_bytes >> 20) +
                               " MiB; it should hold only the web client's build");
    File file;
    file.bytes = read_all(source, size);
    file.content_type = content_type_for(url_path);
    file.etag = strong_etag(file.bytes);
    file.cache_control = url_path.starts_with("/assets/") ? immutable : no_cache;
    total_bytes_ += size;
    files_.emplace(url_path, std::move(file));
  }
  if (ec) throw std::runtime_error("web_root " + root_ + " cannot be read: " + ec.message());
  if (!files_.contains("/index.html"))
    throw std::runtime_error("web_root " + root_ + " has no index.html; point it at the web client's build folder");
}

net::Response StaticFiles::answer(const net::Request& request) const {
  const unsigned version = request.version();
  const bool keep_alive = request.keep_alive();
  const bool head = request.method() == http::verb::head;
  if (!head && request.method() != http::verb::get) {
    auto refusal = net::json_error(http::status::method_not_allowed, "method_not_allowed",
                                   "files are served to GET and HEAD only", version, keep_alive);
    refusal.set(http::field::allow, "GET, HEAD");
    return with_security_headers(std::move(refusal));
  }

  const std::string_view target = request.target();
  const std::string_view path = target.substr(0, target.find('?'));
  if (suspicious(path))
    return with_security_headers(net::json_error(
        http::status::bad_request, "bad_path",
        "a path may not hold \"..\", backslashes, NUL or encoded dots and slashes", version, keep_alive));
  // The web app's two entry points; the join token rides in the fragment,
  // which browsers never send.
  const auto found = files_.find(path == "/" || path == "/join" ? std::string("/index.html") : std::string(path));
  if (found == files_.end())
    return with_security_headers(
        net::json_error(http::status::not_found, "not_found", "nothing at " + std::string(path), version, keep_alive));

  const File& file = found->second;
  const bool unchanged = etag_matches(request[http::field::if_none_match], file.etag);
  net::Response response{unchanged ? http::status::not_modified : http::status::ok, version};
  response.set(http::field::server, "balint-room");
  response.set(http::field::etag, file.etag);
  response.set(http::field::cache_control, file.cache_control);
  response.keep_alive(keep_alive);
  if (!unchanged) {
    response.set(http::field::content_type, file.content_type);
    // A HEAD answer tells the length of the body it leaves out. The body is
    // copied per request: net::Response owns its string, and the files are
    // small next to what a WebSocket session moves.
    if (head)
      response.content_length(file.bytes.size());
    else {
      response.body() = file.bytes;
      response.prepare_payload();
    }
  }
  return with_security_headers(std::move(response));
}

}  // namespace balint::app
