// Protobuf wire format by hand, for envelopes the generated code would never
// produce: unknown fields, unknown oneof cases, wrong wire types, nesting
// without end.
#pragma once

#include "balint/v1/balint.pb.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace balint::test::wire {

enum class Type : std::uint32_t { varint = 0, fixed64 = 1, length_delimited = 2, start_group = 3, end_group = 4, fixed32 = 5 };

std::string varint(std::uint64_t value);
std::string key(std::uint32_t field, Type type);
std::string varint_field(std::uint32_t field, std::uint64_t value);
std::string bytes_field(std::uint32_t field, std::string_view bytes);

// A ClientMessage carrying `command` under `request_id`, serialized.
std::string command_message(std::uint64_t request_id, const v1::Command& command);

}  // namespace balint::test::wire
