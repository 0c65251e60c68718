// libsodium must be initialised once before use. Every entry point of this
// library that needs it calls ensure_sodium(), so callers never have to.
#pragma once

namespace balint::e2ee {

// Initialises libsodium on the first call (thread-safe); later calls only
// check. Throws std::runtime_error if libsodium cannot start (no entropy).
void ensure_sodium();

}  // namespace balint::e2ee
