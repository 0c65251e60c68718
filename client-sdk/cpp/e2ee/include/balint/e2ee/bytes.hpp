// The encodings of hand-built byte strings (client-sdk/E2EE.md, "Encoding"):
// every piece of associated data and every signed byte string is written with
// these, never by re-encoding protobuf, so two implementations cannot differ.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace balint::e2ee {

class ByteWriter {
 public:
  // label(s): the ASCII bytes, no length, no terminator.
  ByteWriter& label(std::string_view text);
  // str(s): 4-byte big-endian length, then the bytes. Throws
  // std::length_error past 2^32 - 1 bytes.
  ByteWriter& str(std::string_view text);
  // u64(n): 8 bytes big-endian.
  ByteWriter& u64(std::uint64_t value);
  // u8(n): one byte.
  ByteWriter& u8(std::uint8_t value);
  // Keys, nonces, signatures and ciphertexts: as they are.
  ByteWriter& raw(std::string_view bytes);

  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

// u64(n) on its own.
std::string u64_bytes(std::uint64_t value);

// The big-endian number in the first 8 bytes of `bytes` (which must have 8).
std::uint64_t read_u64(std::string_view bytes);

// libsodium takes unsigned char; byte strings here are std::string.
inline const unsigned char* uchars(std::string_view bytes) {
  return reinterpret_cast<const unsigned char*>(bytes.data());
}
inline unsigned char* uchars(std::string& bytes) { return reinterpret_cast<unsigned char*>(bytes.data()); }

}  // namespace balint::e2ee
