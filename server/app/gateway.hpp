// Routes what arrives on the port: health check, admin API, landing page,
// and WebSocket joins (token checked, then handed to the session's room).
#pragma once

#include "app/admin_api.hpp"
#include "app/config.hpp"
#include "app/registry.hpp"
#include "net/router.hpp"

namespace balint::app {

class Gateway : public net::Router {
 public:
  Gateway(const Config& config, Registry& registry, net::WorkerPool& workers);

  void handle_http(net::Request request, net::Respond respond) override;
  std::variant<net::Response, net::Admit> handle_upgrade(const net::Request& request) override;

 private:
  const Config& config_;
  Registry& registry_;
  AdminApi admin_;
};

// The join token of an upgrade request: the `token` query parameter, or an
// `Authorization: Bearer` header. Empty if neither.
std::string token_of(const net::Request& request);

}  // namespace balint::app
