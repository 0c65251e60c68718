#include "balint/e2ee/announcement.hpp"

#include "balint/e2ee/bytes.hpp"
#include "balint/e2ee/constants.hpp"

namespace balint::e2ee {

std::string announce_bytes(std::string_view session_id, std::string_view participant_id, std::string_view display_name,
                           std::string_view identity_pk, std::string_view exchange_pk) {
  return ByteWriter()
      .label(kAnnounceLabel)
      .str(session_id)
      .str(participant_id)
      .str(display_name)
      .raw(identity_pk)
      .raw(exchange_pk)
      .take();
}

Announcement make_announcement(const Identity& identity, std::string_view session_id, std::string_view participant_id,
                               std::string_view display_name) {
  Announcement announcement{identity.identity_public(), identity.exchange_public(), {}};
  announcement.signature = identity.sign(
      announce_bytes(session_id, participant_id, display_name, announcement.identity_key, announcement.exchange_key));
  return announcement;
}

Error check_announcement(const Announcement& announcement, std::string_view session_id, std::string_view participant_id,
                         std::string_view display_name) {
  if (announcement.identity_key.size() != kPublicKeyBytes || announcement.exchange_key.size() != kPublicKeyBytes) {
    return Error::bad_key;
  }
  const std::string signed_bytes =
      announce_bytes(session_id, participant_id, display_name, announcement.identity_key, announcement.exchange_key);
  if (!signature_valid(signed_bytes, announcement.signature, announcement.identity_key)) return Error::bad_signature;
  return Error::ok;
}

bool verify_announcement(const Announcement& announcement, std::string_view session_id, std::string_view participant_id,
                         std::string_view display_name) {
  return check_announcement(announcement, session_id, participant_id, display_name) == Error::ok;
}

}  // namespace balint::e2ee
