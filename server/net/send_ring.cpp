#include "net/send_ring.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace balint::net {
namespace {

// Sends queued between two submits: more is submitted early.
constexpr unsigned kRingEntries = 4096;

}  // namespace

std::unique_ptr<SendRing> SendRing::open(asio::io_context& context, std::string& problem) {
  std::unique_ptr<SendRing> ring(new SendRing(context));
  ring->ring_.ring_fd = -1;
  if (const int result = ::io_uring_queue_init(kRingEntries, &ring->ring_, 0); result < 0) {
    ring->ring_.ring_fd = -1;
    problem = std::string("the kernel refused io_uring: ") + std::strerror(-result);
    return nullptr;
  }
  ring->completions_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  const int registered = ring->completions_fd_ < 0 ? -errno
                                                    : ::io_uring_register_eventfd(&ring->ring_, ring->completions_fd_);
  if (registered < 0) {
    problem = std::string("io_uring without completion events: ") + std::strerror(-registered);
    if (ring->completions_fd_ >= 0) ::close(ring->completions_fd_);
    return nullptr;  // The destructor ends the ring.
  }
  ring->completions_.assign(ring->completions_fd_);
  ring->watch_completions();
  return ring;
}

SendRing::SendRing(asio::io_context& context) : completions_(context) {}

SendRing::~SendRing() {
  error_code ignored;
  completions_.close(ignored);  // Closes the eventfd too.
  if (ring_.ring_fd >= 0) ::io_uring_queue_exit(&ring_);
}

bool SendRing::send(int fd, std::span<const iovec> pieces, std::shared_ptr<SendTarget> target) {
  io_uring_sqe* entry = ::io_uring_get_sqe(&ring_);
  if (entry == nullptr) {  // The queue is full: send what is in it first.
    submit();
    entry = ::io_uring_get_sqe(&ring_);
    if (entry == nullptr) return false;
  }
  if (free_slots_.empty()) {
    slots_.push_back(std::make_unique<Slot>());
    free_slots_.push_back(slots_.back().get());
  }
  Slot* slot = free_slots_.back();
  free_slots_.pop_back();
  std::memcpy(slot->pieces, pieces.data(), pieces.size() * sizeof(iovec));
  slot->message = {};
  slot->message.msg_iov = slot->pieces;
  slot->message.msg_iovlen = pieces.size();
  slot->target = std::move(target);
  ::io_uring_prep_sendmsg(entry, fd, &slot->message, MSG_NOSIGNAL);
  ::io_uring_sqe_set_data(entry, slot);
  ++in_flight_;
  return true;
}

bool SendRing::submit() {
  if (::io_uring_sq_ready(&ring_) > 0) {
    // What the kernel finishes within the submit is reported right here:
    // no eventfd signal for it, no wake-up of the loop a turn later.
    ::io_uring_cq_eventfd_toggle(&ring_, false);
    int result;
    do result = ::io_uring_submit(&ring_);
    while (result == -EINTR);
    reap();
    ::io_uring_cq_eventfd_toggle(&ring_, true);
  }
  reap();  // Also what finished between the reap and the toggle.
  return ::io_uring_sq_ready(&ring_) == 0;
}

// Reports every finished send. A report may queue new sends: they wait for
// the next submit.
void SendRing::reap() {
  io_uring_cqe* completion;
  while (in_flight_ > 0 && ::io_uring_peek_cqe(&ring_, &completion) == 0) {
    auto* slot = static_cast<Slot*>(::io_uring_cqe_get_data(completion));
    const int result = completion->res;
    ::io_uring_cqe_seen(&ring_, completion);
    --in_flight_;
    auto target = std::move(slot->target);
    free_slots_.push_back(slot);
    target->sent(result);
  }
}

// Sends the kernel could not finish at once (a full socket buffer) end
// later: it signals the eventfd, and they are reported from here.
void SendRing::watch_completions() {
  completions_.async_wait(asio::posix::stream_descriptor::wait_read, [this](error_code ec) {
    if (ec) return;  // Closed: the ring is going away.
    std::uint64_t count;
    while (::read(completions_fd_, &count, sizeof count) > 0) {
    }
    reap();
    watch_completions();
  });
}

}  // namespace balint::net
