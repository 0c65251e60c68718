// The plain WebSocket connections of one io_context that have frames
// waiting. They are written together once the handlers that are ready now
// have run: a member sent two frames in one turn of the event loop gets them
// in one send, the loop pays one post a turn rather than one asynchronous
// write per frame, and with a SendRing every socket's send of the turn goes
// to the kernel in one system call.
//
// An Asio service: one per io_context, every call on its thread.
#pragma once

#include "net/net.hpp"
#include "net/send_ring.hpp"

#include <memory>
#include <string>
#include <vector>

namespace balint::net {

// A connection with bytes to write.
class Flushable : public SendTarget {
 public:
  // Writes what is queued: now, or handed to the ring.
  virtual void flush() = 0;
};

class FlushQueue final : public asio::execution_context::service {
 public:
  static inline asio::execution_context::id id;

  // With a SendRing unless `io_uring` is false or the kernel refuses one.
  explicit FlushQueue(asio::execution_context& context, bool io_uring = true);
  ~FlushQueue() override;

  // Flushes `connection` after the ready handlers have run.
  void add(std::shared_ptr<Flushable> connection);

  // The worker's ring, or null when the kernel gave none.
  SendRing* ring() { return ring_.get(); }
  // Why there is no ring; empty when there is one.
  const std::string& ring_problem() const { return ring_problem_; }

 private:
  void post_run();
  void run();
  void shutdown() override;

  asio::io_context& context_;
  std::unique_ptr<SendRing> ring_;
  std::string ring_problem_;
  std::vector<std::shared_ptr<Flushable>> waiting_;
  std::vector<std::shared_ptr<Flushable>> running_;
  bool posted_ = false;
};

}  // namespace balint::net
