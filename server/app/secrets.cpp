#include "app/secrets.hpp"

#include "auth/token.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace balint::app {
namespace fs = std::filesystem;

std::string load_or_create_secret(const std::string& configured, const std::string& data_dir,
                                  const std::string& name) {
  if (!configured.empty()) return configured;
  std::error_code ec;
  fs::create_directories(data_dir, ec);
  if (ec) throw std::runtime_error("cannot create data directory " + data_dir + ": " + ec.message());
  fs::permissions(data_dir, fs::perms::owner_all, fs::perm_options::replace, ec);

  const fs::path path = fs::path(data_dir) / name;
  if (std::ifstream in(path); in) {
    std::string secret;
    std::getline(in, secret);
    if (secret.size() < 32)
      throw std::runtime_error(path.string() + " holds no usable secret (at least 32 characters are needed)");
    return secret;
  }
  const std::string secret = auth::random_secret(32) + "\n";
  // Created readable by the owner alone from the first byte.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) throw std::runtime_error("cannot create " + path.string() + ": " + std::strerror(errno));
  const bool written = ::write(fd, secret.data(), secret.size()) == static_cast<ssize_t>(secret.size());
  ::close(fd);
  if (!written) throw std::runtime_error("cannot write " + path.string());
  return secret.substr(0, secret.size() - 1);
}

}  // namespace balint::app
