#include "balint/e2ee/bytes.hpp"

#include <cassert>
#include <limits>
#include <stdexcept>

namespace balint::e2ee {

ByteWriter& ByteWriter::label(std::string_view text) {
  out_.append(text);
  return *this;
}

ByteWriter& ByteWriter::str(std::string_view text) {
  if (text.size() > std::numeric_limits<std::uint32_t>::max()) throw std::length_error("str() past 2^32 - 1 bytes");
  const auto length = static_cast<std::uint32_t>(text.size());
  for (int shift = 24; shift >= 0; shift -= 8) out_.push_back(static_cast<char>((length >> shift) & 0xFF));
  out_.append(text);
  return *this;
}

ByteWriter& ByteWriter::u64(std::uint64_t value) {
  out_.append(u64_bytes(value));
  return *this;
}

ByteWriter& ByteWriter::u8(std::uint8_t value) {
  out_.push_back(static_cast<char>(value));
  return *this;
}

ByteWriter& ByteWriter::raw(std::string_view bytes) {
  out_.append(bytes);
  return *this;
}

std::string u64_bytes(std::uint64_t value) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = static_cast<char>(value & 0xFF);
    value >>= 8;
  }
  return out;
}

std::uint64_t read_u64(std::string_view bytes) {
  assert(bytes.size() >= 8);
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < 8; ++i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

}  // namespace balint::e2ee
