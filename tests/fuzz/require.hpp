// A check that holds in every build type: a broken rule aborts with a
// message, which libFuzzer reports as a crash together with the input.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace balint::fuzz {

inline void require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "fuzz check failed: %s\n", what);
  std::abort();
}

}  // namespace balint::fuzz
