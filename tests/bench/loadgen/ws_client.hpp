// One WebSocket client connection for the load generator: a blocking
// connect and handshake (set-up is not measured), then a non-blocking
// socket that the generator's epoll loop drives (answering pings, as a
// server that pings expects). Frames out are masked, as
// RFC 6455 requires of clients; frames in are parsed in place.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace balint::bench {

// Calls `on_frame(opcode, payload)` for every whole unmasked frame at the
// start of `bytes` (a server's frames); returns how many bytes they took.
std::size_t for_each_frame(std::string_view bytes, const std::function<void(int, std::string_view)>& on_frame);

// The HTTP request that upgrades to a WebSocket at `target`.
std::string upgrade_request(const std::string& target);

class WsClient {
 public:
  // Connects to 127.0.0.1:port and upgrades at `target` (e.g.
  // "/ws?room=3"). Throws std::runtime_error with the reason.
  WsClient(std::uint16_t port, const std::string& target);
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  int fd() const { return fd_; }
  bool closed() const { return fd_ < 0; }

  // Queues one binary message and writes what the socket takes now.
  void send(std::string_view payload);
  // Writes what is queued; true while some is left (the loop then waits
  // for EPOLLOUT).
  bool flush();
  bool wants_write() const { return !out_.empty(); }
  // Reads what has arrived and calls `on_message` for every whole binary
  // message; false when the server closed the connection.
  bool read(const std::function<void(std::string_view)>& on_message);

 private:
  void close_socket();
  void send_frame(int opcode, std::string_view payload);

  int fd_ = -1;
  std::string in_;
  std::size_t in_start_ = 0;  // Where the unparsed bytes of in_ begin.
  std::string out_;
  std::uint32_t mask_state_;
};

}  // namespace balint::bench
