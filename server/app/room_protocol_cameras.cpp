// The room's camera frames: who receives each one, and the key frames asked
// of senders. The rule of who may send video is the engine's
// (Session::may_send_video); what a receiver can decode is CameraFeeds'.
#include "app/room_protocol.hpp"
#include "app/server_frame.hpp"

namespace balint::app {
namespace v1 = core::v1;

namespace {

const net::ws::SharedFrame& key_frame_request() {
  static const net::ws::SharedFrame request = [] {
    v1::ServerMessage message;
    message.mutable_request_key_frame();
    return serialize(message);
  }();
  return request;
}

// Asking for a key frame shows no change: it is not held.
effect::Send key_frame_request_to(LinkId sender) {
  return effect::Send{sender, key_frame_request(), net::Priority::state, std::nullopt};
}

}  // namespace

void RoomProtocol::relay_camera(LinkId id, Link& sender, const net::ws::SharedFrame& bytes, CameraFlags flags, Now now,
                                Effects& out) {
  const std::string& sender_id = sender.participant_id;
  if (sender.camera_held) {  // Receivers missed what was held back: they need a key frame.
    sender.camera_held = false;
    for (auto& [receiver_id, receiver] : links_) receiver.cameras.lose(sender_id);
  }
  if (flags.key_frame) sender.key_frames.key_frame_came();
  bool key_frame_needed = false;  // Asked again in camera_dropped() if a receiver's queue drops it.
  for (auto& [receiver_id, receiver] : links_) {
    if (receiver_id == id || !receiver.current || receiver.video_paused) continue;
    switch (receiver.cameras.verdict(sender_id, flags)) {
      case CameraFeeds::Verdict::send:
        // Counted as taken; camera_dropped() says otherwise.
        key_frame_needed |= receiver.cameras.handed(sender_id, flags, /*queued=*/true);
        out.push_back(effect::Send{receiver_id, bytes, camera_priority(flags), effect::CameraFrame{sender_id, flags}});
        break;
      case CameraFeeds::Verdict::skip:
        break;
      case CameraFeeds::Verdict::wait_for_key_frame:
        key_frame_needed = true;
        break;
    }
  }
  if (key_frame_needed) ask_key_frame(id, sender, now, out);
}

// A frame taken and then dropped leaves the receiver where a frame dropped
// outright would (see CameraFeeds::handed): taking one changes only what a
// base frame mends, which the drop of a base frame undoes.
void RoomProtocol::camera_dropped(LinkId receiver_id, const effect::CameraFrame& camera, Now now, Effects& out) {
  const auto receiver = links_.find(receiver_id);
  if (receiver == links_.end()) return;
  if (!receiver->second.cameras.handed(camera.sender, camera.flags, /*queued=*/false)) return;
  const auto sender = current_.find(camera.sender);
  if (sender != current_.end()) ask_key_frame(sender->second, links_.at(sender->second), now, out);
}

// Not answered: a client asks again if it still needs one. A sender that is
// not here (or the asker itself) is ignored.
void RoomProtocol::request_key_frame(LinkId id, Link& from, const v1::RequestKeyFrame& request, Now now, Effects& out) {
  const auto sender = current_.find(request.sender_id());
  if (sender == current_.end() || sender->second == id) return;
  from.cameras.lose(request.sender_id());
  ask_key_frame(sender->second, links_.at(sender->second), now, out);
}

void RoomProtocol::set_video_reception(LinkId id, Link& link, std::uint64_t request_id,
                                       const v1::VideoReception& reception, Effects& out) {
  link.video_paused = reception.paused();
  // Paused, the video still waiting would only hold up the audio behind a weak link.
  if (link.video_paused) out.push_back(effect::DropWaitingVideo{id});
  link.cameras.lose_all();  // Resumed, every camera starts again from a key frame.
  reply(id, request_id, v1::ERROR_CODE_OK, {}, out);
}

// Now, or at the throttle's due time (see wake_at()).
void RoomProtocol::ask_key_frame(LinkId id, Link& sender, Now now, Effects& out) {
  if (sender.key_frames.ask(now.steady)) out.push_back(key_frame_request_to(id));
}

void RoomProtocol::ask_due_key_frames(Now now, Effects& out) {
  for (auto& [id, link] : links_)
    if (link.current && link.key_frames.take_due(now.steady)) out.push_back(key_frame_request_to(id));
}

}  // namespace balint::app
