// balint-cli: create sessions, join them from a terminal or a script, list and
// end them.

#include "cli.hpp"

#include "balint/sdk/admin_client.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string_view>

namespace balint::cli {
namespace {

constexpr const char* kUsage = R"(usage:
  balint-cli create [--server URL] [--admin-secret S | --admin-secret-file FILE]
                    [--ca-file FILE] --name NAME --format balint|ccdg|FILE.json
                    [--presenter ID] [--max-members N] [--ground-rules TEXT]
                    --invite "Name:role[:id]" [--invite ...]
      Creates a session and prints one line per invitee: name, role, join link
      (tab-separated). Roles: facilitator, co_facilitator, participant,
      presenter, room.
  balint-cli join LINK_OR_TOKEN [--server ws://127.0.0.1:8080/ws]
                  [--ca-file FILE] [--no-screen]
      Joins a session, shows its state after every change and reads commands
      from stdin, one per line (type "help" for the list). Ends on EOF, "quit",
      "leave", or when the server closes the connection.
  balint-cli sessions [--server URL] [--admin-secret ...] [--ca-file FILE]
      Lists the server's sessions.
  balint-cli end SESSION_ID [--server URL] [--admin-secret ...]
                 [--ca-file FILE]
      Ends a session for everyone.

  The admin commands use --server (default $BALINT_SERVER or
  http://127.0.0.1:8080) and the admin secret from --admin-secret,
  $BALINT_ADMIN_SECRET or --admin-secret-file (default data/admin.secret).
  Servers may be http:// or https:// (links https://, WebSockets wss://);
  the server's certificate is checked against the system's trusted
  certificates and, with --ca-file FILE (or $BALINT_CA_FILE), the PEM
  certificates in FILE too, e.g. a self-signed server certificate.
)";

std::string trim(std::string text) {
  const auto not_space = [](unsigned char c) { return !std::isspace(c); };
  text.erase(text.begin(), std::find_if(text.begin(), text.end(), not_space));
  text.erase(std::find_if(text.rbegin(), text.rend(), not_space).base(), text.end());
  return text;
}

}  // namespace

std::string Args::get(const std::string& name, const std::string& fallback) const {
  auto it = options.find(name);
  if (it == options.end() || it->second.empty()) return fallback;
  return it->second.back();
}

const std::vector<std::string>& Args::all(const std::string& name) const {
  static const std::vector<std::string> empty;
  auto it = options.find(name);
  return it == options.end() ? empty : it->second;
}

Args parse_args(int argc, char** argv, int first, const OptionSpec& spec) {
  const auto takes_value = [&](const std::string& n) {
    return std::find(spec.with_value.begin(), spec.with_value.end(), n) != spec.with_value.end();
  };
  const auto is_flag = [&](const std::string& n) {
    return std::find(spec.flags.begin(), spec.flags.end(), n) != spec.flags.end();
  };
  Args args;
  bool options_done = false;
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (options_done || arg.size() < 2 || arg.compare(0, 2, "--") != 0) {
      args.positional.push_back(std::move(arg));
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    if (is_flag(name)) {
      if (value) throw UsageError("--" + name + " takes no value");
      args.options[name].push_back("");
    } else if (takes_value(name)) {
      if (!value) {
        if (i + 1 >= argc) throw UsageError("--" + name + " needs a value");
        value = argv[++i];
      }
      args.options[name].push_back(*value);
    } else {
      throw UsageError("unknown option --" + name);
    }
  }
  return args;
}

std::string admin_server(const Args& args) {
  if (args.has("server")) return args.get("server");
  if (const char* env = std::getenv("BALINT_SERVER"); env && *env) return env;
  return "http://127.0.0.1:8080";
}

std::string admin_secret(const Args& args) {
  if (args.has("admin-secret")) {
    std::string secret = args.get("admin-secret");
    if (secret.empty()) throw UsageError("--admin-secret is empty");
    return secret;
  }
  if (const char* env = std::getenv("BALINT_ADMIN_SECRET"); env && *env) return env;
  const std::string file = args.get("admin-secret-file", "data/admin.secret");
  std::ifstream in(file);
  if (!in)
    throw UsageError("no admin secret: pass --admin-secret, set BALINT_ADMIN_SECRET, or point "
                     "--admin-secret-file at the server's admin.secret (tried " + file + ")");
  std::stringstream text;
  text << in.rdbuf();
  std::string secret = trim(text.str());
  if (secret.empty()) throw UsageError("the admin secret file " + file + " is empty");
  return secret;
}

std::string ca_file(const Args& args) {
  if (args.has("ca-file")) {
    std::string file = args.get("ca-file");
    if (file.empty()) throw UsageError("--ca-file is empty");
    return file;
  }
  if (const char* env = std::getenv("BALINT_CA_FILE"); env && *env) return env;
  return {};
}

sdk::AdminClient admin_client(const Args& args) {
  sdk::AdminOptions options;
  options.ca_file = ca_file(args);
  return sdk::AdminClient(admin_server(args), admin_secret(args), options);
}

}  // namespace balint::cli

int main(int argc, char** argv) {
  using namespace balint::cli;
  if (argc < 2) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string command = argv[1];
  if (command == "help" || command == "--help" || command == "-h") {
    std::cout << kUsage;
    return 0;
  }
  const OptionSpec admin_options{{"server", "admin-secret", "admin-secret-file", "ca-file"}, {}};
  try {
    if (command == "create") {
      OptionSpec spec = admin_options;
      spec.with_value.insert(spec.with_value.end(),
                             {"name", "format", "presenter", "invite", "max-members", "ground-rules"});
      return run_create(parse_args(argc, argv, 2, spec));
    }
    if (command == "join") return run_join(parse_args(argc, argv, 2, {{"server", "ca-file"}, {"no-screen"}}));
    if (command == "sessions") return run_sessions(parse_args(argc, argv, 2, admin_options));
    if (command == "end") return run_end(parse_args(argc, argv, 2, admin_options));
    throw UsageError("unknown command \"" + command + "\"");
  } catch (const UsageError& e) {
    std::cerr << "balint-cli: " << e.what() << "\n(run \"balint-cli help\" for usage)\n";
    return 2;
  } catch (const balint::sdk::ApiError& e) {
    std::cerr << "balint-cli: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "balint-cli: " << e.what() << "\n";
    return 1;
  }
}
