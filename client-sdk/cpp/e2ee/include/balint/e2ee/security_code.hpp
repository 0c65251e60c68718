// The code members read aloud or compare on screen: the same on every client
// for the same membership, different after any join or leave, so a server
// that slipped in its own keys would be seen.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace balint::e2ee {

// One member with a valid announcement.
struct CodeEntry {
  std::string participant_id;
  std::string identity_key;  // 32 bytes.
  std::string exchange_key;  // 32 bytes.
};

// crypto_generichash(64, ...) over the entries sorted by identity key (ties
// by participant id, then exchange key). Throws std::invalid_argument for a
// key that is not 32 bytes.
std::string security_code_digest(std::string_view session_id, std::vector<CodeEntry> entries);

// "ddddd ddddd ddddd ddddd ddddd ddddd ddddd ddddd": 40 digits.
std::string security_code(std::string_view session_id, std::vector<CodeEntry> entries);

}  // namespace balint::e2ee
