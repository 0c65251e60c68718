// Lowercase hex for byte strings: how vectors, logs and tests show keys.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace balint::e2ee {

std::string to_hex(std::string_view bytes);

// Upper- or lowercase, even length, nothing else; nullopt otherwise.
std::optional<std::string> from_hex(std::string_view hex);

}  // namespace balint::e2ee
