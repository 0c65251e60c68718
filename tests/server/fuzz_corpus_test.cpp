// The fuzzer's seed scripts, played through the real room protocol in every
// build (tests/fuzz/fuzz_room.hpp): every effect carried out, every
// invariant checked after every input. A broken one aborts with its reason.
#include "app/log.hpp"
#include "fuzz_room.hpp"

#include <catch2/catch.hpp>

#include <google/protobuf/stubs/logging.h>

#include <filesystem>
#include <fstream>
#include <iterator>

namespace {

TEST_CASE("Fuzz corpus: every seed script plays through the room protocol with its invariants holding", "[room][fuzz]") {
  google::protobuf::SetLogHandler(nullptr);  // Seeds hold strings that are not UTF-8 on purpose.
  balint::app::set_log_level(balint::app::LogLevel::error);
  const std::filesystem::path corpus = std::filesystem::path(BALINT_SOURCE_DIR) / "tests/fuzz/corpus/fuzz_client_message";
  std::size_t seeds = 0;
  std::size_t answered = 0;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    INFO(entry.path().filename().string());
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto script = balint::fuzz::read_script(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    balint::fuzz::FuzzRoom room(script.balint_format);
    for (const auto& step : script.steps) answered += room.play(step).has_value() ? 1 : 0;
    ++seeds;
  }
  CHECK(seeds >= 30);
  CHECK(answered > seeds);  // The scripts reach the room, and it answers them.
}

}  // namespace
