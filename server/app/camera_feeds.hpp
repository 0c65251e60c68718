// What the server does with camera frames beyond the rule of who may send
// video: it reads their clear header (client-sdk/E2EE.md, "Media frames"),
// keeps for each receiver whether it can decode what comes next of each
// camera, so that frames it could not decode are not sent to it, and knows
// when a sender must be asked for a key frame. Pure: no connections, no clock.
#pragma once

#include "balint/e2ee/media.hpp"
#include "net/send_queue.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace balint::app {

using CameraFlags = e2ee::FrameFlags;

// The flags of a camera payload's clear header; nullopt when it is malformed.
std::optional<CameraFlags> read_camera_flags(std::string_view payload);

// The queue priority of a camera frame: the upper temporal layers go first
// when a receiver falls behind.
net::Priority camera_priority(CameraFlags flags);

// One receiver's cameras, by sender. In VP9's L1T3 a frame of layer 1
// refers to the last of layer 0, one of layer 2 to the last of layer 0 or 1,
// and one of layer 0 to the last of layer 0 (VP8 sends layer 0 only). So
// losing a frame of layer 2 costs nothing more, one of layer 1 the layer 2
// frames until the next of layer 0, and one of layer 0 everything until a
// key frame.
class CameraFeeds {
 public:
  enum class Verdict {
    send,
    skip,                // An upper layer that refers to a lost frame; the next base frame mends it.
    wait_for_key_frame,  // Not decodable until a key frame: ask the sender for one.
  };

  // What to do with this frame of `sender` for this receiver.
  Verdict verdict(const std::string& sender, CameraFlags frame) const;
  // The frame was given to the receiver's queue, which took it (`queued`)
  // or dropped it. True when the receiver now waits for a key frame.
  bool handed(const std::string& sender, CameraFlags frame, bool queued);
  // The receiver cannot decode `sender` any more (it said so, or the frames
  // were held back, or the sender's connection is new): until a key frame.
  void lose(const std::string& sender) { decodes_.erase(sender); }
  // Every camera, until its next key frame (video paused or resumed).
  void lose_all() { decodes_.clear(); }

 private:
  // What the receiver can decode of a camera; a camera not listed waits for
  // a key frame.
  enum class Decodes { everything, base_layer };
  std::unordered_map<std::string, Decodes> decodes_;
};

}  // namespace balint::app
