// Commands about cameras: one's own on or off, a facilitator stopping and
// allowing someone's video, and the presenter's camera in the observation.
// Whose video is forwarded is decided with speaking, in speaking.cpp.
#include "core/session_impl.hpp"

namespace balint::core {

using namespace detail;

Outcome Session::Impl::set_camera(Session& s, const Actor& a, const v1::SetCamera& c) {
  v1::Member* m = find(s, a.id);
  if (m->camera_on() == c.on()) {
    return Outcome::error(v1::ERROR_CODE_NO_CHANGE, c.on() ? "your camera is already on" : "your camera is already off");
  }
  m->set_camera_on(c.on());
  return accepted();
}

Outcome Session::Impl::set_video_stopped(Session& s, const Actor& a, const std::string& target, bool stopped) {
  if (auto refused = require_control(s, a, stopped ? "stop a member's video" : "let a member's video go on")) {
    return *refused;
  }
  if (target.empty()) return missing_id(stopped ? "whose video to stop" : "whose video to allow");
  v1::Member* m = find(s, target);
  if (m == nullptr) return not_in_roster(target);
  if (target == a.id) {
    return Outcome::error(v1::ERROR_CODE_PERMISSION_DENIED, "you cannot stop or allow your own video; turn your camera off");
  }
  if (m->role() == v1::ROLE_FACILITATOR) {
    return Outcome::error(v1::ERROR_CODE_PERMISSION_DENIED, target + " is a facilitator: their video cannot be stopped");
  }
  if (is_attendee(*m)) {
    return Outcome::error(v1::ERROR_CODE_INVALID_ARGUMENT,
                          target + " is in the room: the camera is " + m->room_device_id() + "'s");
  }
  if (m->video_stopped() == stopped) {
    return Outcome::error(v1::ERROR_CODE_NO_CHANGE,
                          target + (stopped ? "'s video is already stopped" : "'s video is not stopped"));
  }
  m->set_video_stopped(stopped);
  return accepted();
}

Outcome Session::Impl::set_presenter_camera(Session& s, const Actor& a, const v1::SetPresenterCamera& c) {
  if (auto refused = require_control(s, a, "choose the presenter's camera in the observation")) return *refused;
  const v1::PresenterCamera policy = c.policy();
  if (policy != v1::PRESENTER_CAMERA_ON && policy != v1::PRESENTER_CAMERA_OFF &&
      policy != v1::PRESENTER_CAMERA_PRESENTERS_CHOICE) {
    return Outcome::error(v1::ERROR_CODE_INVALID_ARGUMENT, "policy must be ON, OFF or PRESENTERS_CHOICE");
  }
  const v1::PresenterCamera now =
      s.state_.presenter_camera() == v1::PRESENTER_CAMERA_UNSPECIFIED ? v1::PRESENTER_CAMERA_ON : s.state_.presenter_camera();
  if (now == policy) return Outcome::error(v1::ERROR_CODE_NO_CHANGE, "the presenter's camera is already so");
  s.state_.set_presenter_camera(policy);
  return accepted();
}

}  // namespace balint::core
