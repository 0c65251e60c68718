// When the client makes a dropped connection again, and what it presents:
// the reconnect rules of client-sdk/RECONNECT.md with no timers, sockets or
// clock of their own. The client (client.cpp) asks it at each turn and arms
// its timers with the answers; the scenarios there run against it alone.
#pragma once

#include "balint/v1/balint.pb.h"

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <vector>

namespace balint::sdk::detail {

// Whether a connection that was open and ended so is made again: the
// network dropped it (no Goodbye, no close() by the client, no protocol
// error), or the server said it is restarting.
bool reconnects_after(const std::optional<v1::GoodbyeReason>& goodbye, bool close_requested, bool protocol_error);

// Whether the server would answer a new attempt the same way: a refusal, not
// a hiccup (a 503 is the server asking to be tried again).
bool refusal(int http_status);

class ReconnectPolicy {
 public:
  using Clock = std::chrono::steady_clock;
  enum class Credential { resume, token };
  // The next attempt: when, and with what.
  struct Attempt {
    Clock::time_point at;
    Credential credential = Credential::token;
  };

  // `delays`: the wait before each attempt (the last one repeats), each
  // stretched or shrunk by up to a quarter; `random` gives a number in
  // [0, 1) for that.
  ReconnectPolicy(std::vector<std::chrono::milliseconds> delays, std::function<double()> random);

  // A Welcome came with a resume credential (or none): attempts present it.
  void welcomed(bool with_resume_credential) { has_resume_ = with_resume_credential; }
  // The open connection dropped at `now`: the first attempt.
  Attempt dropped(Clock::time_point now);
  // The attempt made at `now` failed: it could not connect or ran out of
  // time (`http_status` 0), or the server answered its upgrade with
  // `http_status`. The next attempt, or nothing: give up, the server
  // refuses the link. A refused resume credential gives way to the token,
  // at once.
  std::optional<Attempt> failed(Clock::time_point now, int http_status);
  // An attempt is up.
  void reconnected() { attempts_ = 0; }

  std::size_t attempts() const { return attempts_; }

 private:
  Attempt next(Clock::time_point now);

  std::vector<std::chrono::milliseconds> delays_;
  std::function<double()> random_;
  std::size_t attempts_ = 0;  // Since the drop.
  bool has_resume_ = false;
  Credential last_ = Credential::token;  // What the attempt under way presents.
};

}  // namespace balint::sdk::detail
