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
}

TEST_CASE("a config file overrides the defaults it names", "[config]") {
  const auto path = write_temp(R"({"port": 9001, "default_max_members": 10, "log_level": "debug"})");
  const auto config = balint::app::load_config_file(path);
  CHECK(config.port == 9001);
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
  CHECK_THAT(message_for(R"({"colour": "blue"})"), Catch::Contains("\"colour\" is not a known setting"));
  CHECK_THAT(message_for(R"({"log_level": "loud"})"), Catch::Contains("log_level"));
  CHECK_THAT(message_for(R"({"admin_secret": "short"})"), Catch::Contains("admin_secret"));
  CHECK_THAT(message_for("[1,2]"), Catch::Contains("JSON object"));
}

TEST_CASE("a missing config file is reported by name", "[config]") {
  CHECK_THROWS_WITH(balint::app::load_config_file("/nonexistent/balint.json"),
                    Catch::Contains("/nonexistent/balint.json"));
}
