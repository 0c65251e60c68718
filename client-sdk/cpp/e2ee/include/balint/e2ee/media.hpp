// Media frames: sealed under the sender's media key, with no signature (one
// per frame would cost too much). The counter is shared by all the sender's
// tracks and makes the nonce, so a nonce never repeats under one key. A
// small clear header (epoch, counter, flags) is what the server may read:
// it drops a camera's upper temporal layers first and waits for key frames.
#pragma once

#include "balint/e2ee/error.hpp"
#include "balint/e2ee/secret.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace balint::e2ee {

// The tracks a sender has (MediaTrack in the protocol).
inline constexpr std::uint32_t kMicrophoneTrack = 0;
inline constexpr std::uint32_t kCameraTrack = 1;

// What the flags byte says of a camera frame; a microphone frame has none.
struct FrameFlags {
  bool key_frame = false;           // Decodable on its own.
  std::uint8_t temporal_layer = 0;  // 0 (the base) to 2; a key frame is in the base.
  bool operator==(const FrameFlags&) const = default;
};

// bit 0: key frame; bits 1-2: temporal layer; bits 3-7: zero.
std::uint8_t flags_byte(FrameFlags flags);
// The flags of a frame on `track`; nullopt where the byte is not one that a
// sender on that track may write (reserved bits, layer 3, a key frame above
// the base, any flag on the microphone, an unknown track).
std::optional<FrameFlags> read_flags(std::uint8_t byte, std::uint32_t track);

struct MediaContext {
  std::string_view session_id;
  std::uint64_t epoch = 0;
  std::string_view sender_id;
  std::uint32_t track = 0;
  std::uint64_t counter = 0;
  FrameFlags flags{};
};

// label("balint-room/v1/media") || str(session_id) || u64(epoch)
// || str(sender_id) || u64(track) || u64(counter) || u8(flags)
std::string media_ad(const MediaContext& context);

// u64(counter) || 16 zero bytes
std::string media_nonce(std::uint64_t counter);

// u64(epoch) || u64(counter) || u8(flags)
// || XChaCha20-Poly1305(frame, media_ad, nonce, media_key)
std::string seal_media_frame(std::string_view frame, const MediaContext& context, const Key& media_key);

// The clear header of a payload on `track`; nullopt if it is shorter than
// header and tag, or its flags are not valid for the track.
struct MediaHeader {
  std::uint64_t epoch = 0;
  std::uint64_t counter = 0;
  FrameFlags flags{};
};
std::optional<MediaHeader> read_media_header(std::string_view payload, std::uint32_t track);

// One sender's frames in one epoch, each opened at most once, in rising
// counter order per track (a late frame is dropped like a replay: it is
// live media). Tracks are counted apart because a receiver's queue lets the
// microphone overtake the camera.
class MediaReceiver {
 public:
  explicit MediaReceiver(Key media_key);

  // malformed, stale_epoch (older than `epoch`), no_key (newer), replay,
  // tampered; or the frame. Nothing changes on a failure.
  Result<std::string> open(std::string_view payload, std::string_view session_id, std::uint64_t epoch,
                           std::string_view sender_id, std::uint32_t track);

  std::optional<std::uint64_t> last_counter(std::uint32_t track) const;

 private:
  Key key_;
  std::array<std::optional<std::uint64_t>, 2> last_;  // Per track.
};

}  // namespace balint::e2ee
