// balint-server: runs the Balint Room server until SIGINT or SIGTERM.
#include "app/config.hpp"
#include "app/log.hpp"
#include "app/server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

namespace {

constexpr std::string_view usage = R"(Usage: balint-server [options]

Runs the Balint Room server. With no options it listens on 127.0.0.1:8080 and
keeps its secrets in ./data.

Options:
  --config FILE      read settings from a JSON file (see deploy/balint-room.example.json)
  --bind ADDRESS     address to listen on (default 127.0.0.1)
  --port N           port to listen on (default 8080; 0 picks a free one)
  --data-dir DIR     where secrets and the store are kept (default ./data)
  --public-url URL   base of the join links handed out
  --web-root DIR     folder of static files to serve
  --threads N        worker threads (default: one per core)
  --reconnect-grace SECONDS
                     how long a dropped member keeps their place (default 60;
                     0 to 3600, 0 removes them at once)
  --log-level LEVEL  error, warn, info or debug (default info)
  --help             show this text
  --version          show the version
)";

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "balint-server: " << message << "\n\n" << usage;
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  using balint::app::Config;
  Config config;
  try {
    // The config file comes first so that flags override it.
    for (int i = 1; i + 1 < argc; ++i)
      if (std::string_view(argv[i]) == "--config") config = balint::app::load_config_file(argv[i + 1], config);

    for (int i = 1; i < argc; ++i) {
      const std::string_view flag = argv[i];
      if (flag == "--help") {
        std::cout << usage;
        return 0;
      }
      if (flag == "--version") {
        std::cout << "balint-server " << BALINT_VERSION << "\n";
        return 0;
      }
      if (i + 1 >= argc) usage_error("unknown option or missing value: " + std::string(flag));
      const std::string value = argv[++i];
      auto number = [&](unsigned long max) {
        try {
          std::size_t used = 0;
          const unsigned long n = std::stoul(value, &used);
          if (used == value.size() && n <= max) return n;
        } catch (const std::exception&) {
        }
        usage_error(std::string(flag) + " needs a whole number from 0 to " + std::to_string(max));
      };
      if (flag == "--config") continue;
      else if (flag == "--bind") config.bind_address = value;
      else if (flag == "--port") config.port = static_cast<std::uint16_t>(number(65535));
      else if (flag == "--data-dir") config.data_dir = value;
      else if (flag == "--public-url") config.public_url = value;
      else if (flag == "--web-root") config.web_root = value;
      else if (flag == "--threads") config.threads = static_cast<unsigned>(number(256));
      else if (flag == "--reconnect-grace") config.reconnect_grace = std::chrono::seconds(number(3600));
      else if (flag == "--log-level") config.log_level = value;
      else usage_error("unknown option: " + std::string(flag));
    }
    if (auto problem = balint::app::validate(config); !problem.empty()) usage_error(problem);

    balint::app::Server server(config);
    server.start();
    std::cout << "Balint Room is running.\n"
              << "  Server:        " << server.base_url() << "\n"
              << "  WebSocket:     ws" << server.base_url().substr(4) << "/ws\n"
              << (config.web_root.empty() ? std::string{}
                                          : "  Web client:    " + server.base_url() +
                                                "/ (create a session there; people join from their links)\n")
              << (config.admin_bind_address.empty()
                      ? std::string{}
                      : "  Admin API:     " + config.admin_bind_address + ":" + std::to_string(server.admin_port()) +
                            " (not on the public port)\n")
              << "  Admin secret:  " << config.data_dir << "/admin.secret (unless set in the config)\n"
              << "Create a session in another terminal:\n"
              << "  build/client-sdk/cli/balint-cli create --server " << server.base_url()
              << " --format ccdg --name \"My group\" --invite \"Ada:facilitator\" --invite \"Ben:presenter\" "
                 "--invite \"Cy:participant\"\n"
              << "Press Ctrl-C to stop." << std::endl;

    boost::asio::io_context signals_context;
    boost::asio::signal_set signals(signals_context, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code&, int) { server.stop(); });
    signals_context.run();
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "balint-server: " << error.what() << "\n";
    return 1;
  }
}
