// A store in memory that a test can stall and make fail, to see what the
// server does when its disk is slow or broken. The test keeps the Controls;
// the server owns the store.
#pragma once

#include "app/store.hpp"

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>

namespace balint::test {

class FakeStore final : public app::Store {
 public:
  struct Controls {
    // While stalled, a write waits (inside the store thread) until release().
    void stall() {
      std::lock_guard lock(mutex);
      stalled = true;
    }
    void release() {
      {
        std::lock_guard lock(mutex);
        stalled = false;
      }
      changed.notify_all();
    }
    void fail(bool failing) {
      std::lock_guard lock(mutex);
      this->failing = failing;
    }
    // Waits (up to `wait`) until a write is stalled inside the store.
    bool wait_until_stalled(std::chrono::milliseconds wait) {
      std::unique_lock lock(mutex);
      return changed.wait_for(lock, wait, [&] { return writes_waiting > 0; });
    }
    std::size_t batches() const {
      std::lock_guard lock(mutex);
      return batch_count;
    }
    std::size_t records_written() const {
      std::lock_guard lock(mutex);
      return record_count;
    }
    std::map<std::string, app::SessionWrite> sessions() const {
      std::lock_guard lock(mutex);
      return stored;
    }

    mutable std::mutex mutex;
    std::condition_variable changed;
    bool stalled = false;
    bool failing = false;
    int writes_waiting = 0;
    std::size_t batch_count = 0;   // Successful save_sessions calls.
    std::size_t record_count = 0;  // Records in them.
    std::map<std::string, app::SessionWrite> stored;
    std::map<std::string, std::vector<app::StoredInvitee>> invited;
  };

  explicit FakeStore(std::shared_ptr<Controls> controls) : controls_(std::move(controls)) {}

  bool save_sessions(const std::vector<app::SessionWrite>& writes) override {
    auto& c = *controls_;
    std::unique_lock lock(c.mutex);
    ++c.writes_waiting;
    c.changed.notify_all();
    c.changed.wait(lock, [&] { return !c.stalled; });
    --c.writes_waiting;
    if (c.failing) return false;
    ++c.batch_count;
    for (const auto& write : writes) {
      c.stored[write.session_id] = write;
      ++c.record_count;
    }
    return true;
  }
  bool delete_session(const std::string& session_id) override {
    std::lock_guard lock(controls_->mutex);
    controls_->stored.erase(session_id);
    controls_->invited.erase(session_id);
    return !controls_->failing;
  }
  bool save_invitees(const std::string& session_id, const std::vector<app::StoredInvitee>& invitees) override {
    std::lock_guard lock(controls_->mutex);
    if (controls_->failing) return false;
    auto& list = controls_->invited[session_id];
    list.insert(list.end(), invitees.begin(), invitees.end());
    return true;
  }
  std::vector<std::string> session_records() const override {
    std::lock_guard lock(controls_->mutex);
    std::vector<std::string> records;
    for (const auto& [id, write] : controls_->stored) records.push_back(write.record);
    return records;
  }
  std::vector<app::StoredInvitee> invitees(const std::string& session_id) const override {
    std::lock_guard lock(controls_->mutex);
    const auto it = controls_->invited.find(session_id);
    return it == controls_->invited.end() ? std::vector<app::StoredInvitee>{} : it->second;
  }
  std::string where() const override { return "memory"; }

 private:
  std::shared_ptr<Controls> controls_;
};

}  // namespace balint::test
