#include "command_script.hpp"

#include <algorithm>
#include <stdexcept>

namespace balint::fuzz {

namespace {

constexpr std::uint8_t kFlipBit = 0x80;
constexpr std::size_t kStepHeaderBytes = 4;

}  // namespace

Script read_script(const std::uint8_t* data, std::size_t size) {
  Script script;
  if (size == 0) return script;
  script.balint_format = (data[0] & 1) != 0;
  std::size_t at = 1;
  while (script.steps.size() < kMaxSteps && size - at >= kStepHeaderBytes) {
    Step step;
    step.actor = (data[at] & ~kFlipBit) % kCast.size();
    step.flip_connection = (data[at] & kFlipBit) != 0;
    step.wait_tens = data[at + 1];
    const std::size_t length = data[at + 2] | (std::size_t{data[at + 3]} << 8);
    at += kStepHeaderBytes;
    const std::size_t taken = std::min(length, size - at);
    step.message.assign(reinterpret_cast<const char*>(data + at), taken);
    at += taken;
    script.steps.push_back(std::move(step));
  }
  return script;
}

std::string write_script(const Script& script) {
  std::string out(1, script.balint_format ? '\1' : '\0');
  for (const Step& step : script.steps) {
    if (step.message.size() > 0xFFFF) throw std::invalid_argument("a step's message is longer than 65535 bytes");
    out += static_cast<char>(step.actor | (step.flip_connection ? kFlipBit : 0));
    out += static_cast<char>(step.wait_tens);
    out += static_cast<char>(step.message.size() & 0xFF);
    out += static_cast<char>(step.message.size() >> 8);
    out += step.message;
  }
  return out;
}

std::size_t cast_index(std::string_view id) {
  for (std::size_t i = 0; i < kCast.size(); ++i) {
    if (kCast[i].id == id) return i;
  }
  throw std::invalid_argument("no cast member " + std::string(id));
}

}  // namespace balint::fuzz
