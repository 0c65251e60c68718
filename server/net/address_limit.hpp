// Counts open connections per remote IP address, so that one address cannot
// take every socket the server has. Any thread.
#pragma once

#include "net/net.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace balint::net {

class AddressLimit : public std::enable_shared_from_this<AddressLimit> {
 public:
  explicit AddressLimit(std::uint32_t per_address) : per_address_(per_address) {}

  // One connection's place in the count; given back when the last copy goes.
  using Slot = std::shared_ptr<void>;

  // A slot for a new connection from `address`, or null if it has its fill.
  Slot take(const asio::ip::address& address);

  std::uint32_t open_from(const asio::ip::address& address) const;

 private:
  void give_back(const asio::ip::address& address);

  const std::uint32_t per_address_;
  mutable std::mutex mutex_;
  std::unordered_map<asio::ip::address, std::uint32_t> open_;
};

}  // namespace balint::net
