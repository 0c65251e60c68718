#include "net/send_queue.hpp"

#include <algorithm>

namespace balint::net {
namespace {

// Video of all layers leaves in the order it came: a base frame that
// overtook the layers above it would leave them nothing to refer to.
int rank(Priority priority) {
  return priority == Priority::video_upper_layer ? static_cast<int>(Priority::video) : static_cast<int>(priority);
}

}  // namespace

std::size_t SendQueue::room_for(Priority priority) const {
  switch (priority) {
    case Priority::video_upper_layer:
      return bound_ / 4;
    case Priority::video:
      return bound_ / 2;
    case Priority::audio:
      return bound_;
    case Priority::state:
      return 2 * bound_;
  }
  return 0;
}

SendQueue::Added SendQueue::add(ws::SharedFrame frame, Priority priority) {
  if (bytes_ + frame->size() <= room_for(priority)) {
    insert(std::move(frame), priority);
    return Added::queued;
  }
  if (priority == Priority::state) return Added::overflow;
  ++dropped_media_;
  return Added::dropped;
}

std::size_t SendQueue::frames_for_write(std::size_t max_bytes, std::size_t max_frames) const {
  std::size_t count = 0;
  std::size_t taken = 0;
  while (count < frames_.size() && count < max_frames) {
    const std::size_t size = frames_[count].frame->size() - (count == 0 ? head_written_ : 0);
    if (count > 0 && taken + size > max_bytes) break;
    taken += size;
    ++count;
  }
  return count;
}

void SendQueue::add_control(ws::SharedFrame frame) { insert(std::move(frame), Priority::state); }

SendQueue::Added SendQueue::add_pong(ws::SharedFrame pong) {
  if (bytes_ + pong->size() > bound_ && pong_at_ != kNoPong && pong_at_ >= first_untouched()) {
    bytes_ = bytes_ - frames_[pong_at_].frame->size() + pong->size();
    frames_[pong_at_].frame = std::move(pong);
    return Added::queued;
  }
  if (bytes_ + pong->size() > room_for(Priority::state)) return Added::overflow;
  pong_at_ = insert(std::move(pong), Priority::state);
  return Added::queued;
}

// The frames no write has touched are in falling rank, so a frame goes in
// after every one of its rank or above: a state frame never moves a queued
// state frame (the pong's place holds), nor the upgrade's answer.
std::size_t SendQueue::insert(ws::SharedFrame frame, Priority priority) {
  bytes_ += frame->size();
  std::size_t at = frames_.size();
  while (at > first_untouched() && rank(frames_[at - 1].priority) < rank(priority)) --at;
  frames_.insert(frames_.begin() + static_cast<std::ptrdiff_t>(at), Queued{std::move(frame), priority});
  return at;
}

std::size_t SendQueue::first_untouched() const {
  return std::max(in_flight_, head_written_ > 0 ? std::size_t{1} : std::size_t{0});
}

void SendQueue::write_ended(std::size_t written) {
  in_flight_ = 0;
  bytes_ -= written;
  std::size_t done = 0;
  written += head_written_;
  while (done < frames_.size() && written >= frames_[done].frame->size()) written -= frames_[done++].frame->size();
  head_written_ = written;
  frames_.erase(frames_.begin(), frames_.begin() + static_cast<std::ptrdiff_t>(done));
  pong_at_ = pong_at_ != kNoPong && pong_at_ >= done ? pong_at_ - done : kNoPong;
}

void SendQueue::cut_untouched() {
  frames_.resize(first_untouched());
  pong_at_ = kNoPong;
  recount();
}

void SendQueue::drop_waiting_below(Priority lowest_kept) {
  const auto waiting = frames_.begin() + static_cast<std::ptrdiff_t>(first_untouched());
  const auto kept = std::stable_partition(waiting, frames_.end(),
                                          [&](const Queued& q) { return rank(q.priority) >= rank(lowest_kept); });
  dropped_media_ += static_cast<std::uint64_t>(frames_.end() - kept);
  frames_.erase(kept, frames_.end());
  recount();
}

void SendQueue::keep_in_flight() {
  frames_.resize(std::min(in_flight_, frames_.size()));
  pong_at_ = kNoPong;
  bytes_ = 0;
}

void SendQueue::recount() {
  bytes_ = 0;
  for (const auto& queued : frames_) bytes_ += queued.frame->size();
  bytes_ -= std::min(bytes_, head_written_);
}

}  // namespace balint::net
