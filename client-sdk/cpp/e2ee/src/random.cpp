#include "balint/e2ee/random.hpp"

#include "balint/e2ee/bytes.hpp"
#include "balint/e2ee/derive.hpp"
#include "balint/e2ee/init.hpp"

#include <sodium.h>

namespace balint::e2ee {

namespace {

// The KDF context that turns the seed into one seed per fill.
constexpr std::string_view kSeededFillContext = "brseeded";

}  // namespace

SystemRandom::SystemRandom() { ensure_sodium(); }

void SystemRandom::fill(unsigned char* out, std::size_t n) { randombytes_buf(out, n); }

SeededRandom::SeededRandom(std::uint64_t seed) {
  ensure_sodium();
  const std::string head = u64_bytes(seed);
  for (std::size_t i = 0; i < head.size(); ++i) seed_.data()[i] = static_cast<unsigned char>(head[i]);
}

SeededRandom::SeededRandom(std::string_view seed) : seed_(Key::from_bytes(seed)) { ensure_sodium(); }

void SeededRandom::fill(unsigned char* out, std::size_t n) {
  // randombytes_buf_deterministic in libsodium 1.0.18 takes no nonce, so the
  // fill counter goes into a per-fill seed instead: successive fills differ,
  // and the sequence depends only on the seed.
  const Key fill_seed = kdf_key(seed_, fills_++, kSeededFillContext);
  randombytes_buf_deterministic(out, n, fill_seed.data());
}

}  // namespace balint::e2ee
