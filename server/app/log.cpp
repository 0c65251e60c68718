#include "app/log.hpp"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace balint::app {
namespace {

std::atomic<int> current_level{static_cast<int>(LogLevel::info)};
std::mutex sink_mutex;
LogSink current_sink;

const char* level_name(LogLevel level) {
  switch (level) {
    case LogLevel::error: return "error";
    case LogLevel::warn: return "warn";
    case LogLevel::info: return "info";
    case LogLevel::debug: return "debug";
  }
  return "?";
}

void stderr_sink(LogLevel level, std::string_view line) {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &utc);
  std::fprintf(stderr, "%s %-5s %.*s\n", stamp, level_name(level), static_cast<int>(line.size()), line.data());
}

}  // namespace

bool parse_log_level(std::string_view text, LogLevel& level) {
  for (auto candidate : {LogLevel::error, LogLevel::warn, LogLevel::info, LogLevel::debug})
    if (text == level_name(candidate)) {
      level = candidate;
      return true;
    }
  return false;
}

void set_log_level(LogLevel level) { current_level = static_cast<int>(level); }

void set_log_sink(LogSink sink) {
  std::lock_guard lock(sink_mutex);
  current_sink = std::move(sink);
}

bool log_enabled(LogLevel level) { return static_cast<int>(level) <= current_level.load(); }

void log_line(LogLevel level, std::string_view line) {
  std::lock_guard lock(sink_mutex);
  if (current_sink)
    current_sink(level, line);
  else
    stderr_sink(level, line);
}

}  // namespace balint::app
