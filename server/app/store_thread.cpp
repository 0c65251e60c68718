#include "app/store_thread.hpp"

#include "app/log.hpp"

namespace balint::app {
namespace {

std::chrono::milliseconds since(StoreThread::Clock::rep start) {
  if (start == 0) return std::chrono::milliseconds(0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(StoreThread::Clock::now().time_since_epoch() -
                                                               StoreThread::Clock::duration(start));
}

}  // namespace

StoreThread::StoreThread(std::unique_ptr<Store> store, std::chrono::microseconds gather)
    : store_(std::move(store)),
      where_(store_->where()),
      gather_(gather),
      worker_([this] { work(); }),
      watchdog_([this] { watch(); }) {}

void StoreThread::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  watch_wake_.notify_all();
  worker_.join();
  watchdog_.join();
}

void StoreThread::save(SessionWrite write, Done done) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    wake = idle_;
    if (const auto queued = waiting_.find(write.session_id); queued != waiting_.end()) {
      queued->second->write = std::move(write);
      queued->second->done.push_back(std::move(done));
      return;
    }
    const std::string id = write.session_id;
    tasks_.push_back(Task{std::move(write), nullptr, {}});
    tasks_.back().done.push_back(std::move(done));
    waiting_[id] = &tasks_.back();
  }
  if (wake) wake_.notify_one();
}

void StoreThread::run(Job job, Done done) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    wake = idle_;
    tasks_.push_back(Task{std::nullopt, std::move(job), {}});
    tasks_.back().done.push_back(std::move(done));
  }
  if (wake) wake_.notify_one();
}

std::chrono::milliseconds StoreThread::busy_for() const { return since(busy_since_.load()); }

void StoreThread::work() {
  for (;;) {
    std::deque<Task> taken;
    {
      std::unique_lock lock(mutex_);
      idle_ = true;
      wake_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
      idle_ = false;
      if (tasks_.empty()) return;  // Stopping, and everything is written.
      if (!stopping_ && gather_.count() > 0) {
        lock.unlock();
        std::this_thread::sleep_for(gather_);
        lock.lock();
      }
      taken.swap(tasks_);
      waiting_.clear();
    }
    busy_since_ = Clock::now().time_since_epoch().count();
    // Consecutive records go in one transaction; a job runs in its place.
    std::vector<Task> saves;
    for (auto& task : taken) {
      if (task.write) {
        saves.push_back(std::move(task));
        continue;
      }
      write_batch(saves);
      finish(task, task.job(*store_));
    }
    write_batch(saves);
    const auto took = since(busy_since_.exchange(0));
    if (took >= kStallReport)
      log(LogLevel::warn, "store: a write to ", where_, " took ", took.count(), " ms; rooms held their changes meanwhile");
  }
}

void StoreThread::write_batch(std::vector<Task>& saves) {
  if (saves.empty()) return;
  std::vector<SessionWrite> writes;
  writes.reserve(saves.size());
  for (auto& task : saves) writes.push_back(std::move(*task.write));
  const bool durable = store_->save_sessions(writes);
  for (auto& task : saves) finish(task, durable);
  saves.clear();
}

void StoreThread::finish(Task& task, bool durable) {
  if (durable != !failing_.load()) {
    failing_ = !durable;
    if (durable) log(LogLevel::warn, "store: writing to ", where_, " works again");
    else log(LogLevel::error, "store: a write to ", where_, " failed; rooms hold their changes and try again");
  }
  for (auto& done : task.done) done(durable);
}

// Says so, once, when a write has been under way for too long, so that an
// operator hears of a stalled disk while it is stalled.
void StoreThread::watch() {
  Clock::rep reported = 0;
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    watch_wake_.wait_for(lock, kStallReport / 2);
    const auto since_start = busy_since_.load();
    if (since_start == 0 || since_start == reported || since(since_start) < kStallReport) continue;
    reported = since_start;
    log(LogLevel::warn, "store: a write to ", where_, " has taken ", since(since_start).count(),
        " ms so far; rooms hold their changes until it is done");
  }
}

}  // namespace balint::app
