// A small logger with a level and a swappable sink. Log lines name sessions
// and participants by id only: never a token, a display name, chat, media or
// anything a member said.
#pragma once

#include <functional>
#include <sstream>
#include <string>
#include <string_view>

namespace balint::app {

enum class LogLevel { error = 0, warn = 1, info = 2, debug = 3 };

// Parses "error", "warn", "info", "debug"; false if none of them.
bool parse_log_level(std::string_view text, LogLevel& level);

using LogSink = std::function<void(LogLevel, std::string_view line)>;

void set_log_level(LogLevel level);
void set_log_sink(LogSink sink);  // Default: one line to stderr.
bool log_enabled(LogLevel level);
void log_line(LogLevel level, std::string_view line);

// log(LogLevel::info, "session created id=", id) joins its arguments.
template <class... Parts>
void log(LogLevel level, const Parts&... parts) {
  if (!log_enabled(level)) return;
  std::ostringstream line;
  (line << ... << parts);
  log_line(level, line.str());
}

}  // namespace balint::app
