#include "core/names.hpp"

namespace balint::core {

bool valid_participant_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxParticipantIdBytes) return false;
  for (const char c : id) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!plain) return false;
  }
  return true;
}

bool valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    char32_t point = 0;
    if (lead < 0x80) {
      ++i;
      continue;
    }
    if ((lead & 0xE0) == 0xC0) length = 2, point = lead & 0x1F;
    else if ((lead & 0xF0) == 0xE0) length = 3, point = lead & 0x0F;
    else if ((lead & 0xF8) == 0xF0) length = 4, point = lead & 0x07;
    else return false;
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      point = (point << 6) | (next & 0x3F);
    }
    static constexpr char32_t smallest[] = {0, 0, 0x80, 0x800, 0x10000};
    if (point < smallest[length] || point > 0x10FFFF || (point >= 0xD800 && point <= 0xDFFF)) return false;
    i += length;
  }
  return true;
}

std::string display_name_problem(std::string_view name) {
  if (name.empty()) return "is empty";
  if (name.size() > kMaxDisplayNameBytes) return "is longer than " + std::to_string(kMaxDisplayNameBytes) + " bytes";
  if (!valid_utf8(name)) return "is not valid UTF-8";
  for (const char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) return "contains control characters";
  }
  return {};
}

}  // namespace balint::core
