#include "balint/e2ee/init.hpp"

#include <sodium.h>

#include <stdexcept>

namespace balint::e2ee {

void ensure_sodium() {
  // A function-local static runs sodium_init() exactly once, even with
  // several threads arriving together.
  static const bool started = sodium_init() >= 0;
  if (!started) throw std::runtime_error("libsodium could not be initialised");
}

}  // namespace balint::e2ee
