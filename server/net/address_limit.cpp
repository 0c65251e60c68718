#include "net/address_limit.hpp"

namespace balint::net {

AddressLimit::Slot AddressLimit::take(const asio::ip::address& address) {
  {
    std::lock_guard lock(mutex_);
    auto& open = open_[address];
    if (open >= per_address_) {
      if (open == 0) open_.erase(address);
      return nullptr;
    }
    ++open;
  }
  // The slot's deleter gives the place back; it keeps the counter alive.
  return Slot(static_cast<void*>(this), [self = shared_from_this(), address](void*) { self->give_back(address); });
}

std::uint32_t AddressLimit::open_from(const asio::ip::address& address) const {
  std::lock_guard lock(mutex_);
  const auto it = open_.find(address);
  return it == open_.end() ? 0 : it->second;
}

void AddressLimit::give_back(const asio::ip::address& address) {
  std::lock_guard lock(mutex_);
  const auto it = open_.find(address);
  if (it != open_.end() && --it->second == 0) open_.erase(it);
}

}  // namespace balint::net
