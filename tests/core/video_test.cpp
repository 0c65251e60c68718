// Whose video the server forwards: cameras on in every phase, the
// presenter's in the observation as the facilitator chose, a facilitator
// stopping one, and a camera belonging to its connection.
#include "session_fixture.hpp"

using namespace core_test;
using balint::core::balint_format;

namespace {

constexpr int kBObservation = 2, kBReEntry = 3;

}  // namespace

TEST_CASE("a camera is forwarded in every phase once it is on, a muted face too", "[video]") {
  Group g;
  CHECK_FALSE(g.s.may_send_video("p1"));  // Off until the member turns it on.
  g.ok("p1", cmd::camera(true));
  REQUIRE_REFUSED(g, g.apply("p1", cmd::camera(true)), v1::ERROR_CODE_NO_CHANGE);
  for (int phase = -1; phase < g.state().format().phases_size(); ++phase) {
    if (phase >= 0) g.go_to(phase);
    INFO("phase " << phase);
    CHECK(g.s.may_send_video("p1"));
    CHECK(g.member("p1").may_send_video());
  }
  g.ok("fac", cmd::mute("p1"));
  CHECK_FALSE(g.s.may_speak("p1"));
  CHECK(g.s.may_send_video("p1"));  // A silent face is fine.
  g.ok("p1", cmd::camera(false));
  CHECK_FALSE(g.s.may_send_video("p1"));
  CHECK_FALSE(g.member("p1").camera_on());
}

TEST_CASE("the presenter's camera in the observation follows the facilitator's choice", "[video]") {
  Group g(balint_format());
  g.ok("pres", cmd::camera(true));
  g.ok("p1", cmd::camera(true));
  g.go_to(kBObservation);
  CHECK(g.s.may_send_video("pres"));  // ON, the default: the group sees the presenter listen.

  REQUIRE_REFUSED(g, g.apply("p1", cmd::presenter_camera(v1::PRESENTER_CAMERA_OFF)), v1::ERROR_CODE_PERMISSION_DENIED);
  REQUIRE_REFUSED(g, g.apply("cof", cmd::presenter_camera(v1::PRESENTER_CAMERA_OFF)), v1::ERROR_CODE_PERMISSION_DENIED);
  REQUIRE_REFUSED(g, g.apply("fac", cmd::presenter_camera(v1::PRESENTER_CAMERA_UNSPECIFIED)),
                  v1::ERROR_CODE_INVALID_ARGUMENT);
  REQUIRE_REFUSED(g, g.apply("fac", cmd::presenter_camera(v1::PRESENTER_CAMERA_ON)), v1::ERROR_CODE_NO_CHANGE);

  g.ok("fac", cmd::presenter_camera(v1::PRESENTER_CAMERA_OFF));
  CHECK(g.state().presenter_camera() == v1::PRESENTER_CAMERA_OFF);
  CHECK_FALSE(g.s.may_send_video("pres"));
  CHECK_FALSE(g.member("pres").may_send_video());
  CHECK(g.member("pres").camera_on());  // Still on at the presenter's end: paused, not switched off.
  CHECK(g.s.may_send_video("p1"));      // Only the presenter's.
  g.go_to(kBReEntry);
  CHECK(g.s.may_send_video("pres"));    // Back at re-entry.
  g.go_to(kBObservation);
  g.ok("fac", cmd::presenter_camera(v1::PRESENTER_CAMERA_PRESENTERS_CHOICE));
  CHECK(g.s.may_send_video("pres"));
  g.ok("pres", cmd::camera(false));
  CHECK_FALSE(g.s.may_send_video("pres"));
}

TEST_CASE("a facilitator stops someone's video and lets it go on again", "[video]") {
  Group g;
  g.ok("p2", cmd::camera(true));
  REQUIRE_REFUSED(g, g.apply("p1", cmd::stop_video("p2")), v1::ERROR_CODE_PERMISSION_DENIED);
  REQUIRE_REFUSED(g, g.apply("cof", cmd::stop_video("p2")), v1::ERROR_CODE_PERMISSION_DENIED);
  REQUIRE_REFUSED(g, g.apply("fac", cmd::stop_video("")), v1::ERROR_CODE_INVALID_ARGUMENT);
  REQUIRE_REFUSED(g, g.apply("fac", cmd::stop_video("ghost")), v1::ERROR_CODE_UNKNOWN_PARTICIPANT);
  REQUIRE_REFUSED(g, g.apply("fac", cmd::stop_video("fac")), v1::ERROR_CODE_PERMISSION_DENIED);
  REQUIRE_REFUSED(g, g.apply("cof", cmd::stop_video("fac")), v1::ERROR_CODE_PERMISSION_DENIED);
  REQUIRE_REFUSED(g, g.apply("fac", cmd::stop_video("room.1")), v1::ERROR_CODE_INVALID_ARGUMENT);
  REQUIRE_REFUSED(g, g.apply("fac", cmd::allow_video("p2")), v1::ERROR_CODE_NO_CHANGE);

  const std::uint64_t v = g.s.version();
  g.ok("fac", cmd::stop_video("p2"));
  CHECK(g.s.version() == v + 1);
  CHECK(g.member("p2").video_stopped());
  CHECK_FALSE(g.s.may_send_video("p2"));
  CHECK(g.s.may_speak("p2"));  // Video only: the voice is a mute's business.
  REQUIRE_REFUSED(g, g.apply("fac", cmd::stop_video("p2")), v1::ERROR_CODE_NO_CHANGE);
  // Turning the camera off and on again does not get round it.
  g.ok("p2", cmd::camera(false));
  g.ok("p2", cmd::camera(true));
  CHECK_FALSE(g.s.may_send_video("p2"));

  g.ok("fac", cmd::allow_video("p2"));
  CHECK(g.s.may_send_video("p2"));
}

TEST_CASE("a camera belongs to its connection, and a stopped video outlasts it", "[video][reconnect]") {
  Group g;
  g.ok("p1", cmd::camera(true));
  g.ok("p3", cmd::camera(true));
  g.ok("fac", cmd::stop_video("p3"));
  REQUIRE(g.s.disconnect("p1", g.now).ok());
  CHECK_FALSE(g.s.may_send_video("p1"));
  CHECK_FALSE(g.member("p1").camera_on());  // Nobody is shown a tile of someone away.
  REQUIRE(g.s.join("p1", "Ann", v1::ROLE_PARTICIPANT, g.now).ok());
  CHECK_FALSE(g.s.may_send_video("p1"));  // The new connection says for itself.
  g.ok("p1", cmd::camera(true));
  CHECK(g.s.may_send_video("p1"));

  REQUIRE(g.s.disconnect("p3", g.now).ok());
  REQUIRE(g.s.join("p3", "Cy", v1::ROLE_PARTICIPANT, g.now).ok());
  g.ok("p3", cmd::camera(true));
  CHECK_FALSE(g.s.may_send_video("p3"));  // Still stopped, like a mute.
}

TEST_CASE("a room device's camera shows the room, and its attendees have none", "[video][room]") {
  Group g;
  g.go_to(2);  // The go-around: who speaks has nothing to do with who is seen.
  g.ok("room", cmd::camera(true));
  CHECK(g.s.may_send_video("room"));
  CHECK_FALSE(g.s.may_send_video("room.1"));
  REQUIRE_REFUSED(g, g.apply("room.1", cmd::camera(true)), v1::ERROR_CODE_PERMISSION_DENIED);
}

TEST_CASE("nothing is forwarded once the session has ended", "[video]") {
  Group g;
  g.ok("p1", cmd::camera(true));
  g.ok("fac", cmd::end());
  CHECK_FALSE(g.s.may_send_video("p1"));
}
