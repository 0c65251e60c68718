#include "app/config.hpp"

#include "app/log.hpp"

#include <boost/json.hpp>

#include <fstream>
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

}  // namespace

Config load_config_file(const std::string& path, Config config) {
  std::ifstream file(path);
  if (!file) throw std::runtime_error(path + ": cannot open the config file");
  std::stringstream text;
  text << file.rdbuf();
  boost::system::error_code ec;
  const json::value root = json::parse(text.str(), ec);
  if (ec) throw std::runtime_error(path + ": not valid JSON: " + ec.message());
  if (!root.is_object()) throw std::runtime_error(path + ": must hold a JSON object");

  for (const auto& [key, value] : root.as_object()) {
    const std::string field(key);
    auto seconds = [&](std::uint64_t max) {
      return std::chrono::seconds(static_cast<std::int64_t>(read_unsigned(path, field, value, max)));
    };
    if (field == "bind_address") config.bind_address = read_string(path, field, value);
    else if (field == "port") config.port = static_cast<std::uint16_t>(read_unsigned(path, field, value, 65535));
    else if (field == "threads") config.threads = static_cast<unsigned>(read_unsigned(path, field, value, 256));
    else if (field == "data_dir") config.data_dir = read_string(path, field, value);
    else if (field == "admin_secret") config.admin_secret = read_string(path, field, value);
    else if (field == "token_secret") config.token_secret = read_string(path, field, value);
    else if (field == "public_url") config.public_url = read_string(path, field, value);
    else if (field == "web_root") config.web_root = read_string(path, field, value);
    else if (field == "token_lifetime_seconds") config.token_lifetime = seconds(366 * 24 * 3600);
    else if (field == "max_message_bytes") config.max_message_bytes = read_unsigned(path, field, value, 16 << 20);
    else if (field == "max_queue_bytes") config.max_queue_bytes = read_unsigned(path, field, value, 256 << 20);
    else if (field == "default_max_members")
      config.default_max_members = static_cast<std::uint32_t>(read_unsigned(path, field, value, 100));
    else if (field == "idle_timeout_seconds") config.idle_timeout = seconds(3600);
    else if (field == "handshake_timeout_seconds") config.handshake_timeout = seconds(600);
    else if (field == "shutdown_grace_seconds") config.shutdown_grace = seconds(600);
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
  if (config.max_message_bytes < 1024) return "max_message_bytes must be at least 1024";
  if (config.max_queue_bytes < config.max_message_bytes) return "max_queue_bytes must be at least max_message_bytes";
  if (config.default_max_members < 1 || config.default_max_members > 100)
    return "default_max_members must be between 1 and 100";
  if (config.idle_timeout.count() < 2) return "idle_timeout_seconds must be at least 2";
  if (config.handshake_timeout.count() < 1) return "handshake_timeout_seconds must be at least 1";
  if (config.token_lifetime.count() < 60) return "token_lifetime_seconds must be at least 60";
  if (!config.admin_secret.empty() && config.admin_secret.size() < 16)
    return "admin_secret must be at least 16 characters";
  if (!config.token_secret.empty() && config.token_secret.size() < 32)
    return "token_secret must be at least 32 characters";
  return {};
}

}  // namespace balint::app
