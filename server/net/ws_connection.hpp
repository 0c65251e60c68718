// One WebSocket connection: binary messages in, a bounded FIFO of shared
// immutable buffers out, one write in flight at a time.
//
// Not thread-safe: every call happens on the connection's own worker thread
// (the one its socket runs on), where the session it belongs to also runs.
#pragma once

#include "net/limits.hpp"
#include "net/net.hpp"

#include <cstdint>
#include <deque>
#include <memory>
#include <string>

namespace balint::net {

// A serialized message shared by every connection it is queued on.
using SharedBuffer = std::shared_ptr<const std::string>;

class WsConnection;

// What the connection tells its owner.
class WsHandler {
 public:
  virtual ~WsHandler() = default;
  virtual void on_open(WsConnection& connection) = 0;  // Upgrade done.
  virtual void on_message(WsConnection& connection, std::string_view bytes, bool binary) = 0;
  virtual void on_closed(WsConnection& connection) = 0;  // Once; also when the upgrade fails.
};

class WsConnection : public std::enable_shared_from_this<WsConnection> {
 public:
  // Media may be dropped when the reader is slow; state never is.
  enum class Priority { media, state };

  WsConnection(tcp::socket socket, std::shared_ptr<WsHandler> handler, Limits limits);

  // Completes the upgrade that `request` asked for, then starts reading.
  void accept(Request request);

  // Queues a message. A media message that does not fit under the queue
  // bound is dropped (and counted); a state message that would take the
  // queue past twice the bound closes the connection as a slow reader.
  void send(SharedBuffer message, Priority priority);

  // Sends what is queued, then `last_message` (if any), then a close frame
  // with `reason`. Nothing queued after this is sent.
  void close(SharedBuffer last_message, websocket::close_reason reason);

  bool is_open() const { return !closing_ && !closed_; }
  std::uint64_t dropped_media() const { return dropped_media_; }
  std::size_t queued_bytes() const { return queued_bytes_; }

  // Set by the owner: who this connection speaks for.
  std::string participant_id;

 private:
  struct Outgoing {
    SharedBuffer bytes;     // Null for the close marker.
    websocket::close_reason reason;
  };

  void read_next();
  void write_next();
  void finish(error_code ec);
  void slow_reader();

  websocket::stream<beast::tcp_stream> ws_;
  beast::flat_buffer read_buffer_;
  std::shared_ptr<WsHandler> handler_;
  Limits limits_;
  std::deque<Outgoing> queue_;
  std::size_t queued_bytes_ = 0;
  std::uint64_t dropped_media_ = 0;
  bool writing_ = false;
  bool closing_ = false;  // close() was called: nothing more is queued.
  bool closed_ = false;   // on_closed was delivered.
};

}  // namespace balint::net
