#include "app/config.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace {

std::string write_temp(const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() /
                    ("balint-config-" + std::to_string(std::rand()) + ".json");
  std::ofstream(path) << text;
  return path.string();
}

}  // namespace

TEST_CASE("the defaults are valid and match the documentation", "[config]") {
  const balint::app::Config config;
  CHECK(balint::app::validate(config).empty());
  CHECK(config.bind_address == "127.0.0.1");
  CHECK(config.port == 8080);
  CHECK(config.default_max_members == 12);
  CHECK(config.reconnect_grace.count() == 60);
}

TEST_CASE("a config file overrides the defaults it names", "[config]") {
  const auto path = write_temp(R"({"port": 9001, "default_max_members": 10, "log_level": "debug", "io_uring": false})");
  const auto config = balint::app::load_config_file(path);
  CHECK(config.port == 9001);
  CHECK_FALSE(config.io_uring);
  CHECK(config.default_max_members == 10);
  CHECK(config.log_level == "debug");
  CHECK(config.bind_address == "127.0.0.1");
  std::filesystem::remove(path);
}

TEST_CASE("a bad config file is refused with the field and the problem", "[config]") {
  auto message_for = [](const std::string& text) {
    const auto path = write_temp(text);
    std::string message;
    try {
      balint::app::load_config_file(path);
    } catch (const std::runtime_error& error) {
      message = error.what();
    }
    std::filesystem::remove(path);
    return message;
  };
  CHECK_THAT(message_for("{not json"), Catch::Contains("not valid JSON"));
  CHECK_THAT(message_for(R"({"port": "eighty"})"), Catch::Contains("\"port\" must be a whole number"));
  CHECK_THAT(message_for(R"({"port": 70000})"), Catch::Contains("\"port\" is too large"));
  CHECK_THAT(message_for(R"({"io_uring": "no"})"), Catch::Contains("\"io_uring\" must be true or false"));
  CHECK_THAT(message_for(R"({"colour": "blue"})"), Catch::Contains("\"colour\" is not a known setting"));
  CHECK_THAT(message_for(R"({"log_level": "loud"})"), Catch::Contains("log_level"));
  CHECK_THAT(message_for(R"({"admin_secret": "short"})"), Catch::Contains("admin_secret"));
  // 31 characters: the old minimum of 16 let these through.
  CHECK_THAT(message_for(R"({"admin_secret": "0123456789abcdef0123456789abcde"})"),
             Catch::Contains("admin_secret must be at least 32 characters"));
  CHECK(message_for(R"({"admin_secret": "0123456789abcdef0123456789abcdef"})").empty());
  CHECK_THAT(message_for(R"({"allowed_origins": "https://a.example"})"), Catch::Contains("\"allowed_origins\" must be an array"));
  CHECK_THAT(message_for(R"({"allowed_origins": ["https://a.example/page"]})"), Catch::Contains("allowed_origins must be an origin"));
  CHECK_THAT(message_for(R"({"allowed_origins": ["a.example"]})"), Catch::Contains("allowed_origins must be an origin"));
  CHECK_THAT(message_for(R"({"admin_port": 9000})"), Catch::Contains("admin_port goes with admin_bind_address"));
  CHECK_THAT(message_for(R"({"control_burst": 0})"), Catch::Contains("control_burst must be at least 1"));
  CHECK_THAT(message_for(R"({"max_connections": 0})"), Catch::Contains("max_connections must be at least 1"));
  CHECK_THAT(message_for("[1,2]"), Catch::Contains("JSON object"));
  CHECK_THAT(message_for(R"({"token_keys": "one"})"), Catch::Contains("\"token_keys\" must be an array"));
  CHECK_THAT(message_for(R"({"token_keys": [{"id": "a"}]})"), Catch::Contains("\"token_keys\" entries must be"));
  CHECK_THAT(message_for(R"({"token_keys": [{"id": "a", "secret": "short"}]})"),
             Catch::Contains("secret of token key \"a\" must be at least 32"));
  const std::string secret = "0123456789abcdef0123456789abcdef";
  CHECK_THAT(message_for(R"({"token_keys": [{"id": "a", "secret": ")" + secret + R"("}, {"id": "a", "secret": ")" +
                         secret + R"("}]})"),
             Catch::Contains("\"a\" is used twice"));
  CHECK_THAT(message_for(R"({"tls_certificate_file": "cert.pem"})"), Catch::Contains("set both or neither"));
  CHECK_THAT(message_for(R"({"commands_per_second": 0})"), Catch::Contains("\"commands_per_second\" must be above 0"));
  CHECK_THAT(message_for(R"({"ping_timeout_seconds": 0})"), Catch::Contains("ping_timeout_seconds"));
  CHECK_THAT(message_for(R"({"client_silence_timeout_seconds": 2})"),
             Catch::Contains("client_silence_timeout_seconds must be at least 3"));
  CHECK_THAT(message_for(R"({"reconnect_grace_seconds": 3601})"), Catch::Contains("\"reconnect_grace_seconds\" is too large"));
  CHECK_THAT(message_for(R"({"reconnect_grace_seconds": -1})"), Catch::Contains("\"reconnect_grace_seconds\" must be a whole number"));
}

TEST_CASE("the reconnect grace can be set from the file, 0 included", "[config]") {
  for (const int seconds : {0, 5, 3600}) {
    const auto path = write_temp(R"({"reconnect_grace_seconds": )" + std::to_string(seconds) + "}");
    const auto config = balint::app::load_config_file(path);
    std::filesystem::remove(path);
    CHECK(config.reconnect_grace.count() == seconds);
  }
}

TEST_CASE("every limit and the key list can be set from the file", "[config]") {
  const auto path = write_temp(R"({
    "token_keys": [{"id": "2026-11", "secret": "new-secret-new-secret-new-secret-1"},
                   {"id": "2026-10", "secret": "old-secret-old-secret-old-secret-2"}],
    "token_leeway_seconds": 5, "max_message_bytes": 4096, "commands_per_second": 5, "command_burst": 10,
    "media_frames_per_second": 50.5, "media_burst": 100, "max_connections_per_ip": 3, "max_sessions": 7,
    "default_max_members": 9, "max_queue_bytes": 8192, "handshake_timeout_seconds": 2, "idle_timeout_seconds": 3,
    "ping_interval_seconds": 4, "ping_timeout_seconds": 6, "client_silence_timeout_seconds": 8, "control_frames_per_second": 2.5, "control_burst": 7,
    "max_connections": 300, "allowed_origins": ["https://balint.example.org"], "admin_bind_address": "127.0.0.1",
    "admin_port": 9090})");
  const auto config = balint::app::load_config_file(path);
  std::filesystem::remove(path);
  REQUIRE(config.token_keys.size() == 2);
  CHECK(config.token_keys[0].id == "2026-11");
  CHECK(config.token_keys[1].secret == "old-secret-old-secret-old-secret-2");
  CHECK(config.token_leeway.count() == 5);
  const auto limits = balint::app::network_limits(config);
  CHECK(limits.max_message_bytes == 4096);
  CHECK(limits.commands.per_second == 5);
  CHECK(limits.commands.burst == 10);
  CHECK(limits.media.per_second == 50.5);
  CHECK(limits.media.burst == 100);
  CHECK(limits.max_connections_per_ip == 3);
  CHECK(config.max_sessions == 7);
  CHECK(config.default_max_members == 9);
  CHECK(limits.max_queue_bytes == 8192);
  CHECK(limits.handshake_timeout.count() == 2);
  CHECK(limits.idle_timeout.count() == 3);
  CHECK(limits.ping_interval.count() == 4);
  CHECK(limits.ping_timeout.count() == 6);
  CHECK(limits.client_silence_timeout.count() == 8);
  CHECK(limits.control.per_second == 2.5);
  CHECK(limits.control.burst == 7);
  CHECK(limits.max_connections == 300);
  CHECK(config.allowed_origins == std::vector<std::string>{"https://balint.example.org"});
  CHECK(config.admin_bind_address == "127.0.0.1");
  CHECK(config.admin_port == 9090);
}

TEST_CASE("a missing config file is reported by name", "[config]") {
  CHECK_THROWS_WITH(balint::app::load_config_file("/nonexistent/balint.json"),
                    Catch::Contains("/nonexistent/balint.json"));
}

TEST_CASE("the example config file lists the defaults", "[config]") {
  // Read over a config whose every checked field is off its default, so that
  // a field the example leaves out shows as a difference.
  balint::app::Config moved;
  moved.port = 1;
  moved.token_keys = {{"old", "old-secret-old-secret-old-secret-2"}};
  moved.token_leeway = std::chrono::seconds(1);
  moved.commands_per_second = 1;
  moved.command_burst = 1;
  moved.media_frames_per_second = 1;
  moved.media_burst = 1;
  moved.control_frames_per_second = 1;
  moved.control_burst = 1;
  moved.max_connections_per_ip = 1;
  moved.max_connections = 1;
  moved.allowed_origins = {"https://other.example"};
  moved.admin_bind_address = "127.0.0.9";
  moved.admin_port = 9;
  moved.max_sessions = 1;
  moved.max_queue_bytes = 1 << 20;
  moved.idle_timeout = std::chrono::seconds(1);
  moved.ping_interval = std::chrono::seconds(1);
  moved.ping_timeout = std::chrono::seconds(1);
  moved.handshake_timeout = std::chrono::seconds(1);
  moved.reconnect_grace = std::chrono::seconds(1);
  const auto example = balint::app::load_config_file(BALINT_SOURCE_DIR "/deploy/balint-room.example.json", moved);
  const balint::app::Config defaults;
  CHECK(example.port == defaults.port);
  CHECK(example.token_keys.empty());
  CHECK(example.token_leeway == defaults.token_leeway);
  CHECK(example.commands_per_second == defaults.commands_per_second);
  CHECK(example.command_burst == defaults.command_burst);
  CHECK(example.media_frames_per_second == defaults.media_frames_per_second);
  CHECK(example.media_burst == defaults.media_burst);
  CHECK(example.control_frames_per_second == defaults.control_frames_per_second);
  CHECK(example.control_burst == defaults.control_burst);
  CHECK(example.max_connections_per_ip == defaults.max_connections_per_ip);
  CHECK(example.max_connections == defaults.max_connections);
  CHECK(example.allowed_origins == defaults.allowed_origins);
  CHECK(example.admin_bind_address == defaults.admin_bind_address);
  CHECK(example.admin_port == defaults.admin_port);
  CHECK(example.max_sessions == defaults.max_sessions);
  CHECK(example.max_queue_bytes == defaults.max_queue_bytes);
  CHECK(example.idle_timeout == defaults.idle_timeout);
  CHECK(example.ping_interval == defaults.ping_interval);
  CHECK(example.ping_timeout == defaults.ping_timeout);
  CHECK(example.client_silence_timeout == defaults.client_silence_timeout);
  CHECK(example.handshake_timeout == defaults.handshake_timeout);
  CHECK(example.reconnect_grace == defaults.reconnect_grace);
}
