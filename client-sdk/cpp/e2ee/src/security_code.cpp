#include "balint/e2ee/security_code.hpp"

#include "balint/e2ee/bytes.hpp"
#include "balint/e2ee/constants.hpp"
#include "balint/e2ee/init.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <tuple>

namespace balint::e2ee {

namespace {

constexpr std::size_t kDigestBytes = 64;
constexpr int kGroups = 8;
constexpr std::size_t kGroupBytes = 5;  // A 40-bit number per group.
constexpr std::uint64_t kGroupModulus = 100000;

}  // namespace

std::string security_code_digest(std::string_view session_id, std::vector<CodeEntry> entries) {
  ensure_sodium();
  for (const auto& entry : entries) {
    if (entry.identity_key.size() != kPublicKeyBytes || entry.exchange_key.size() != kPublicKeyBytes) {
      throw std::invalid_argument("security code entry with a key that is not 32 bytes");
    }
  }
  // std::string compares bytes as unsigned char, as memcmp does. The ties
  // only a member reusing its identity key could cause are broken too, so
  // the order never depends on the order the entries came in.
  std::sort(entries.begin(), entries.end(), [](const CodeEntry& a, const CodeEntry& b) {
    return std::tie(a.identity_key, a.participant_id, a.exchange_key) <
           std::tie(b.identity_key, b.participant_id, b.exchange_key);
  });
  ByteWriter input;
  input.label(kSecurityCodeLabel).str(session_id).u64(entries.size());
  for (const auto& entry : entries) input.str(entry.participant_id).raw(entry.identity_key).raw(entry.exchange_key);
  const std::string bytes = input.take();
  std::string digest(kDigestBytes, '\0');
  crypto_generichash(uchars(digest), digest.size(), uchars(bytes), bytes.size(), nullptr, 0);
  return digest;
}

std::string security_code(std::string_view session_id, std::vector<CodeEntry> entries) {
  const std::string digest = security_code_digest(session_id, std::move(entries));
  std::string code;
  for (int group = 0; group < kGroups; ++group) {
    std::uint64_t number = 0;
    for (std::size_t i = 0; i < kGroupBytes; ++i) {
      number = (number << 8) | static_cast<unsigned char>(digest[static_cast<std::size_t>(group) * kGroupBytes + i]);
    }
    std::string digits = std::to_string(number % kGroupModulus);
    digits.insert(0, 5 - digits.size(), '0');
    if (group > 0) code.push_back(' ');
    code += digits;
  }
  return code;
}

}  // namespace balint::e2ee
