#include "test_pattern.hpp"

#include <chrono>
#include <string>

namespace balint::cli {

void TestPattern::start(std::size_t bytes) {
  stop();
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this, bytes] { run(bytes); });
}

void TestPattern::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void TestPattern::run(std::size_t bytes) {
  using Clock = std::chrono::steady_clock;
  constexpr int kLayers[] = {0, 2, 1, 2};
  constexpr int kKeyFrameEvery = 2 * kFramesPerSecond;
  const auto period = std::chrono::microseconds(1'000'000 / kFramesPerSecond);
  auto next = Clock::now();
  for (std::uint64_t n = 0;; ++n) {
    const bool key = n % kKeyFrameEvery == 0 || key_frame_wanted_.exchange(false);
    std::string data = "test pattern " + std::to_string(n);
    data.resize(bytes, '.');
    const auto layer = key ? 0 : kLayers[n % 4];
    if (client_.send_video({sdk::VideoCodec::vp9, key, static_cast<std::uint8_t>(layer), std::move(data)})) ++sent_;
    next += period;
    std::unique_lock lock(mu_);
    if (wake_.wait_until(lock, next, [this] { return stopping_; })) return;
  }
}

}  // namespace balint::cli
