// The server's rule table for video, through a real server and the C++ SDK:
// a camera's frames reach everyone while it is on; the presenter's stop in
// the observation when the facilitator keeps them back; a stopped video and
// audio goes on by its own rule.

#include "harness.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

namespace balint::test {
namespace {

constexpr std::uint32_t kCamera = v1::MEDIA_TRACK_CAMERA;

// Senders of the video frames tagged "<tag>|<sender>" that `m` received.
std::multiset<std::string> video_from(const Member& m, const std::string& tag) {
  std::multiset<std::string> senders;
  for (const Frame& f : m.frames())
    if (f.track == kCamera && f.payload == tag + "|" + f.sender_id) senders.insert(f.sender_id);
  return senders;
}

// Each sender sends one video frame tagged `tag`; a refused command from
// each then proves the server has handled them.
void video_round(const std::vector<Member*>& senders, const std::vector<Member*>& everyone, const std::string& tag) {
  wait_keys_settled(everyone);
  for (Member* m : senders) REQUIRE(m->client().send_media(kCamera, tag + "|" + m->id()));
  for (Member* m : senders) REQUIRE(m->client().send(m->harmless_command()).code() != v1::ERROR_CODE_OK);
}

// What `m` received of round `tag` once the frames that should come have
// come (a forwarded frame travels behind state on the receiver's queue, so
// it is waited for, not raced), and a moment more for any that should not.
std::multiset<std::string> seen(const Member& m, const std::string& tag, const std::multiset<std::string>& want) {
  const auto until = std::chrono::steady_clock::now() + kWait;
  while (video_from(m, tag) != want && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  return video_from(m, tag);
}

}  // namespace

TEST_CASE("Video: cameras reach everyone by the rule, the presenter's as the facilitator chose", "[video]") {
  TestServer server;
  sdk::SessionRequest request;
  request.name = "video group";
  request.format = "balint";
  request.invitees = {invitee("fac", "Dr Ada", "facilitator"), invitee("pre", "Dr Bo", "presenter"),
                      invitee("p1", "Dr Cy", "participant")};
  const auto created = server.admin().create_session(request);
  Member fac("facilitator"), pre("presenter"), cy("participant");
  std::vector<Member*> all{&fac, &pre, &cy};
  for (std::size_t i = 0; i < all.size(); ++i) all[i]->join(created.invites[i]);

  // Off until turned on: nothing of a closed camera is forwarded.
  video_round({&cy}, all, "closed");
  CHECK(seen(fac, "closed", {}).empty());

  must(pre, sdk::cmd::set_camera(true));
  wait_all(all, must(cy, sdk::cmd::set_camera(true)));
  const auto on = fac.client().state();
  CHECK(sdk::find_member(on, "p1")->may_send_video());
  video_round({&pre, &cy}, all, "lobby");
  CHECK(seen(fac, "lobby", std::multiset<std::string>{"pre", "p1"}) == std::multiset<std::string>{"pre", "p1"});
  CHECK(seen(cy, "lobby", std::multiset<std::string>{"pre"}) == std::multiset<std::string>{"pre"});

  // The observation with the presenter's camera kept back: the group sees
  // everyone but the presenter, and hears them by the speaking rule.
  must(fac, sdk::cmd::set_presenter_camera(v1::PRESENTER_CAMERA_OFF));
  std::uint64_t version = 0;
  for (int phase = 0; phase < 3; ++phase) version = must(fac, sdk::cmd::next_phase());
  wait_all(all, version);
  const auto observing = fac.client().state();
  REQUIRE(sdk::current_phase(observing)->rule() == v1::SPEAKING_RULE_ALL_BUT_PRESENTER);
  CHECK_FALSE(sdk::find_member(observing, "pre")->may_send_video());
  CHECK(sdk::find_member(observing, "pre")->camera_on());
  video_round({&pre, &cy}, all, "observation");
  CHECK(seen(fac, "observation", std::multiset<std::string>{"p1"}) == std::multiset<std::string>{"p1"});
  CHECK(seen(cy, "observation", {}).empty());

  // Re-entry: the presenter is seen again.
  wait_all(all, must(fac, sdk::cmd::next_phase()));
  video_round({&pre}, all, "re-entry");
  CHECK(seen(cy, "re-entry", std::multiset<std::string>{"pre"}) == std::multiset<std::string>{"pre"});

  // A facilitator stops a camera (a track of no kind is dropped too: the
  // SDK seals none, see hostile/media_test.cpp).
  wait_all(all, must(fac, sdk::cmd::stop_video("p1")));
  video_round({&cy}, all, "stopped");
  CHECK(seen(fac, "stopped", {}).empty());
  CHECK_FALSE(pre.client().send_media(7, "track-7|pre"));
  wait_all(all, must(fac, sdk::cmd::allow_video("p1")));
  video_round({&cy}, all, "allowed");
  CHECK(seen(fac, "allowed", std::multiset<std::string>{"p1"}) == std::multiset<std::string>{"p1"});
}

}  // namespace balint::test
