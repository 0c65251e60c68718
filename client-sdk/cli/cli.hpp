// Shared pieces of balint-cli: argument parsing and the subcommands.
#pragma once

#include "balint/sdk/admin_client.hpp"

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace balint::cli {

// A mistake in how the program was called: message on stderr, exit 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parsed command line of one subcommand: options (repeatable ones keep every
// value) and positional arguments.
struct Args {
  std::map<std::string, std::vector<std::string>> options;
  std::vector<std::string> positional;

  bool has(const std::string& name) const { return options.count(name) != 0; }
  // The last value of an option, or `fallback`.
  std::string get(const std::string& name, const std::string& fallback = {}) const;
  const std::vector<std::string>& all(const std::string& name) const;
};

// What a subcommand accepts: options that take a value and flags that do not.
struct OptionSpec {
  std::vector<std::string> with_value;
  std::vector<std::string> flags;
};

// Parses argv[first..]; throws UsageError on an unknown option or a missing
// value. Accepts "--name value" and "--name=value"; "--" ends the options.
Args parse_args(int argc, char** argv, int first, const OptionSpec& spec);

// The admin API URL: --server, else $BALINT_SERVER, else the local default.
std::string admin_server(const Args& args);

// The admin secret: --admin-secret, else $BALINT_ADMIN_SECRET, else the
// contents of --admin-secret-file (default data/admin.secret). Throws
// UsageError when none is found.
std::string admin_secret(const Args& args);

// A PEM file of certificates to trust for https:// and wss:// besides the
// system's: --ca-file, else $BALINT_CA_FILE, else none.
std::string ca_file(const Args& args);

// The admin API client for --server, the admin secret and --ca-file.
sdk::AdminClient admin_client(const Args& args);

int run_create(const Args& args);
int run_sessions(const Args& args);
int run_end(const Args& args);
int run_join(const Args& args);

}  // namespace balint::cli
