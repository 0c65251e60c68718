#include "wire.hpp"

namespace balint::test::wire {

std::string varint(std::uint64_t value) {
  std::string out;
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
  return out;
}

std::string key(std::uint32_t field, Type type) {
  return varint((static_cast<std::uint64_t>(field) << 3) | static_cast<std::uint32_t>(type));
}

std::string varint_field(std::uint32_t field, std::uint64_t value) { return key(field, Type::varint) + varint(value); }

std::string bytes_field(std::uint32_t field, std::string_view bytes) {
  return key(field, Type::length_delimited) + varint(bytes.size()) + std::string(bytes);
}

std::string command_message(std::uint64_t request_id, const v1::Command& command) {
  v1::ClientMessage message;
  message.set_request_id(request_id);
  *message.mutable_command() = command;
  return message.SerializeAsString();
}

}  // namespace balint::test::wire
