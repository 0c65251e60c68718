#include "balint/sdk/video.hpp"

namespace balint::sdk {

std::string camera_plaintext(const VideoChunk& chunk) {
  std::string plaintext(1, static_cast<char>(chunk.codec));
  plaintext.append(chunk.data);
  return plaintext;
}

std::optional<VideoChunk> chunk_of_camera_plaintext(std::string_view plaintext, bool key_frame,
                                                    std::uint8_t temporal_layer) {
  if (plaintext.empty()) return std::nullopt;
  const auto codec = static_cast<VideoCodec>(static_cast<unsigned char>(plaintext[0]));
  if (codec != VideoCodec::vp8 && codec != VideoCodec::vp9) return std::nullopt;
  return VideoChunk{codec, key_frame, temporal_layer, std::string(plaintext.substr(1))};
}

}  // namespace balint::sdk
