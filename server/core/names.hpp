// What participant ids and display names may be. Ids travel in tokens, logs
// and URLs, so they are short and plain; names are shown to the group, so
// they are bounded, valid UTF-8 and free of control characters.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace balint::core {

inline constexpr std::size_t kMaxParticipantIdBytes = 64;
inline constexpr std::size_t kMaxDisplayNameBytes = 100;

// 1 to 64 ASCII letters, digits, '-' or '_'.
bool valid_participant_id(std::string_view id);

// Empty if `name` is fine; otherwise what is wrong with it, e.g.
// "is longer than 100 bytes".
std::string display_name_problem(std::string_view name);

// Whether `text` is well-formed UTF-8 (no overlong forms, no surrogates,
// nothing past U+10FFFF).
bool valid_utf8(std::string_view text);

}  // namespace balint::core
