// The admin HTTP API: create, list, inspect and end sessions and mint
// invites, behind the admin credential. JSON in and out; errors as
// {"error":{"code","message"}}.
#pragma once

#include "app/config.hpp"
#include "app/registry.hpp"
#include "net/failure_throttle.hpp"
#include "net/net.hpp"
#include "net/worker_pool.hpp"

#include <memory>

namespace balint::app {

class AdminApi {
 public:
  AdminApi(const Config& config, Registry& registry, net::WorkerPool& workers, std::shared_ptr<StoreThread> store);

  // Each address may get the admin secret wrong this many times in a row,
  // then once per kFailureInterval: a guesser is slowed from thousands of
  // tries a second to a few a minute; a person who mistypes is not.
  static constexpr std::uint32_t kFailureBurst = 10;
  static constexpr std::chrono::seconds kFailureInterval{6};

  // True if the request's target is the admin API's.
  static bool handles(std::string_view target);
  void handle(const net::Request& request, const net::asio::ip::address& peer, net::Respond respond);

 private:
  // Answers once the new session's record is durable.
  void create_session(const net::Request& request, const net::Respond& respond);
  void invite(const net::Request& request, const std::shared_ptr<Room>& room, const net::Respond& respond);

  net::Response list_sessions(const net::Request& request);

  const Config& config_;
  Registry& registry_;
  net::WorkerPool& workers_;
  std::shared_ptr<StoreThread> store_;
  net::FailureThrottle failures_{{1.0 / kFailureInterval.count(), kFailureBurst}, 10000};
};

}  // namespace balint::app
