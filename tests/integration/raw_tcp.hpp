// A bare TCP connection to the server for tests that send what is not
// HTTP, HTTP that is too big, or HTTP one byte at a time, and then read
// whatever comes back. Plain POSIX sockets with poll(): every wait is
// bounded and nothing here tries to be polite.
#pragma once

#include "harness.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace balint::test {

// One HTTP response as it came off the wire.
struct HttpAnswer {
  int status = 0;
  std::string content_type;
  std::string retry_after;  // The Retry-After header, if any.
  std::string body;
};

// What a byte-by-byte send ran into.
struct TrickleOutcome {
  std::size_t bytes_sent = 0;
  bool server_hung_up = false;  // EOF or reset seen while sending.
  std::string answer;           // Anything the server said before it hung up.
};

class RawTcp {
 public:
  // Connects to 127.0.0.1:<port>; from `source` (another loopback
  // address, say 127.0.0.2) when given.
  explicit RawTcp(std::uint16_t port, const char* source = nullptr);
  ~RawTcp();
  RawTcp(const RawTcp&) = delete;
  RawTcp& operator=(const RawTcp&) = delete;

  bool connected() const { return fd_ >= 0; }

  // Writes all of `bytes`; false if the server hung up or the wait ran out.
  bool write(std::string_view bytes, std::chrono::milliseconds timeout = kWait);
  // Writes `bytes` from another thread while the caller reads: for requests
  // the server may answer (and hang up on) before they are all sent.
  void write_in_background(std::string bytes);

  // Sends `bytes` one at a time, `gap` apart, until they are all sent, the
  // server hangs up, or `limit` has passed.
  TrickleOutcome trickle(std::string_view bytes, std::chrono::milliseconds gap, std::chrono::milliseconds limit);

  // Reads one HTTP response (head and body); empty if none came whole.
  std::optional<HttpAnswer> read_response(std::chrono::milliseconds timeout = kWait);
  // Reads and drops until the server hangs up; false if it did not.
  bool wait_closed(std::chrono::milliseconds timeout = kWait);

 private:
  // Appends what arrives within `timeout` to `received_`: >0 bytes read,
  // 0 the server hung up, -1 nothing came.
  long receive(std::chrono::milliseconds timeout);
  int fd_ = -1;
  std::string received_;
  std::thread writer_;
};

// The body of a JSON error answer, {"error":{"code":...,"message":...}}:
// code and message, or empty when the body is not of that shape.
struct JsonError {
  std::string code;
  std::string message;
};
std::optional<JsonError> json_error_of(const std::string& body);

}  // namespace balint::test
