// Everything one member's client knows about the keys of one session, driven
// by the SDK: the roster and key epoch go in, bundles to upload come out, and
// chat and media are sealed and opened against it. Pure: the clock comes in
// as `now_ms` (steady milliseconds) and randomness through a RandomSource.
//
// Per epoch the keyring holds my fresh sender secret's chain and media key,
// and for every other valid member their identity key, the pairwise channel,
// the direct chains both ways and, once their sender key arrived, their group
// chain and media key. A finished epoch is kept for the grace (frames in
// flight still open), then wiped by expire().
#pragma once

#include "balint/e2ee/announcement.hpp"
#include "balint/e2ee/chat.hpp"
#include "balint/e2ee/constants.hpp"
#include "balint/e2ee/error.hpp"
#include "balint/e2ee/identity.hpp"
#include "balint/e2ee/media.hpp"
#include "balint/e2ee/random.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace balint::e2ee {

// One roster member that has announced keys.
struct RosterKeys {
  std::string participant_id;
  std::string display_name;
  Announcement announcement;
};

struct SealedSenderKey {
  std::string recipient_id;
  std::string sealed;  // 72 bytes.
};

// What SenderKeysUpload carries.
struct SenderKeyBundle {
  std::uint64_t epoch = 0;
  std::vector<SealedSenderKey> keys;  // Empty when I am the only valid member.
};

struct MembershipChange {
  // Set when this is a new epoch and I am a member with a valid
  // announcement: a fresh sender secret sealed to every other valid member.
  std::optional<SenderKeyBundle> bundle;
  // Ids whose announcement did not verify, appeared twice, or (for my own
  // id) carries keys that are not mine; left out of everything.
  std::vector<std::string> invalid;
  bool code_changed = false;
};

struct EpochKeys;

class Keyring {
 public:
  // `random` must outlive the keyring. A negative grace counts as 0.
  Keyring(std::string session_id, std::string my_id, Identity identity, RandomSource& random,
          std::int64_t grace_ms = kDefaultGraceMs);
  ~Keyring();
  Keyring(Keyring&&) noexcept;
  Keyring& operator=(Keyring&&) noexcept;
  Keyring(const Keyring&) = delete;
  Keyring& operator=(const Keyring&) = delete;

  // My signed keys for the roster; empty once wiped.
  Announcement announce(const std::string& my_display_name) const;

  // The roster's members with announcements at key epoch `epoch`. An epoch
  // not above the current one changes nothing (the same epoch means the same
  // keys, so a roster update for another reason is harmless). A new epoch
  // starts the grace of the one before.
  MembershipChange set_membership(std::uint64_t epoch, const std::vector<RosterKeys>& members, std::int64_t now_ms);

  // A sender key handed to me: for the current epoch, or a past one still
  // within its grace. no_key (an epoch not known yet, or wiped), stale_epoch,
  // unknown_sender, malformed, tampered; replay if that sender already gave
  // a key for that epoch (the first one stays).
  Error accept_sender_key(const std::string& sender_id, std::uint64_t epoch, std::string_view sealed);

  // To the whole session (recipient "") or one member, in the current epoch.
  // no_key before any epoch in which I am a member, too_long past 4000 bytes,
  // unknown_sender for a recipient without a valid announcement (or me).
  Result<SealedChat> seal_chat(std::string_view text, const std::string& recipient_id);
  // See open_chat_message; unknown_sender for a sender who is not a valid
  // member of the chat's epoch, stale_epoch for an epoch that is gone.
  Result<std::string> open_chat(const std::string& sender_id, const SealedChat& chat);

  // The payload of a MediaUpload; no_key as for chat.
  // malformed when `flags` are not ones a sender on `track` may write.
  Result<std::string> seal_media(std::uint32_t track, std::string_view frame, FrameFlags flags = {});
  // The frame of a MediaFrame (its flags are in read_media_header).
  Result<std::string> open_media(const std::string& sender_id, std::uint32_t track, std::string_view payload);

  // Wipes the keys of past epochs whose grace has run out by `now_ms`.
  void expire(std::int64_t now_ms);
  // When expire() next has work; nullopt if never.
  std::optional<std::int64_t> next_expiry() const;

  // Of the current epoch's valid members; "" until there is one.
  const std::string& security_code() const { return code_; }
  // The current epoch; 0 before the first set_membership.
  std::uint64_t epoch() const { return current_.value_or(0); }

  // Every secret gone; afterwards everything is refused with no_key.
  void wipe();

 private:
  // The keys of `epoch`, or why there are none.
  Result<EpochKeys*> held(std::uint64_t epoch);

  std::string session_id_;
  std::string my_id_;
  Identity identity_;
  RandomSource* random_;
  std::int64_t grace_ms_;
  std::optional<std::uint64_t> current_;
  std::map<std::uint64_t, std::unique_ptr<EpochKeys>> epochs_;
  std::string code_;
  bool wiped_ = false;
};

}  // namespace balint::e2ee
