// Counts open connections, in all and per remote IP address, so that
// neither one address nor everyone together can take every descriptor the
// server has. Any thread.
#pragma once

#include "net/net.hpp"

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace balint::net {

class ConnectionLimit : public std::enable_shared_from_this<ConnectionLimit> {
 public:
  ConnectionLimit(std::uint32_t per_address, std::uint32_t total) : per_address_(per_address), total_(total) {}

  // One connection's place in the count; given back when the last copy goes.
  using Slot = std::shared_ptr<void>;
  // Why there is no place: the server's or the address's count is full.
  enum class Full { none, server, address };

  struct Taken {
    Slot slot;  // Null when full.
    Full full = Full::none;
  };

  // A place for a new connection from `address` (counted by its
  // client_key).
  Taken take(const asio::ip::address& address);

 private:
  void give_back(const asio::ip::address& address);

  const std::uint32_t per_address_;
  const std::uint32_t total_;
  mutable std::mutex mutex_;
  std::unordered_map<asio::ip::address, std::uint32_t> open_;
  std::uint32_t open_total_ = 0;
};

}  // namespace balint::net
