#include "reconnect_policy.hpp"

namespace balint::sdk::detail {

bool reconnects_after(const std::optional<v1::GoodbyeReason>& goodbye, bool close_requested, bool protocol_error) {
  return (!goodbye || *goodbye == v1::GOODBYE_REASON_RESTARTING) && !close_requested && !protocol_error;
}

bool refusal(int http_status) {
  switch (http_status) {
    case 400: case 401: case 403: case 404: case 409: case 410: return true;
    default: return false;
  }
}

ReconnectPolicy::ReconnectPolicy(std::vector<std::chrono::milliseconds> delays, std::function<double()> random)
    : delays_(std::move(delays)), random_(std::move(random)) {}

ReconnectPolicy::Attempt ReconnectPolicy::dropped(Clock::time_point now) {
  attempts_ = 0;
  return next(now);
}

std::optional<ReconnectPolicy::Attempt> ReconnectPolicy::failed(Clock::time_point now, int http_status) {
  if (refusal(http_status)) {
    if (last_ != Credential::resume) return std::nullopt;  // The link itself is refused.
    // Spent or void (signed in elsewhere, left, the session gone): the link
    // decides, at once, since the server is there to answer.
    has_resume_ = false;
    ++attempts_;
    last_ = Credential::token;
    return Attempt{now, Credential::token};
  }
  return next(now);
}

ReconnectPolicy::Attempt ReconnectPolicy::next(Clock::time_point now) {
  const auto delay = delays_[std::min(attempts_, delays_.size() - 1)];
  ++attempts_;
  const double factor = 0.75 + 0.5 * random_();
  const auto jittered = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double, std::milli>(static_cast<double>(delay.count()) * factor));
  last_ = has_resume_ ? Credential::resume : Credential::token;
  return {now + jittered, last_};
}

}  // namespace balint::sdk::detail
