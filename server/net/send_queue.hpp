// The frames a connection has yet to write, in the order they are to go and
// within the bounds that keep one slow reader from growing the server: what
// each kind of frame may take of the queue, which kinds overtake which, and
// what a write has taken off the front. Pure: no socket, no clock; the
// connection around it does the writing (ws_connection.cpp).
#pragma once

#include "net/ws_frames.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace balint::net {

// What a frame is, in the order in which a queue whose reader falls behind
// gives frames up: the upper temporal layers of video past a quarter of the
// bound, all video past half of it, audio past the bound; state never (past
// twice the bound the reader is too slow to keep). Queued frames leave in
// the reverse order, state before audio before video, each kind in the
// order it came.
enum class Priority { video_upper_layer, video, audio, state };

class SendQueue {
 public:
  explicit SendQueue(std::size_t bound) : bound_(bound) {}

  enum class Added {
    queued,
    dropped,   // Media past its part of the bound: not queued, counted.
    overflow,  // State past twice the bound: not queued; the reader is too slow.
  };

  // Queues a frame ahead of the frames of a lower priority that no write
  // has touched yet.
  Added add(ws::SharedFrame frame, Priority priority);
  // Queues a control frame (the upgrade's answer, a ping, a close) whatever
  // the bound: a connection queues a bounded number of these.
  void add_control(ws::SharedFrame frame);
  // Queues the answer to a ping. Past the bound a newer pong takes the place
  // of one not yet written (RFC 6455 section 5.5.3 allows answering only the
  // latest ping), so that a client who pings and never reads holds one.
  Added add_pong(ws::SharedFrame pong);

  // The frames, front first; the first `head_written()` bytes of the front
  // one are written already.
  std::size_t size() const { return frames_.size(); }
  bool empty() const { return frames_.empty(); }
  const std::string& frame(std::size_t index) const { return *frames_[index].frame; }
  std::size_t head_written() const { return head_written_; }
  // Bytes not yet written.
  std::size_t bytes() const { return bytes_; }
  std::uint64_t dropped_media() const { return dropped_media_; }

  // How many frames from the front the next write should take: as many as
  // fit in `max_bytes` (at least one, and at most `max_frames`). A write
  // takes little at a time so that what waits can still be put in order:
  // audio that comes while a write is out goes ahead of the video not taken.
  std::size_t frames_for_write(std::size_t max_bytes, std::size_t max_frames) const;

  // A write of the first `count` frames is out: they stay put until it ends.
  void write_started(std::size_t count) { in_flight_ = count; }
  std::size_t in_flight() const { return in_flight_; }
  // The write is over, having written `written` bytes (0 for none).
  void write_ended(std::size_t written);

  // Keeps only what a write has touched: the rest is given up (the reader
  // is too slow, or the connection is closing and nothing may follow).
  void cut_untouched();
  // Drops the media that no write has touched; state stays.
  void drop_waiting_media() { drop_waiting_below(Priority::state); }
  // Drops the video that no write has touched (the reader paused incoming
  // video: what waits would only hold up their audio); audio and state stay.
  void drop_waiting_video() { drop_waiting_below(Priority::audio); }
  // Keeps only the frames of the write that is out (the connection ended).
  void keep_in_flight();

 private:
  struct Queued {
    ws::SharedFrame frame;
    Priority priority;
  };
  static constexpr std::size_t kNoPong = SIZE_MAX;

  std::size_t room_for(Priority priority) const;
  std::size_t first_untouched() const;
  void drop_waiting_below(Priority lowest_kept);
  std::size_t insert(ws::SharedFrame frame, Priority priority);
  void recount();

  std::size_t bound_;
  std::vector<Queued> frames_;
  std::size_t head_written_ = 0;  // Of the first frame, already written.
  std::size_t in_flight_ = 0;     // Frames in the write that is out.
  std::size_t bytes_ = 0;
  std::size_t pong_at_ = kNoPong;  // Where the latest pong waits.
  std::uint64_t dropped_media_ = 0;
};

}  // namespace balint::net
