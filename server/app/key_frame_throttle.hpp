// The key frames asked of one sender: at most one request per interval. A
// need that comes within the interval of the last request is not lost: it
// is asked for when the interval ends. The caller passes the time.
#pragma once

#include <chrono>
#include <optional>

namespace balint::app {

class KeyFrameThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr Clock::duration kInterval = std::chrono::milliseconds(500);

  // Someone needs a key frame at `now`: true to ask now; otherwise a request
  // is pending (see due()), unless one was asked at this same `now`.
  bool ask(Clock::time_point now) {
    if (last_ && now == *last_) return false;  // Asked at this very moment: once is enough.
    if (!last_ || now >= *last_ + kInterval) {
      last_ = now;
      pending_ = false;
      return true;
    }
    pending_ = true;
    return false;
  }

  // When the pending request may go, if one is pending.
  std::optional<Clock::time_point> due() const {
    return pending_ ? std::optional<Clock::time_point>(*last_ + kInterval) : std::nullopt;
  }

  // True (and the request counted as asked) when one is pending and due at `now`.
  bool take_due(Clock::time_point now) { return pending_ && ask(now); }

  // A key frame came: what was pending is answered.
  void key_frame_came() { pending_ = false; }

 private:
  std::optional<Clock::time_point> last_;
  bool pending_ = false;
};

}  // namespace balint::app
