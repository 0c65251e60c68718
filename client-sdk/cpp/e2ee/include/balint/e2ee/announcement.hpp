// The signed public keys a member publishes through the roster. A client
// believes a roster entry's keys only if the signature binds them to this
// session, this participant id and this display name.
#pragma once

#include "balint/e2ee/error.hpp"
#include "balint/e2ee/identity.hpp"

#include <string>
#include <string_view>

namespace balint::e2ee {

// As in the protocol's KeyAnnouncement.
struct Announcement {
  std::string identity_key;  // Ed25519 public key, 32 bytes.
  std::string exchange_key;  // X25519 public key, 32 bytes.
  std::string signature;     // Over announce_bytes, 64 bytes.
};

// label("balint-room/v1/announce") || str(session_id) || str(participant_id)
// || str(display_name) || identity_pk || exchange_pk
std::string announce_bytes(std::string_view session_id, std::string_view participant_id, std::string_view display_name,
                           std::string_view identity_pk, std::string_view exchange_pk);

Announcement make_announcement(const Identity& identity, std::string_view session_id, std::string_view participant_id,
                               std::string_view display_name);

// ok; bad_key if a key is not 32 bytes; bad_signature if the signature is
// not 64 bytes or does not verify.
Error check_announcement(const Announcement& announcement, std::string_view session_id, std::string_view participant_id,
                         std::string_view display_name);

// check_announcement(...) == Error::ok
bool verify_announcement(const Announcement& announcement, std::string_view session_id, std::string_view participant_id,
                         std::string_view display_name);

}  // namespace balint::e2ee
