// A camera's encoded chunks as the SDK sends and delivers them: the bytes
// an encoder (WebCodecs' VideoEncoder, libvpx) gave, with what the clear
// header says of them (client-sdk/E2EE.md, "Media frames"). The SDK seals
// and opens them; what the bytes mean is the encoder's business.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace balint::sdk {

enum class VideoCodec : std::uint8_t { vp8 = 1, vp9 = 2 };

struct VideoChunk {
  VideoCodec codec = VideoCodec::vp8;
  bool key_frame = false;           // Decodable on its own.
  std::uint8_t temporal_layer = 0;  // 0 (the base) to 2, as in VP9's L1T3; a key frame is in the base.
  std::string data;                 // The encoded chunk.
};

// The plaintext of a camera frame: u8(codec) || data.
std::string camera_plaintext(const VideoChunk& chunk);
// The chunk in an opened camera frame whose header flags said `key_frame`
// and `temporal_layer`; nullopt for an empty frame or a codec of no kind.
std::optional<VideoChunk> chunk_of_camera_plaintext(std::string_view plaintext, bool key_frame,
                                                    std::uint8_t temporal_layer);

}  // namespace balint::sdk
