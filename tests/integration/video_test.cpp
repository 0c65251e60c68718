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

sdk::VideoChunk chunk(const std::string& data, bool key_frame, std::uint8_t layer = 0) {
  return {sdk::VideoCodec::vp9, key_frame, layer, data};
}

// Each sender sends one key frame tagged `tag` (a key frame reaches every
// receiver that may see it); a refused command from each then proves the
// server has handled them.
void video_round(const std::vector<Member*>& senders, const std::vector<Member*>& everyone, const std::string& tag) {
  wait_keys_settled(everyone);
  for (Member* m : senders) REQUIRE(m->client().send_video(chunk(tag + "|" + m->id(), true)));
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
  CHECK_FALSE(pre.client().send_media(kCamera, "camera frames go through send_video"));
  wait_all(all, must(fac, sdk::cmd::allow_video("p1")));
  video_round({&cy}, all, "allowed");
  CHECK(seen(fac, "allowed", std::multiset<std::string>{"p1"}) == std::multiset<std::string>{"p1"});
}

namespace {

// Data of the camera frames from `sender` that `m` received, in order.
std::vector<std::string> camera_data(const Member& m, const std::string& sender) {
  std::vector<std::string> data;
  for (const Frame& f : m.frames())
    if (f.track == kCamera && f.sender_id == sender) data.push_back(f.payload);
  return data;
}

// Sends `data` as camera frames from `m`, then proves the server handled them.
void send_chunks(Member& m, const std::vector<sdk::VideoChunk>& chunks) {
  for (const auto& c : chunks) REQUIRE(m.client().send_video(c));
  REQUIRE(m.client().send(m.harmless_command()).code() != v1::ERROR_CODE_OK);
}

bool wait_until(const std::function<bool()>& done) {
  const auto until = std::chrono::steady_clock::now() + kWait;
  while (!done() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return done();
}

struct CameraGroup {
  TestServer server;
  sdk::CreatedSession created;
  Member fac{"facilitator"}, cy{"participant cy"}, di{"participant di"};

  CameraGroup() {
    sdk::SessionRequest request;
    request.name = "key frames";
    request.format = "balint";
    request.invitees = {invitee("fac", "Dr Ada", "facilitator"), invitee("p1", "Dr Cy", "participant"),
                        invitee("p2", "Dr Di", "participant")};
    created = server.admin().create_session(request);
    fac.join(created.invites[0]);
    cy.join(created.invites[1]);
    wait_all({&fac, &cy}, must(cy, sdk::cmd::set_camera(true)));
    wait_keys_settled({&fac, &cy});
  }
};

}  // namespace

TEST_CASE("Video: a newcomer gets no deltas before a key frame, and the sender is asked for one at most every 500 ms",
          "[video]") {
  CameraGroup g;
  send_chunks(g.cy, {chunk("k0", true), chunk("d1", false)});
  REQUIRE(wait_until([&] { return camera_data(g.fac, "p1").size() == 2; }));
  CHECK(g.cy.key_frame_requests().empty());  // The facilitator saw the key frame: nobody needs one.

  const int new_keys_before = g.cy.key_frames_for_new_keys();
  g.di.join(g.created.invites[2]);
  wait_keys_settled({&g.fac, &g.cy, &g.di});
  // The newcomer's epoch: the SDK wants a key frame at once, so that nobody waits for a request.
  REQUIRE(wait_until([&] { return g.cy.key_frames_for_new_keys() > new_keys_before; }));
  // Deltas go to the facilitator, not to the newcomer, who cannot decode
  // them; the first asks the camera for a key frame, the next ones wait.
  send_chunks(g.cy, {chunk("d2", false), chunk("d3", false, 2)});
  REQUIRE(wait_until([&] { return g.cy.key_frame_requests().size() == 1; }));
  send_chunks(g.cy, {chunk("d4", false, 1)});
  // The need that came within 500 ms of the request is asked for when they are up.
  REQUIRE(wait_until([&] { return g.cy.key_frame_requests().size() == 2; }));
  const auto asked = g.cy.key_frame_requests();
  CHECK(asked[1] - asked[0] >= std::chrono::milliseconds(450));
  CHECK(camera_data(g.di, "p1").empty());

  send_chunks(g.cy, {chunk("k5", true), chunk("d6", false, 2)});
  REQUIRE(wait_until([&] { return camera_data(g.di, "p1").size() == 2 && camera_data(g.fac, "p1").size() == 7; }));
  CHECK(camera_data(g.di, "p1") == std::vector<std::string>{"k5", "d6"});
  CHECK(camera_data(g.fac, "p1") == std::vector<std::string>{"k0", "d1", "d2", "d3", "d4", "k5", "d6"});
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  CHECK(g.cy.key_frame_requests().size() == 2);  // Nobody waits any more: no more requests.
}

TEST_CASE("Video: a receiver that asks for a key frame gets the sender asked, and no deltas until it comes",
          "[video]") {
  CameraGroup g;
  send_chunks(g.cy, {chunk("k0", true), chunk("d1", false)});
  REQUIRE(wait_until([&] { return camera_data(g.fac, "p1").size() == 2; }));

  REQUIRE(g.fac.client().request_key_frame("p1"));
  REQUIRE(wait_until([&] { return g.cy.key_frame_requests().size() == 1; }));
  send_chunks(g.cy, {chunk("d2", false)});
  send_chunks(g.cy, {chunk("k3", true)});
  REQUIRE(wait_until([&] { return camera_data(g.fac, "p1").size() == 3; }));
  CHECK(camera_data(g.fac, "p1") == std::vector<std::string>{"k0", "d1", "k3"});

  // Asking for nobody, or for oneself, asks nobody.
  REQUIRE(g.fac.client().request_key_frame("nobody"));
  REQUIRE(g.cy.client().request_key_frame("p1"));
  REQUIRE(g.fac.client().send(g.fac.harmless_command()).code() != v1::ERROR_CODE_OK);
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  CHECK(g.cy.key_frame_requests().size() == 1);
}

TEST_CASE("Video: a member who pauses incoming video gets audio only, and video again from a key frame", "[video]") {
  CameraGroup g;
  must(g.fac, sdk::cmd::next_phase());  // The presentation: cy's microphone is forwarded only if cy presents.
  REQUIRE(g.fac.client().set_video_paused(true).code() == v1::ERROR_CODE_OK);
  send_chunks(g.cy, {chunk("k0", true), chunk("d1", false)});
  REQUIRE(g.fac.client().send_media(0, "audio|fac"));
  REQUIRE(wait_until([&] {
    for (const Frame& f : g.cy.frames())
      if (f.payload == "audio|fac") return true;
    return false;
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(camera_data(g.fac, "p1").empty());

  REQUIRE(g.fac.client().set_video_paused(false).code() == v1::ERROR_CODE_OK);
  send_chunks(g.cy, {chunk("d2", false), chunk("k3", true), chunk("d4", false)});
  REQUIRE(wait_until([&] { return camera_data(g.fac, "p1").size() == 2; }));
  CHECK(camera_data(g.fac, "p1") == std::vector<std::string>{"k3", "d4"});
}

TEST_CASE("Video: the SDK's queue takes a camera chunk only while it is an eighth full, audio up to the bound",
          "[video]") {
  TestServer server;
  sdk::SessionRequest request;
  request.name = "queue";
  request.format = "ccdg";
  request.invitees = {invitee("fac", "Dr Ada", "facilitator")};
  const auto created = server.admin().create_session(request);
  sdk::ClientOptions options;
  options.max_queued_bytes = 16 * 1024;  // Video: 2 KiB.
  Member fac{"facilitator", options};
  fac.join(created.invites[0]);
  wait_keys_settled({&fac});
  CHECK(fac.client().send_video(chunk(std::string(1500, 'k'), true)));
  CHECK_FALSE(fac.client().send_video(chunk(std::string(2100, 'k'), true)));
  CHECK(fac.client().send_media(0, std::string(2100, 'a')));
}

}  // namespace balint::test
