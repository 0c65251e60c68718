// Socket sends of a whole turn of the event loop in one system call: an
// io_uring of the worker's own, used for writing only. Each send is a
// sendmsg of up to kMaxPieces buffers; when the kernel can do it at once (a
// socket with room in its buffer) it is done by the time submit() returns,
// and its result is handed back then; otherwise later, from the io_context.
//
// One per worker (see flush_queue.hpp); every call on its thread.
#pragma once

#include "net/net.hpp"

#include <liburing.h>
#include <sys/uio.h>

#include <memory>
#include <span>
#include <string>
#include <vector>

namespace balint::net {

// What a send reports to when it is over.
class SendTarget {
 public:
  virtual ~SendTarget() = default;
  // The bytes written, or -errno.
  virtual void sent(int result) = 0;
};

class SendRing {
 public:
  static constexpr std::size_t kMaxPieces = 32;

  // A ring for `context`, or none when the kernel refuses io_uring (a
  // container's seccomp profile, a sysctl), with why in `problem`: then
  // sockets are written one system call each.
  static std::unique_ptr<SendRing> open(asio::io_context& context, std::string& problem);
  ~SendRing();
  SendRing(const SendRing&) = delete;
  SendRing& operator=(const SendRing&) = delete;

  // Queues a send of `pieces` (their bytes must stay put until `target`
  // hears how it went) on socket `fd`. Goes out with the next submit().
  // False when the ring takes no more even after a submit (the kernel
  // refused it); then nothing is queued.
  bool send(int fd, std::span<const iovec> pieces, std::shared_ptr<SendTarget> target);

  // Hands every queued send to the kernel, then reports those it finished.
  // False when some are still waiting (the kernel refused the submit for
  // now): submit again later.
  bool submit();

 private:
  struct Slot {
    msghdr message{};
    iovec pieces[kMaxPieces];
    std::shared_ptr<SendTarget> target;
  };

  explicit SendRing(asio::io_context& context);
  void reap();
  void watch_completions();

  io_uring ring_{};
  int completions_fd_ = -1;  // An eventfd the kernel signals for sends it finishes later.
  asio::posix::stream_descriptor completions_;
  std::vector<std::unique_ptr<Slot>> slots_;  // Every slot ever made; owned here.
  std::vector<Slot*> free_slots_;
  std::size_t in_flight_ = 0;
};

}  // namespace balint::net
