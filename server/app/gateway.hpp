// Routes what arrives on the port: health check, admin API, WebSocket joins
// (token checked, then handed to the session's room), and the web client's
// files (or, without a web root, a landing page).
#pragma once

#include "app/admin_api.hpp"
#include "app/config.hpp"
#include "app/registry.hpp"
#include "app/static_files.hpp"
#include "net/router.hpp"

#include <memory>

namespace balint::app {

class Gateway : public net::Router {
 public:
  // Loads config.web_root if set; throws std::runtime_error if it cannot be
  // served (see StaticFiles).
  Gateway(const Config& config, Registry& registry, net::WorkerPool& workers);

  void handle_http(net::Request request, net::Respond respond) override;
  std::variant<net::Response, net::Admit> handle_upgrade(const net::Request& request) override;

 private:
  const Config& config_;
  Registry& registry_;
  AdminApi admin_;
  std::unique_ptr<const StaticFiles> static_files_;  // Null without a web root.
};

// The join token of an upgrade request: the `token` query parameter, or an
// `Authorization: Bearer` header. Empty if neither.
std::string token_of(const net::Request& request);

}  // namespace balint::app
