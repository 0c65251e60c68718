// Every room on the server, by session id. Any thread.
#pragma once

#include "app/room.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace balint::app {

class Registry {
 public:
  // Adds `room` unless `max_live` sessions that have not ended are running.
  bool add(std::shared_ptr<Room> room, std::size_t max_live) {
    std::lock_guard lock(mutex_);
    std::size_t live = 0;
    for (const auto& [id, other] : rooms_) live += other->summary().ended ? 0 : 1;
    if (live >= max_live) return false;
    rooms_[room->summary().session_id] = std::move(room);
    return true;
  }

  void remove(const std::string& session_id) {
    std::lock_guard lock(mutex_);
    rooms_.erase(session_id);
  }

  std::shared_ptr<Room> find(const std::string& session_id) const {
    std::lock_guard lock(mutex_);
    const auto it = rooms_.find(session_id);
    return it == rooms_.end() ? nullptr : it->second;
  }

  std::vector<std::shared_ptr<Room>> all() const {
    std::lock_guard lock(mutex_);
    std::vector<std::shared_ptr<Room>> rooms;
    for (const auto& [id, room] : rooms_) rooms.push_back(room);
    return rooms;
  }

  std::size_t open_connections() const {
    std::size_t total = 0;
    for (const auto& room : all()) total += room->open_connections();
    return total;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<Room>> rooms_;
};

}  // namespace balint::app
