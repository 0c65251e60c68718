// The store off the event loop: a store that stalls or fails holds back the
// changes of the rooms waiting on it, and nothing else. Over a store in
// memory that the test stalls and breaks (tests/fake_store.hpp).
#include "../fake_store.hpp"
#include "harness.hpp"

#include <catch2/catch.hpp>

#include <future>
#include <iostream>
#include <thread>

namespace balint::test {
namespace {

using namespace std::chrono_literals;

struct StoreFixture {
  CapturedLog log;
  std::shared_ptr<FakeStore::Controls> store = std::make_shared<FakeStore::Controls>();
  TestServer server{[](app::Config& config) { config.log_level = "warn"; },
                    [controls = store](const app::Config&) { return std::make_unique<FakeStore>(controls); }};

  sdk::CreatedSession create(const std::string& name) {
    sdk::SessionRequest request;
    request.name = name;
    request.format = "balint";
    request.invitees = {invitee("fac", "Dr Ada", "facilitator"), invitee("p1", "Ben", "participant")};
    return server.admin().create_session(request);
  }
};

bool logged_within(const CapturedLog& log, const std::string& line, std::chrono::milliseconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (log.text().find(line) == std::string::npos) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

std::size_t frames_tagged(const Member& member, const std::string& tag) {
  std::size_t count = 0;
  for (const auto& frame : member.frames()) count += frame.payload.starts_with(tag + "|") ? 1 : 0;
  return count;
}

TEST_CASE("Store stall: while a room's write is stalled for 2 s, another room's media flows, and the stalled change "
          "is shown to nobody until it is on disk",
          "[store][integration]") {
  StoreFixture f;
  const auto a = f.create("stalled room");
  const auto b = f.create("busy room");
  Member a_fac("A facilitator"), a_ben("A participant"), b_fac("B facilitator"), b_ben("B participant");
  a_fac.join(a.invites[0]);
  a_ben.join(a.invites[1]);
  b_fac.join(b.invites[0]);
  b_ben.join(b.invites[1]);
  wait_keys_settled({&a_fac, &a_ben});
  wait_keys_settled({&b_fac, &b_ben});
  wait_all({&a_fac, &a_ben}, std::max(a_fac.client().state().version(), a_ben.client().state().version()));
  const auto before = a_fac.client().state();

  f.store->stall();
  auto raised = std::async(std::launch::async, [&] { return a_ben.client().send(sdk::cmd::raise_hand()); });
  REQUIRE(f.store->wait_until_stalled(5s));  // Room A's change waits in the store.

  // 2 s of a facilitator's voice in each room, a frame every 20 ms.
  constexpr int kFrames = 100;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kFrames; ++i) {
    REQUIRE(b_fac.send_tagged_media("stall"));
    REQUIRE(a_fac.send_tagged_media("stall"));
    std::this_thread::sleep_until(start + (i + 1) * 20ms);
  }
  const auto delivered_by = std::chrono::steady_clock::now() + 2s;
  while ((frames_tagged(b_ben, "stall") < kFrames || frames_tagged(a_ben, "stall") < kFrames) &&
         std::chrono::steady_clock::now() < delivered_by)
    std::this_thread::sleep_for(10ms);
  const auto other_room = frames_tagged(b_ben, "stall");
  const auto same_room = frames_tagged(a_ben, "stall");
  std::cout << "store stalled " << std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::steady_clock::now() - start).count()
            << " ms: frames delivered meanwhile to the other room " << other_room << " of " << kFrames
            << ", within the stalled room " << same_room << " of " << kFrames << "\n";
  CHECK(other_room == kFrames);
  CHECK(same_room == kFrames);  // Media shows no change: it does not wait either.

  // Said while it lasts, for the operator.
  CHECK(logged_within(f.log, "store: a write to memory has taken", 5s));
  // Still stalled: nobody has heard of the raised hand, the sender included.
  CHECK(raised.wait_for(0s) == std::future_status::timeout);
  CHECK(a_fac.client().state().version() == before.version());
  CHECK(a_fac.client().state().hand_queue().empty());

  f.store->release();
  const auto result = raised.get();
  CHECK(result.code() == v1::ERROR_CODE_OK);
  REQUIRE(a_fac.client().wait_for_version(result.state_version(), kWait).has_value());
  CHECK(a_fac.client().state().hand_queue_size() == 1);
  // What they saw is what the store holds.
  CHECK(f.store->sessions().at(a.session_id).version >= result.state_version());
  // Said by the store thread once the write is done, maybe after the room heard.
  CHECK(logged_within(f.log, "store: a write to memory took", 5s));
}

TEST_CASE("Store failure: a room whose write failed refuses changes and joins with a clear error, holds what it "
          "accepted, and shows it once the store works again",
          "[store][integration]") {
  StoreFixture f;
  const auto a = f.create("room");
  Member fac("facilitator"), ben("participant"), late("participant again");
  fac.join(a.invites[0]);
  ben.join(a.invites[1]);
  wait_all({&fac, &ben}, ben.client().state().version());
  const auto before = fac.client().state();

  f.store->fail(true);
  auto raised = std::async(std::launch::async, [&] { return ben.client().send(sdk::cmd::raise_hand()); });
  // Once the room's write failed, it takes nothing more (a command it would
  // refuse anyway tells when that is).
  v1::CommandResult refused;
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  do {
    refused = fac.client().send(fac.harmless_command(), 200ms);  // Held, until the room knows.
  } while (refused.code() != v1::ERROR_CODE_UNAVAILABLE && std::chrono::steady_clock::now() < deadline);
  REQUIRE(refused.code() == v1::ERROR_CODE_UNAVAILABLE);
  const auto step = fac.client().send(sdk::cmd::next_phase());
  CHECK(step.code() == v1::ERROR_CODE_UNAVAILABLE);
  CHECK(step.message().find("nothing changed") != std::string::npos);
  const auto join_while_failing = late.try_join(a.invites[1]);
  CHECK(join_while_failing.http_status == 503);
  CHECK(join_while_failing.code == "store_unavailable");
  CHECK(fac.client().state().version() == before.version());  // Nothing shown that is not on disk.

  f.store->fail(false);
  const auto result = raised.get();  // The held change goes out after the next (retried) write.
  CHECK(result.code() == v1::ERROR_CODE_OK);
  REQUIRE(fac.client().wait_for_version(result.state_version(), kWait).has_value());
  CHECK(fac.client().state().hand_queue_size() == 1);
  CHECK(fac.client().state().phase_index() == before.phase_index());  // The refused step did not happen.
  CHECK(f.store->sessions().at(a.session_id).version >= result.state_version());
  must(fac, sdk::cmd::next_phase());
  CHECK(logged_within(f.log, "store: a write to memory failed", 5s));
  CHECK(logged_within(f.log, "store: writing to memory works again", 5s));
}

}  // namespace
}  // namespace balint::test
