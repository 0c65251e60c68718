#include "app/camera_feeds.hpp"
#include "app/key_frame_throttle.hpp"

#include "balint/e2ee/derive.hpp"

#include <catch2/catch.hpp>

using namespace balint;
using app::CameraFeeds;
using Verdict = CameraFeeds::Verdict;

namespace {

constexpr app::CameraFlags kKey{true, 0};
constexpr app::CameraFlags kBase{false, 0};
constexpr app::CameraFlags kLayer1{false, 1};
constexpr app::CameraFlags kLayer2{false, 2};

}  // namespace

TEST_CASE("Camera feeds: a receiver waits for a key frame, then takes every layer", "[cameras]") {
  CameraFeeds feeds;
  CHECK(feeds.verdict("cy", kBase) == Verdict::wait_for_key_frame);
  CHECK(feeds.verdict("cy", kLayer2) == Verdict::wait_for_key_frame);
  CHECK(feeds.verdict("cy", kKey) == Verdict::send);
  CHECK_FALSE(feeds.handed("cy", kKey, true));
  for (const auto flags : {kBase, kLayer1, kLayer2}) CHECK(feeds.verdict("cy", flags) == Verdict::send);
  CHECK(feeds.verdict("di", kBase) == Verdict::wait_for_key_frame);  // Each camera on its own.
}

TEST_CASE("Camera feeds: a lost frame costs what refers to it, by temporal layer", "[cameras]") {
  CameraFeeds feeds;
  feeds.handed("cy", kKey, true);

  // Layer 2: nothing refers to it.
  CHECK_FALSE(feeds.handed("cy", kLayer2, false));
  CHECK(feeds.verdict("cy", kLayer2) == Verdict::send);

  // Layer 1: the upper layers until the next base frame.
  CHECK_FALSE(feeds.handed("cy", kLayer1, false));
  CHECK(feeds.verdict("cy", kLayer2) == Verdict::skip);
  CHECK(feeds.verdict("cy", kLayer1) == Verdict::skip);
  CHECK(feeds.verdict("cy", kBase) == Verdict::send);
  CHECK_FALSE(feeds.handed("cy", kBase, true));
  CHECK(feeds.verdict("cy", kLayer2) == Verdict::send);

  // The base layer: everything until a key frame, which must be asked for.
  CHECK(feeds.handed("cy", kBase, false));
  CHECK(feeds.verdict("cy", kBase) == Verdict::wait_for_key_frame);
  CHECK(feeds.handed("cy", kKey, false));  // A key frame lost too: still waiting.
  CHECK(feeds.verdict("cy", kLayer1) == Verdict::wait_for_key_frame);
  feeds.handed("cy", kKey, true);
  CHECK(feeds.verdict("cy", kLayer1) == Verdict::send);

  feeds.lose("cy");
  CHECK(feeds.verdict("cy", kBase) == Verdict::wait_for_key_frame);
  feeds.handed("cy", kKey, true);
  feeds.handed("di", kKey, true);
  feeds.lose_all();
  CHECK(feeds.verdict("cy", kBase) == Verdict::wait_for_key_frame);
  CHECK(feeds.verdict("di", kBase) == Verdict::wait_for_key_frame);
}

TEST_CASE("Camera feeds: the server reads the flags of a camera's clear header, and refuses what no sender writes",
          "[cameras]") {
  const auto key = e2ee::media_key(e2ee::Key::from_bytes(std::string(32, '\x07')));
  const std::string delta = e2ee::seal_media_frame("chunk", {"s", 1, "cy", e2ee::kCameraTrack, 4, kLayer2}, key);
  CHECK(app::read_camera_flags(delta) == kLayer2);
  CHECK(app::camera_priority(kLayer2) == net::Priority::video_upper_layer);
  CHECK(app::camera_priority(kKey) == net::Priority::video);
  std::string reserved = delta;
  reserved[16] = '\x10';
  CHECK_FALSE(app::read_camera_flags(reserved));
  CHECK_FALSE(app::read_camera_flags(delta.substr(0, 32)));
}

TEST_CASE("Key frame throttle: one request per 500 ms, a need within it asked for when it ends", "[cameras]") {
  using namespace std::chrono_literals;
  app::KeyFrameThrottle throttle;
  const auto t0 = app::KeyFrameThrottle::Clock::now();
  CHECK(throttle.ask(t0));
  CHECK_FALSE(throttle.due());
  CHECK_FALSE(throttle.ask(t0 + 100ms));
  CHECK(throttle.due() == t0 + 500ms);
  CHECK_FALSE(throttle.take_due(t0 + 499ms));
  CHECK(throttle.take_due(t0 + 500ms));
  CHECK_FALSE(throttle.due());
  CHECK_FALSE(throttle.take_due(t0 + 2s));  // Nothing pending.

  CHECK_FALSE(throttle.ask(t0 + 600ms));
  throttle.key_frame_came();  // Answered by a key frame meanwhile.
  CHECK_FALSE(throttle.due());
  CHECK(throttle.ask(t0 + 1000ms));
}
