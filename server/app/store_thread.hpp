// The one thread that talks to the store, so that no worker's event loop
// ever waits on a disk.
//
// Rooms hand it their records; a record of a session still waiting to be
// written is replaced by the newer one, so a burst of changes costs one
// write, and everything waiting is written in one transaction. Each caller
// hears, on this thread, whether what it handed over is durable; rooms hold
// what they would show their members until then (see room.hpp).
//
// A write that fails is logged, and so is a write that has taken more than a
// second so far (once, while it lasts) and how long it took in the end.
#pragma once

#include "app/store.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

namespace balint::app {

class StoreThread {
 public:
  using Clock = std::chrono::steady_clock;
  // Runs on the store thread: true if the write (or a newer one of the same
  // session) is durable, false if the store refused it.
  using Done = std::function<void(bool durable)>;
  // Any call the store answers; runs on the store thread.
  using Job = std::function<bool(Store&)>;

  // How long a write may take before it is reported as stalled.
  static constexpr std::chrono::milliseconds kStallReport{1000};
  // Woken by the first record of a quiet spell, the thread waits this long
  // for more before it commits: under load, the changes of many rooms share
  // one commit and one wake-up, for at most this much added latency.
  static constexpr std::chrono::microseconds kGather{2000};

  explicit StoreThread(std::unique_ptr<Store> store, std::chrono::microseconds gather = kGather);
  ~StoreThread() { stop(); }

  // Writes everything handed over so far, then stops; what is handed over
  // later is never written. Once.
  void stop();

  StoreThread(const StoreThread&) = delete;
  StoreThread& operator=(const StoreThread&) = delete;

  // Any thread. Writes the session's record, or lets it replace the one of
  // the same session still waiting.
  void save(SessionWrite write, Done done);
  // Any thread. Runs `job` after everything handed over before it.
  void run(Job job, Done done);

  // Any thread: how long the write under way has taken so far (zero when
  // none is), and whether the last one failed. For readiness and metrics.
  std::chrono::milliseconds busy_for() const;
  bool failing() const { return failing_.load(); }

  const std::string& where() const { return where_; }

 private:
  // One thing to do, in order: a session's record (coalesced) or a job.
  struct Task {
    std::optional<SessionWrite> write;
    Job job;
    std::vector<Done> done;
  };

  void work();
  void watch();
  void write_batch(std::vector<Task>& saves);
  void finish(Task& task, bool durable);

  std::unique_ptr<Store> store_;
  const std::string where_;
  const std::chrono::microseconds gather_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable watch_wake_;
  std::deque<Task> tasks_;
  // The queued (not yet taken) write of each session, in tasks_.
  std::unordered_map<std::string, Task*> waiting_;
  bool stopping_ = false;
  bool idle_ = false;  // The thread waits for work: the next task wakes it.

  std::atomic<Clock::rep> busy_since_{0};  // Clock ticks; 0 when idle.
  std::atomic<bool> failing_{false};

  std::thread worker_;
  std::thread watchdog_;
};

}  // namespace balint::app
