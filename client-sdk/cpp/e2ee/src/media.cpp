#include "balint/e2ee/media.hpp"

#include "balint/e2ee/bytes.hpp"
#include "balint/e2ee/constants.hpp"
#include "balint/e2ee/init.hpp"

#include <sodium.h>

namespace balint::e2ee {
namespace {

constexpr std::uint8_t kKeyFrameBit = 0x01;
constexpr int kLayerShift = 1;
constexpr std::uint8_t kLayerBits = 0x06;
constexpr std::uint8_t kTopLayer = 2;

}  // namespace

std::uint8_t flags_byte(FrameFlags flags) {
  return static_cast<std::uint8_t>((flags.key_frame ? kKeyFrameBit : 0) | (flags.temporal_layer << kLayerShift));
}

std::optional<FrameFlags> read_flags(std::uint8_t byte, std::uint32_t track) {
  if (track == kMicrophoneTrack) return byte == 0 ? std::optional<FrameFlags>(FrameFlags{}) : std::nullopt;
  if (track != kCameraTrack || (byte & ~(kKeyFrameBit | kLayerBits)) != 0) return std::nullopt;
  const FrameFlags flags{(byte & kKeyFrameBit) != 0, static_cast<std::uint8_t>((byte & kLayerBits) >> kLayerShift)};
  if (flags.temporal_layer > kTopLayer || (flags.key_frame && flags.temporal_layer != 0)) return std::nullopt;
  return flags;
}

std::string media_ad(const MediaContext& context) {
  return ByteWriter()
      .label(kMediaLabel)
      .str(context.session_id)
      .u64(context.epoch)
      .str(context.sender_id)
      .u64(context.track)
      .u64(context.counter)
      .u8(flags_byte(context.flags))
      .take();
}

std::string media_nonce(std::uint64_t counter) {
  std::string nonce = u64_bytes(counter);
  nonce.resize(kNonceBytes, '\0');
  return nonce;
}

std::string seal_media_frame(std::string_view frame, const MediaContext& context, const Key& media_key) {
  ensure_sodium();
  const std::string ad = media_ad(context);
  const std::string nonce = media_nonce(context.counter);
  std::string payload = ByteWriter().u64(context.epoch).u64(context.counter).u8(flags_byte(context.flags)).take();
  payload.resize(kMediaHeaderBytes + frame.size() + kTagBytes);
  crypto_aead_xchacha20poly1305_ietf_encrypt(uchars(payload) + kMediaHeaderBytes, nullptr, uchars(frame), frame.size(),
                                             uchars(ad), ad.size(), nullptr, uchars(nonce), media_key.data());
  return payload;
}

std::optional<MediaHeader> read_media_header(std::string_view payload, std::uint32_t track) {
  if (payload.size() < kMediaHeaderBytes + kTagBytes) return std::nullopt;
  const auto flags = read_flags(static_cast<std::uint8_t>(payload[16]), track);
  if (!flags) return std::nullopt;
  return MediaHeader{read_u64(payload), read_u64(payload.substr(8)), *flags};
}

MediaReceiver::MediaReceiver(Key media_key) : key_(std::move(media_key)) {}

std::optional<std::uint64_t> MediaReceiver::last_counter(std::uint32_t track) const {
  return track < last_.size() ? last_[track] : std::nullopt;
}

Result<std::string> MediaReceiver::open(std::string_view payload, std::string_view session_id, std::uint64_t epoch,
                                        std::string_view sender_id, std::uint32_t track) {
  using Opened = Result<std::string>;
  ensure_sodium();
  const auto header = read_media_header(payload, track);
  if (!header) return Opened::failure(Error::malformed);  // Also an unknown track: there is no counter for it.
  if (header->epoch < epoch) return Opened::failure(Error::stale_epoch);
  if (header->epoch > epoch) return Opened::failure(Error::no_key);
  std::optional<std::uint64_t>& last = last_[track];
  if (last && header->counter <= *last) return Opened::failure(Error::replay);

  const std::string ad = media_ad({session_id, header->epoch, sender_id, track, header->counter, header->flags});
  const std::string nonce = media_nonce(header->counter);
  const std::string_view ciphertext = payload.substr(kMediaHeaderBytes);
  std::string frame(ciphertext.size() - kTagBytes, '\0');
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(uchars(frame), nullptr, nullptr, uchars(ciphertext), ciphertext.size(),
                                                 uchars(ad), ad.size(), uchars(nonce), key_.data()) != 0) {
    return Opened::failure(Error::tampered);
  }
  last = header->counter;
  return Opened::success(std::move(frame));
}

}  // namespace balint::e2ee
