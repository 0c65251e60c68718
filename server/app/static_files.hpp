// The web client's files, served over HTTP from a read-only snapshot taken
// at start: every regular file under the web root is read into memory once,
// so a request can only ever reach a file that was in the folder then, and
// a half-written deploy is never served.
#pragma once

#include "net/net.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

namespace balint::app {

class StaticFiles {
 public:
  // Largest total size of the snapshot; a bigger folder is not a web client.
  static constexpr std::size_t max_total_bytes = 64 * 1024 * 1024;

  // Reads every file under `root`. Throws std::runtime_error naming the
  // folder and the problem if it does not exist, has no index.html, or holds
  // more than max_total_bytes.
  explicit StaticFiles(const std::string& root);

  // Answers a request that nothing else on the port claimed: GET or HEAD of
  // a file, index.html at "/" and "/join", or a JSON error.
  net::Response answer(const net::Request& request) const;

  std::size_t file_count() const { return files_.size(); }
  std::size_t total_bytes() const { return total_bytes_; }
  const std::string& root() const { return root_; }

 private:
  struct File {
    std::string bytes;
    std::string content_type;
    std::string etag;  // A quoted strong tag: a hash of the bytes.
    std::string cache_control;
  };

  std::string root_;
  std::size_t total_bytes_ = 0;
  std::unordered_map<std::string, File> files_;  // By URL path, e.g. "/assets/app-1234.js".
};

// The MIME type served for a file, from its extension.
std::string_view content_type_for(std::string_view file_name);

}  // namespace balint::app
