// libFuzzer target: ClientMessages as a room receives them, applied to a
// session in progress, with the engine's invariants checked after every
// step (fuzz_room.hpp). The input is a short script (command_script.hpp) so
// that the fuzzer explores states several commands deep; tests/fuzz/README.md
// tells how to run it.
#include "command_script.hpp"
#include "fuzz_room.hpp"

#include <google/protobuf/stubs/logging.h>

#include <cstddef>
#include <cstdint>

// Protobuf logs every string field that is not UTF-8; the fuzzer sends many.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const balint::fuzz::Script script = balint::fuzz::read_script(data, size);
  balint::fuzz::FuzzRoom room(script.balint_format);
  for (const balint::fuzz::Step& step : script.steps) room.play(step);
  return 0;
}
