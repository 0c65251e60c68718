// The server's two secrets (admin credential, token signing key), kept in
// the data directory when the config does not give them.
#pragma once

#include <string>

namespace balint::app {

// Returns `configured` if set; otherwise the content of `data_dir/name`,
// creating it (mode 0600, data_dir 0700) with a fresh random secret if it
// does not exist. Throws std::runtime_error when the file cannot be used.
std::string load_or_create_secret(const std::string& configured, const std::string& data_dir,
                                  const std::string& name);

}  // namespace balint::app
