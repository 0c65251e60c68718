#include "app/camera_feeds.hpp"

namespace balint::app {

std::optional<CameraFlags> read_camera_flags(std::string_view payload) {
  const auto header = e2ee::read_media_header(payload, e2ee::kCameraTrack);
  if (!header) return std::nullopt;
  return header->flags;
}

net::Priority camera_priority(CameraFlags flags) {
  return flags.temporal_layer > 0 ? net::Priority::video_upper_layer : net::Priority::video;
}

CameraFeeds::Verdict CameraFeeds::verdict(const std::string& sender, CameraFlags frame) const {
  if (frame.key_frame) return Verdict::send;
  const auto feed = decodes_.find(sender);
  if (feed == decodes_.end()) return Verdict::wait_for_key_frame;
  if (feed->second == Decodes::base_layer && frame.temporal_layer > 0) return Verdict::skip;
  return Verdict::send;
}

bool CameraFeeds::handed(const std::string& sender, CameraFlags frame, bool queued) {
  if (queued) {
    // A key frame, or a base frame that the receiver could decode, mends
    // whatever the upper layers lost.
    if (frame.temporal_layer == 0) decodes_[sender] = Decodes::everything;
    return false;
  }
  const auto feed = decodes_.find(sender);
  if (feed == decodes_.end()) return true;  // It was waiting for this key frame.
  switch (frame.temporal_layer) {
    case 0:
      decodes_.erase(feed);
      return true;
    case 1:
      feed->second = Decodes::base_layer;
      return false;
    default:
      return false;  // Nothing refers to layer 2.
  }
}

}  // namespace balint::app
