#include "app/config.hpp"

#include "app/log.hpp"
#include "app/origins.hpp"

#include <boost/json.hpp>

#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace balint::app {
namespace json = boost::json;
namespace {

[[noreturn]] void bad(const std::string& path, std::string_view field, std::string_view problem) {
  throw std::runtime_error(path + ": \"" + std::string(field) + "\" " + std::string(problem));
}

std::string read_string(const std::string& path, std::string_view field, const json::value& value) {
  if (!value.is_string()) bad(path, field, "must be a string");
  return std::string(value.get_string());
}

bool read_bool(const std::string& path, std::string_view field, const json::value& value) {
  if (!value.is_bool()) bad(path, field, "must be true or false");
  return value.get_bool();
}

std::uint64_t read_unsigned(const std::string& path, std::string_view field, const json::value& value,
                            std::uint64_t max) {
  std::uint64_t number = 0;
  if (value.is_uint64())
    number = value.get_uint64();
  else if (value.is_int64() && value.get_int64() >= 0)
    number = static_cast<std::uint64_t>(value.get_int64());
  else
    bad(path, field, "must be a whole number, 0 or more");
  if (number > max) bad(path, field, "is too large (at most " + std::to_string(max) + ")");
  return number;
}

double read_rate(const std::string& path, std::string_view field, const json::value& value) {
  if (!value.is_number()) bad(path, field, "must be a number");
  const double rate = value.to_number<double>();
  if (!(rate > 0 && rate <= 100000)) bad(path, field, "must be above 0 and at most 100000");
  return rate;
}

std::vector<std::string> read_strings(const std::string& path, std::string_view field, const json::value& value) {
  if (!value.is_array()) bad(path, field, "must be an array of strings");
  std::vector<std::string> strings;
  for (const auto& entry : value.get_array()) strings.push_back(read_string(path, field, entry));
  return strings;
}

std::vector<auth::SigningKey> read_keys(const std::string& path, std::string_view field, const json::value& value) {
  if (!value.is_array()) bad(path, field, "must be an array of {\"id\", \"secret\"} objects");
  std::vector<auth::SigningKey> keys;
  for (const auto& entry : value.get_array()) {
    const auto* object = entry.if_object();
    const auto* id = object ? object->if_contains("id") : nullptr;
    const auto* secret = object ? object->if_contains("secret") : nullptr;
    if (!id || !id->is_string() || !secret || !secret->is_string())
      bad(path, field, "entries must be {\"id\": \"...\", \"secret\": \"...\"}");
    keys.push_back({std::string(id->get_string()), std::string(secret->get_string())});
  }
  return keys;
}

}  // namespace

net::Limits network_limits(const Config& config) {
  net::Limits limits;
  limits.max_message_bytes = config.max_message_bytes;
  limits.max_queue_bytes = config.max_queue_bytes;
  limits.commands = {config.commands_per_second, config.command_burst};
  limits.media = {config.media_frames_per_second, config.media_burst};
  limits.control = {config.control_frames_per_second, config.control_burst};
  limits.max_connections_per_ip = config.max_connections_per_ip;
  limits.max_connections = config.max_connections;
  limits.handshake_timeout = config.handshake_timeout;
  limits.idle_timeout = config.idle_timeout;
  limits.ping_interval = config.ping_interval;
  limits.ping_timeout = config.ping_timeout;
  limits.client_silence_timeout = config.client_silence_timeout;
  return limits;
}

Config load_config_file(const std::string& path, Config config) {
  std::ifstream file(path);
  if (!file) throw std::runtime_error(path + ": cannot open the config file");
  std::stringstream text;
  text << file.rdbuf();
  boost::system::error_code ec;
  const json::value root = json::parse(text.str(), ec);
  if (ec) throw std::runtime_error(path + ": not valid JSON: " + ec.message());
  if (!root.is_object()) throw std::runtime_error(path + ": must hold a JSON object");

  for (const auto& entry : root.as_object()) {
    // Not a structured binding: clang 14 will not let the lambdas below
    // capture one.
    const std::string field(entry.key());
    const json::value& value = entry.value();
    auto seconds = [&](std::uint64_t max) {
      return std::chrono::seconds(static_cast<std::int64_t>(read_unsigned(path, field, value, max)));
    };
    auto count = [&](std::uint64_t max) { return static_cast<std::uint32_t>(read_unsigned(path, field, value, max)); };
    if (field == "bind_address") config.bind_address = read_string(path, field, value);
    else if (field == "port") config.port = static_cast<std::uint16_t>(read_unsigned(path, field, value, 65535));
    else if (field == "threads") config.threads = count(256);
    else if (field == "io_uring") config.io_uring = read_bool(path, field, value);
    else if (field == "tls_certificate_file") config.tls_certificate_file = read_string(path, field, value);
    else if (field == "tls_private_key_file") config.tls_private_key_file = read_string(path, field, value);
    else if (field == "public_url") config.public_url = read_string(path, field, value);
    else if (field == "web_root") config.web_root = read_string(path, field, value);
    else if (field == "allowed_origins") config.allowed_origins = read_strings(path, field, value);
    else if (field == "admin_bind_address") config.admin_bind_address = read_string(path, field, value);
    else if (field == "admin_port") config.admin_port = static_cast<std::uint16_t>(read_unsigned(path, field, value, 65535));
    else if (field == "data_dir") config.data_dir = read_string(path, field, value);
    else if (field == "admin_secret") config.admin_secret = read_string(path, field, value);
    else if (field == "token_keys") config.token_keys = read_keys(path, field, value);
    else if (field == "token_lifetime_seconds") config.token_lifetime = seconds(366 * 24 * 3600);
    else if (field == "token_leeway_seconds") config.token_leeway = seconds(3600);
    else if (field == "max_message_bytes") config.max_message_bytes = read_unsigned(path, field, value, 16 << 20);
    else if (field == "commands_per_second") config.commands_per_second = read_rate(path, field, value);
    else if (field == "command_burst") config.command_burst = count(100000);
    else if (field == "media_frames_per_second") config.media_frames_per_second = read_rate(path, field, value);
    else if (field == "media_burst") config.media_burst = count(100000);
    else if (field == "control_frames_per_second") config.control_frames_per_second = read_rate(path, field, value);
    else if (field == "control_burst") config.control_burst = count(100000);
    else if (field == "max_connections_per_ip") config.max_connections_per_ip = count(1000000);
    else if (field == "max_connections") config.max_connections = count(10000000);
    else if (field == "max_sessions") config.max_sessions = count(1000000);
    else if (field == "default_max_members") config.default_max_members = count(100);
    else if (field == "max_queue_bytes") config.max_queue_bytes = read_unsigned(path, field, value, 256 << 20);
    else if (field == "handshake_timeout_seconds") config.handshake_timeout = seconds(600);
    else if (field == "idle_timeout_seconds") config.idle_timeout = seconds(3600);
    else if (field == "ping_interval_seconds") config.ping_interval = seconds(3600);
    else if (field == "ping_timeout_seconds") config.ping_timeout = seconds(3600);
    else if (field == "client_silence_timeout_seconds") config.client_silence_timeout = seconds(600);
    else if (field == "shutdown_grace_seconds") config.shutdown_grace = seconds(600);
    else if (field == "reconnect_grace_seconds") config.reconnect_grace = seconds(3600);
    else if (field == "log_level") config.log_level = read_string(path, field, value);
    else bad(path, field, "is not a known setting");
  }
  if (auto problem = validate(config); !problem.empty()) throw std::runtime_error(path + ": " + problem);
  return config;
}

std::string validate(const Config& config) {
  LogLevel level;
  if (!parse_log_level(config.log_level, level)) return "log_level must be error, warn, info or debug";
  if (config.bind_address.empty()) return "bind_address must not be empty";
  if (config.data_dir.empty()) return "data_dir must not be empty";
  if (config.tls_certificate_file.empty() != config.tls_private_key_file.empty())
    return "tls_certificate_file and tls_private_key_file go together: set both or neither";
  if (!config.admin_secret.empty() && config.admin_secret.size() < 32)
    return "admin_secret must be at least 32 characters";
  for (const auto& origin : config.allowed_origins)
    if (origin_of(origin).empty() || origin.find_first_of("/?#", origin.find("://") + 3) != std::string::npos)
      return "each of allowed_origins must be an origin such as \"https://balint.example.org\" (a scheme and a host, "
             "no path)";
  if (config.admin_port != 0 && config.admin_bind_address.empty())
    return "admin_port goes with admin_bind_address: set the address too";
  std::set<std::string> key_ids;
  for (const auto& key : config.token_keys) {
    if (key.id.empty() || key.id.size() > 64) return "each token key needs an id of 1-64 characters";
    if (!key_ids.insert(key.id).second) return "token key id \"" + key.id + "\" is used twice";
    if (key.secret.size() < 32) return "the secret of token key \"" + key.id + "\" must be at least 32 characters";
  }
  if (config.token_lifetime.count() < 60) return "token_lifetime_seconds must be at least 60";
  if (config.max_message_bytes < 1024) return "max_message_bytes must be at least 1024";
  if (config.max_queue_bytes < config.max_message_bytes) return "max_queue_bytes must be at least max_message_bytes";
  if (!(config.commands_per_second > 0) || !(config.media_frames_per_second > 0) ||
      !(config.control_frames_per_second > 0))
    return "commands_per_second, media_frames_per_second and control_frames_per_second must be above 0";
  if (config.command_burst < 1 || config.media_burst < 1 || config.control_burst < 1)
    return "command_burst, media_burst and control_burst must be at least 1";
  if (config.max_connections_per_ip < 1) return "max_connections_per_ip must be at least 1";
  if (config.max_connections < 1) return "max_connections must be at least 1";
  if (config.max_sessions < 1) return "max_sessions must be at least 1";
  if (config.default_max_members < 1 || config.default_max_members > 100)
    return "default_max_members must be between 1 and 100";
  if (config.handshake_timeout.count() < 1) return "handshake_timeout_seconds must be at least 1";
  if (config.idle_timeout.count() < 1) return "idle_timeout_seconds must be at least 1";
  if (config.ping_interval.count() < 1 || config.ping_timeout.count() < 1)
    return "ping_interval_seconds and ping_timeout_seconds must be at least 1";
  // A third of it between heartbeats must still be a whole second.
  if (config.client_silence_timeout.count() < 3)
    return "client_silence_timeout_seconds must be at least 3";
  if (config.reconnect_grace.count() < 0 || config.reconnect_grace.count() > 3600)
    return "reconnect_grace_seconds must be between 0 and 3600";
  return {};
}

}  // namespace balint::app
