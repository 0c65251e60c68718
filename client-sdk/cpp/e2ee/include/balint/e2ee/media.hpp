// Media frames: sealed under the sender's media key, with no signature (one
// per frame would cost too much). The counter is shared by all the sender's
// tracks and makes the nonce, so a nonce never repeats under one key.
#pragma once

#include "balint/e2ee/error.hpp"
#include "balint/e2ee/secret.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace balint::e2ee {

struct MediaContext {
  std::string_view session_id;
  std::uint64_t epoch = 0;
  std::string_view sender_id;
  std::uint32_t track = 0;
  std::uint64_t counter = 0;
};

// label("balint-room/v1/media") || str(session_id) || u64(epoch)
// || str(sender_id) || u64(track) || u64(counter)
std::string media_ad(const MediaContext& context);

// u64(counter) || 16 zero bytes
std::string media_nonce(std::uint64_t counter);

// u64(epoch) || u64(counter) || XChaCha20-Poly1305(frame, media_ad, nonce, media_key)
std::string seal_media_frame(std::string_view frame, const MediaContext& context, const Key& media_key);

// The clear header of a payload; nullopt if it is shorter than header and tag.
struct MediaHeader {
  std::uint64_t epoch = 0;
  std::uint64_t counter = 0;
};
std::optional<MediaHeader> read_media_header(std::string_view payload);

// One sender's frames in one epoch, each opened at most once, in rising
// counter order (a late frame is dropped like a replay: it is live media).
class MediaReceiver {
 public:
  explicit MediaReceiver(Key media_key);

  // malformed, stale_epoch (older than `epoch`), no_key (newer), replay,
  // tampered; or the frame. Nothing changes on a failure.
  Result<std::string> open(std::string_view payload, std::string_view session_id, std::uint64_t epoch,
                           std::string_view sender_id, std::uint32_t track);

  std::optional<std::uint64_t> last_counter() const { return last_; }

 private:
  Key key_;
  std::optional<std::uint64_t> last_;
};

}  // namespace balint::e2ee
