// One WebSocket connection: binary messages in, a bounded FIFO of shared
// immutable frames out, everything queued written in one system call when
// the socket takes it, and pings when the line is quiet.
//
// Not thread-safe: every call happens on the connection's own worker thread
// (the one its socket runs on), where the session it belongs to also runs.
// No call made to it reports back from inside that call: on_closed always
// comes from a handler of its own, so an owner can send to every member
// without its member list changing under it.
#pragma once

#include "net/limits.hpp"
#include "net/net.hpp"
#include "net/send_queue.hpp"
#include "net/transport.hpp"
#include "net/ws_frames.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace balint::net {

class WsConnection;

// What the connection tells its owner.
class WsHandler {
 public:
  virtual ~WsHandler() = default;
  virtual void on_open(WsConnection& connection) = 0;  // Upgrade answered.
  virtual void on_message(WsConnection& connection, std::string_view bytes, bool binary) = 0;
  virtual void on_closed(WsConnection& connection) = 0;  // Once.
};

class WsConnection : public std::enable_shared_from_this<WsConnection> {
 public:
  using Priority = net::Priority;  // See send_queue.hpp.

  // A connection over `transport` (plain or TLS) that reports to `handler`.
  static std::shared_ptr<WsConnection> create(Transport transport, std::shared_ptr<WsHandler> handler, Limits limits);
  virtual ~WsConnection() = default;

  // Answers the upgrade that `request` asked for (checked before: see
  // http_session.cpp), then starts reading.
  virtual void accept(const Request& request) = 0;

  // Queues a frame, ahead of any queued frames of a lower priority that no
  // write has touched yet. False when it was not queued: a media frame past
  // its part of the queue bound is dropped (and counted), and a state frame
  // that would take the queue past twice the bound closes the connection.
  virtual bool send(ws::SharedFrame frame, Priority priority) = 0;

  // Sends what is queued, then `last_frame` (if any), then a close frame
  // with `reason`. Nothing queued after this is sent.
  virtual void close(ws::SharedFrame last_frame, ws::CloseReason reason) = 0;

  // Gives up the video waiting to be written (the reader paused it).
  virtual void drop_waiting_video() = 0;

  virtual bool is_open() const = 0;
  virtual std::uint64_t dropped_media() const = 0;
  virtual std::size_t queued_bytes() const = 0;
};

}  // namespace balint::net
