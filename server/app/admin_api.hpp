// The admin HTTP API: create, list, inspect and end sessions and mint
// invites, behind the admin credential. JSON in and out; errors as
// {"error":{"code","message"}}.
#pragma once

#include "app/config.hpp"
#include "app/registry.hpp"
#include "net/net.hpp"
#include "net/worker_pool.hpp"

#include <memory>

namespace balint::app {

class AdminApi {
 public:
  AdminApi(const Config& config, Registry& registry, net::WorkerPool& workers, std::shared_ptr<Store> store);

  // True if the request's target is the admin API's.
  static bool handles(std::string_view target);
  void handle(const net::Request& request, net::Respond respond);

 private:
  net::Response create_session(const net::Request& request);
  void invite(const net::Request& request, const std::shared_ptr<Room>& room, const net::Respond& respond);

  net::Response list_sessions(const net::Request& request);

  const Config& config_;
  Registry& registry_;
  net::WorkerPool& workers_;
  std::shared_ptr<Store> store_;
};

}  // namespace balint::app
