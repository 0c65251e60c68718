// The room's camera frames: who receives each one, and the key frames asked
// of senders. The rule of who may send video is the engine's
// (Session::may_send_video); what a receiver can decode is CameraFeeds'.
#include "app/room.hpp"
#include "app/server_frame.hpp"

namespace balint::app {
namespace v1 = core::v1;
using net::WsConnection;

void Room::relay_camera(Link& sender, const net::ws::SharedFrame& bytes, CameraFlags flags) {
  const std::string& id = sender.connection->participant_id;
  if (sender.camera_held) {  // Receivers missed what was held back: they need a key frame.
    sender.camera_held = false;
    for (auto& [participant, receiver] : links_) receiver.cameras.lose(id);
  }
  if (flags.key_frame) sender.key_frames.key_frame_came();
  bool key_frame_needed = false;  // Asked again below if a receiver's queue drops it.
  for (auto& [participant, receiver] : links_) {
    if (&receiver == &sender || receiver.video_paused) continue;
    switch (receiver.cameras.verdict(id, flags)) {
      case CameraFeeds::Verdict::send: {
        const bool queued = receiver.connection->send(bytes, camera_priority(flags));
        key_frame_needed |= receiver.cameras.handed(id, flags, queued);
        break;
      }
      case CameraFeeds::Verdict::skip:
        break;
      case CameraFeeds::Verdict::wait_for_key_frame:
        key_frame_needed = true;
        break;
    }
  }
  if (key_frame_needed) ask_key_frame(sender);
}

// Not answered: a client asks again if it still needs one. A sender that is
// not here (or the asker itself) is ignored.
void Room::request_key_frame(Link& from, const v1::RequestKeyFrame& request) {
  const auto sender = links_.find(request.sender_id());
  if (sender == links_.end() || &sender->second == &from) return;
  from.cameras.lose(request.sender_id());
  ask_key_frame(sender->second);
}

void Room::set_video_reception(Link& link, std::uint64_t request_id, const v1::VideoReception& reception) {
  link.video_paused = reception.paused();
  // Paused, the video still waiting would only hold up the audio behind a weak link.
  if (link.video_paused) link.connection->drop_waiting_video();
  link.cameras.lose_all();  // Resumed, every camera starts again from a key frame.
  reply(*link.connection, request_id, v1::ERROR_CODE_OK, {});
}

namespace {

const net::ws::SharedFrame& key_frame_request() {
  static const net::ws::SharedFrame request = [] {
    v1::ServerMessage message;
    message.mutable_request_key_frame();
    return serialize(message);
  }();
  return request;
}

}  // namespace

void Room::ask_key_frame(Link& sender) {
  if (sender.key_frames.ask(KeyFrameThrottle::Clock::now()))
    sender.connection->send(key_frame_request(), WsConnection::Priority::state);
  else
    wake_for_key_frame(*sender.key_frames.due());
}

void Room::wake_for_key_frame(KeyFrameThrottle::Clock::time_point due) {
  if (key_frame_timer_due_ && *key_frame_timer_due_ <= due) return;  // An earlier wake-up comes anyway.
  key_frame_timer_due_ = due;
  key_frame_timer_.expires_at(due);  // Cancels a later one.
  key_frame_timer_.async_wait([weak = weak_from_this()](net::error_code ec) {
    auto self = weak.lock();
    if (ec || !self) return;  // Re-armed earlier, or the room is gone.
    self->key_frame_timer_due_.reset();
    self->ask_due_key_frames();
  });
}

void Room::ask_due_key_frames() {
  const auto now = KeyFrameThrottle::Clock::now();
  for (auto& [participant, link] : links_) {
    if (link.key_frames.take_due(now))
      link.connection->send(key_frame_request(), WsConnection::Priority::state);
    else if (const auto due = link.key_frames.due())
      wake_for_key_frame(*due);
  }
}

}  // namespace balint::app
