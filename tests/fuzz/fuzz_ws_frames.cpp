// The WebSocket frame reader against any bytes: it never reads out of
// bounds, never hands on a message past the limit, and reports the same
// thing however the bytes are cut (the first input byte picks the cuts).

#include "net/ws_frames.hpp"
#include "require.hpp"

#include <random>
#include <string>
#include <vector>

namespace {

constexpr std::size_t kMaxMessage = 4096;

struct Recorder : balint::net::ws::FrameSink {
  std::vector<std::string> events;
  void on_message(std::string_view payload, bool binary) override {
    balint::fuzz::require(payload.size() <= kMaxMessage, "a message past the limit was handed on");
    events.push_back((binary ? "b" : "t") + std::string(payload));
  }
  void on_ping(std::string_view payload) override {
    balint::fuzz::require(payload.size() <= 125, "a ping past 125 bytes was handed on");
    events.push_back("i" + std::string(payload));
  }
  void on_pong() override { events.push_back("o"); }
  void on_close(std::uint16_t code) override { events.push_back("c" + std::to_string(code)); }
  void on_failure(balint::net::ws::CloseReason reason) override { events.push_back("f" + std::to_string(reason.code)); }
};

std::vector<std::string> read(std::string bytes, std::uint32_t seed) {
  balint::net::ws::FrameReader reader(kMaxMessage);
  Recorder sink;
  std::mt19937 random(seed);
  for (std::size_t at = 0; at < bytes.size();) {
    const std::size_t piece = seed == 0 ? bytes.size() : std::min<std::size_t>(1 + random() % 64, bytes.size() - at);
    reader.read(std::span<char>(bytes.data() + at, piece), sink);
    at += piece;
  }
  return sink.events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  balint::fuzz::require(read(bytes, 0) == read(bytes, 1u + data[0]), "the cuts changed what was read");
  return 0;
}
