// Fixed-size secret bytes (secret keys, sender secrets, chain keys, pairwise
// keys) that are zeroed when they go away, so that a wiped keyring leaves no
// key behind in memory. Copies only happen on purpose, through clone().
#pragma once

#include <sodium.h>

#include <array>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>

namespace balint::e2ee {

template <std::size_t N>
class Secret {
 public:
  Secret() = default;  // All zero.

  // Copies `bytes`, which must be exactly N long (std::invalid_argument).
  static Secret from_bytes(std::string_view bytes) {
    if (bytes.size() != N) throw std::invalid_argument("secret of the wrong length");
    Secret secret;
    for (std::size_t i = 0; i < N; ++i) secret.bytes_[i] = static_cast<unsigned char>(bytes[i]);
    return secret;
  }

  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;

  // Moving leaves the source zeroed, so only one live copy exists.
  Secret(Secret&& other) noexcept : bytes_(other.bytes_) { other.wipe(); }
  Secret& operator=(Secret&& other) noexcept {
    if (this != &other) {
      bytes_ = other.bytes_;
      other.wipe();
    }
    return *this;
  }

  ~Secret() { wipe(); }

  Secret clone() const {
    Secret copy;
    copy.bytes_ = bytes_;
    return copy;
  }

  void wipe() { sodium_memzero(bytes_.data(), bytes_.size()); }

  static constexpr std::size_t size() { return N; }
  unsigned char* data() { return bytes_.data(); }
  const unsigned char* data() const { return bytes_.data(); }

  // The bytes as a string, for vectors and tests; the copy is not wiped.
  std::string reveal() const { return std::string(reinterpret_cast<const char*>(bytes_.data()), N); }

  // Constant-time comparison.
  bool equals(const Secret& other) const { return sodium_memcmp(bytes_.data(), other.bytes_.data(), N) == 0; }

 private:
  std::array<unsigned char, N> bytes_{};
};

// Every symmetric key of the spec is 32 bytes.
using Key = Secret<32>;

}  // namespace balint::e2ee
