// One WebSocket connection: binary messages in, a bounded FIFO of shared
// immutable buffers out, one write in flight at a time, and pings when the
// line is quiet.
//
// Not thread-safe: every call happens on the connection's own worker thread
// (the one its socket runs on), where the session it belongs to also runs.
#pragma once

#include "net/limits.hpp"
#include "net/net.hpp"
#include "net/transport.hpp"

#include <cstdint>
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

  // A connection over `transport` (plain or TLS) that reports to `handler`.
  static std::shared_ptr<WsConnection> create(Transport transport, std::shared_ptr<WsHandler> handler, Limits limits);
  virtual ~WsConnection() = default;

  // Completes the upgrade that `request` asked for, then starts reading.
  virtual void accept(Request request) = 0;

  // Queues a message. A media message that does not fit under the queue
  // bound is dropped (and counted); a state message that would take the
  // queue past twice the bound closes the connection as a slow reader.
  virtual void send(SharedBuffer message, Priority priority) = 0;

  // Sends what is queued, then `last_message` (if any), then a close frame
  // with `reason`. Nothing queued after this is sent.
  virtual void close(SharedBuffer last_message, websocket::close_reason reason) = 0;

  virtual bool is_open() const = 0;
  virtual std::uint64_t dropped_media() const = 0;
  virtual std::size_t queued_bytes() const = 0;

  // Set by the owner: who this connection speaks for.
  std::string participant_id;
};

}  // namespace balint::net
