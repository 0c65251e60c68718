// A camera's test pattern for tests and load: chunks of a fixed size at a
// fixed rate, in VP9's L1T3 rhythm of temporal layers (0 2 1 2), a key
// frame every two seconds and whenever the server asks for one. The bytes
// are no real video: receivers see the flags and count the chunks.
#pragma once

#include "balint/sdk/client.hpp"

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>

namespace balint::cli {

class TestPattern {
 public:
  static constexpr int kFramesPerSecond = 15;
  static constexpr std::size_t kDefaultBytes = 1250;

  explicit TestPattern(sdk::Client& client) : client_(client) {}
  ~TestPattern() { stop(); }
  TestPattern(const TestPattern&) = delete;
  TestPattern& operator=(const TestPattern&) = delete;

  // Starts sending (again, with a key frame first) chunks of `bytes`.
  void start(std::size_t bytes);
  void stop();
  // The next chunk is a key frame (the server asked for one).
  void key_frame_wanted() { key_frame_wanted_ = true; }
  std::uint64_t sent() const { return sent_; }

 private:
  void run(std::size_t bytes);

  sdk::Client& client_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::atomic<bool> key_frame_wanted_{false};
  std::atomic<std::uint64_t> sent_{0};
};

}  // namespace balint::cli
