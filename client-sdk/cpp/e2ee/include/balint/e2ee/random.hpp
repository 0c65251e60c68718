// Where random bytes come from. Production uses the system generator; tests
// and vector generation use a seeded one so that every run is the same.
#pragma once

#include "balint/e2ee/secret.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace balint::e2ee {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  virtual void fill(unsigned char* out, std::size_t n) = 0;
};

// randombytes_buf: the operating system's generator.
class SystemRandom final : public RandomSource {
 public:
  SystemRandom();
  void fill(unsigned char* out, std::size_t n) override;
};

// Deterministic bytes for tests: the same seed gives the same sequence of
// fills. Never use it for real keys.
class SeededRandom final : public RandomSource {
 public:
  // The 8 bytes of `seed`, big-endian, then zeros make the 32-byte seed.
  explicit SeededRandom(std::uint64_t seed);
  // `seed` must be 32 bytes (std::invalid_argument).
  explicit SeededRandom(std::string_view seed);

  void fill(unsigned char* out, std::size_t n) override;

 private:
  Key seed_;
  std::uint64_t fills_ = 0;
};

// A secret of fresh random bytes.
template <std::size_t N>
Secret<N> random_secret(RandomSource& random) {
  Secret<N> secret;
  random.fill(secret.data(), N);
  return secret;
}

}  // namespace balint::e2ee
