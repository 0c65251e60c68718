// The store thread on its own, over a store in memory that can stall and
// fail: a burst of one session's changes costs one write, everything waiting
// goes in one transaction, and every caller hears how it went.
#include "app/store_thread.hpp"

#include "../fake_store.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <thread>

namespace {

using balint::app::SessionWrite;
using balint::app::StoreThread;
using balint::test::FakeStore;
using namespace std::chrono_literals;

struct Fixture {
  std::shared_ptr<FakeStore::Controls> store = std::make_shared<FakeStore::Controls>();
  StoreThread thread{std::make_unique<FakeStore>(store)};
};

// The answers of several writes, as they come (on the store thread).
struct Answers {
  StoreThread::Done next() {
    return [this](bool durable) {
      std::lock_guard lock(mutex);
      seen.push_back(durable);
      changed.notify_all();
    };
  }
  std::vector<bool> wait_for(std::size_t count) {
    std::unique_lock lock(mutex);
    changed.wait_for(lock, 5s, [&] { return seen.size() >= count; });
    return seen;
  }
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<bool> seen;
};

SessionWrite record(const std::string& id, std::uint64_t version) {
  return {id, version, false, id + " v" + std::to_string(version)};
}

TEST_CASE("Store thread: a burst of one session's changes while the store is busy costs one write, and all of them go "
          "in one transaction with the other sessions'",
          "[store]") {
  Fixture f;
  Answers answers;
  f.store->stall();
  f.thread.save(record("s1", 1), answers.next());
  REQUIRE(f.store->wait_until_stalled(5s));  // s1 v1 is being written.
  f.thread.save(record("s1", 2), answers.next());
  f.thread.save(record("s2", 1), answers.next());
  f.thread.save(record("s1", 3), answers.next());
  f.store->release();

  CHECK(answers.wait_for(4) == std::vector<bool>{true, true, true, true});
  CHECK(f.store->batches() == 2);          // v1 alone, then everything that waited.
  CHECK(f.store->records_written() == 3);  // s1 v1, s1 v3 (v2 replaced), s2 v1.
  const auto stored = f.store->sessions();
  CHECK(stored.at("s1").record == "s1 v3");
  CHECK(stored.at("s2").record == "s2 v1");
}

TEST_CASE("Store thread: a job runs after everything handed over before it", "[store]") {
  Fixture f;
  f.store->stall();
  Answers answers;
  f.thread.save(record("s1", 1), answers.next());
  REQUIRE(f.store->wait_until_stalled(5s));
  f.thread.save(record("s1", 2), answers.next());
  std::promise<std::string> seen;
  f.thread.run(
      [&](balint::app::Store& store) {
        seen.set_value(store.session_records().at(0));
        return true;
      },
      answers.next());
  f.store->release();
  auto result = seen.get_future();
  REQUIRE(result.wait_for(5s) == std::future_status::ready);
  CHECK(result.get() == "s1 v2");
  CHECK(answers.wait_for(3) == std::vector<bool>{true, true, true});
}

TEST_CASE("Store thread: a store that fails answers false and is reported failing until a write works again",
          "[store]") {
  Fixture f;
  Answers answers;
  f.store->fail(true);
  f.thread.save(record("s1", 1), answers.next());
  CHECK(answers.wait_for(1) == std::vector<bool>{false});
  CHECK(f.thread.failing());
  CHECK(f.store->sessions().empty());

  f.store->fail(false);
  f.thread.save(record("s1", 2), answers.next());
  CHECK(answers.wait_for(2) == std::vector<bool>{false, true});
  CHECK_FALSE(f.thread.failing());
  CHECK(f.store->sessions().at("s1").record == "s1 v2");
}

TEST_CASE("Store thread: a write under way is measured while it lasts, and stop() writes all that was handed over",
          "[store]") {
  Fixture f;
  Answers answers;
  CHECK(f.thread.busy_for() == 0ms);
  f.store->stall();
  f.thread.save(record("s1", 1), answers.next());
  REQUIRE(f.store->wait_until_stalled(5s));
  std::this_thread::sleep_for(50ms);
  CHECK(f.thread.busy_for() >= 50ms);
  for (std::uint64_t version = 2; version <= 5; ++version) f.thread.save(record("s" + std::to_string(version), 1), answers.next());

  std::thread releaser([&] {
    std::this_thread::sleep_for(20ms);
    f.store->release();
  });
  f.thread.stop();
  releaser.join();
  CHECK(answers.seen.size() == 5);  // stop() returned: every answer is in.
  CHECK(f.store->sessions().size() == 5);
  CHECK(f.thread.busy_for() == 0ms);
}

}  // namespace
