#include "net/connection_limit.hpp"

namespace balint::net {

ConnectionLimit::Taken ConnectionLimit::take(const asio::ip::address& peer) {
  const auto address = client_key(peer);
  {
    std::lock_guard lock(mutex_);
    if (open_total_ >= total_) return {nullptr, Full::server};
    auto& open = open_[address];
    if (open >= per_address_) {
      if (open == 0) open_.erase(address);
      return {nullptr, Full::address};
    }
    ++open;
    ++open_total_;
  }
  // The slot's deleter gives the place back; it keeps the counter alive.
  return {Slot(static_cast<void*>(this), [self = shared_from_this(), address](void*) { self->give_back(address); }),
          Full::none};
}

void ConnectionLimit::give_back(const asio::ip::address& address) {
  std::lock_guard lock(mutex_);
  const auto it = open_.find(address);
  if (it != open_.end() && --it->second == 0) open_.erase(it);
  --open_total_;
}

}  // namespace balint::net
