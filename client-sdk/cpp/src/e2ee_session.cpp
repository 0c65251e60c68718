#include "e2ee_session.hpp"

#include <algorithm>
#include <utility>

namespace balint::sdk::detail {
namespace {

e2ee::Announcement from_wire(const v1::KeyAnnouncement& keys) {
  return {keys.identity_key(), keys.exchange_key(), keys.signature()};
}

std::string rejected_text(std::string_view what, const std::string& sender, e2ee::Error error) {
  return std::string(what) + " from " + sender + " was rejected: " + std::string(e2ee::describe(error));
}

}  // namespace

E2eeSession::E2eeSession(std::string session_id, std::string my_id)
    : session_id_(session_id), my_id_(my_id), keyring_(session_id, my_id, e2ee::Identity::generate(random_), random_) {}

std::optional<v1::Command> E2eeSession::announcement(const v1::SessionState& state) const {
  for (const auto& member : state.roster()) {
    if (member.participant_id() != my_id_) continue;
    std::lock_guard lock(mu_);
    const e2ee::Announcement mine = keyring_.announce(member.display_name());
    if (mine.signature.empty()) return std::nullopt;  // Wiped.
    v1::Command command;
    auto& keys = *command.mutable_announce_keys()->mutable_keys();
    keys.set_identity_key(mine.identity_key);
    keys.set_exchange_key(mine.exchange_key);
    keys.set_signature(mine.signature);
    return command;
  }
  return std::nullopt;
}

E2eeSession::StateChange E2eeSession::on_state(const v1::SessionState& state, std::int64_t now_ms) {
  std::vector<e2ee::RosterKeys> members;
  for (const auto& m : state.roster())
    if (m.has_keys() && m.connection() == v1::CONNECTION_STATUS_CONNECTED)
      members.push_back({m.participant_id(), m.display_name(), from_wire(m.keys())});

  StateChange out;
  std::lock_guard lock(mu_);
  const std::uint64_t before = keyring_.epoch();
  const e2ee::MembershipChange change = keyring_.set_membership(state.key_epoch(), members, now_ms);
  if (keyring_.epoch() != before) {
    peers_.clear();
    keys_from_.clear();
    upload_accepted_ = false;
    for (const auto& m : members)
      if (m.participant_id != my_id_ &&
          std::find(change.invalid.begin(), change.invalid.end(), m.participant_id) == change.invalid.end())
        peers_.insert(m.participant_id);
  }
  for (const auto& id : change.invalid)
    out.notices.push_back(notice(SecurityNotice::Kind::invalid_announcement, id,
                                 "the keys announced for " + id + " do not verify; they are left out"));
  if (change.code_changed)
    out.notices.push_back(notice(SecurityNotice::Kind::code_changed, {},
                                 "the membership changed: compare the security code again"));
  if (change.bundle) {
    if (change.bundle->keys.empty()) {
      upload_accepted_ = true;  // Nobody else to hand a key to.
    } else {
      v1::SenderKeysUpload upload;
      upload.set_epoch(change.bundle->epoch);
      for (const auto& key : change.bundle->keys) {
        auto* sealed = upload.add_keys();
        sealed->set_recipient_id(key.recipient_id);
        sealed->set_sealed(key.sealed);
      }
      out.upload = std::move(upload);
    }
  }
  return out;
}

std::optional<SecurityNotice> E2eeSession::on_sender_key(const v1::SenderKey& key) {
  std::lock_guard lock(mu_);
  const e2ee::Error error = keyring_.accept_sender_key(key.sender_id(), key.epoch(), key.sealed());
  if (error == e2ee::Error::ok) {
    if (key.epoch() == keyring_.epoch()) keys_from_.insert(key.sender_id());
    return std::nullopt;
  }
  return notice(SecurityNotice::Kind::rejected, key.sender_id(),
                rejected_text("a sender key", key.sender_id(), error));
}

void E2eeSession::upload_accepted(std::uint64_t epoch) {
  std::lock_guard lock(mu_);
  if (epoch == keyring_.epoch()) upload_accepted_ = true;
}

std::variant<ChatMessage, SecurityNotice> E2eeSession::open_chat(const v1::ChatMessage& message) {
  const e2ee::SealedChat sealed{message.epoch(), message.counter(), message.recipient_id(), message.ciphertext(),
                                message.signature()};
  std::lock_guard lock(mu_);
  auto opened = keyring_.open_chat(message.sender_id(), sealed);
  if (!opened.ok())
    return notice(SecurityNotice::Kind::rejected, message.sender_id(),
                  rejected_text("a chat message", message.sender_id(), opened.error));
  return ChatMessage{message.sender_id(), message.recipient_id(), std::move(*opened.value), message.epoch()};
}

std::optional<std::string> E2eeSession::open_media(const v1::MediaFrame& frame) {
  std::lock_guard lock(mu_);
  auto opened = keyring_.open_media(frame.sender_id(), frame.track(), frame.payload());
  if (opened.ok()) return std::move(opened.value);
  ++media_dropped_;
  return std::nullopt;
}

e2ee::Result<v1::ChatUpload> E2eeSession::seal_chat(std::string_view text, const std::string& recipient_id) {
  std::lock_guard lock(mu_);
  auto sealed = keyring_.seal_chat(text, recipient_id);
  if (!sealed.ok()) return e2ee::Result<v1::ChatUpload>::failure(sealed.error);
  v1::ChatUpload upload;
  upload.set_epoch(sealed.value->epoch);
  upload.set_counter(sealed.value->counter);
  upload.set_recipient_id(sealed.value->recipient_id);
  upload.set_ciphertext(std::move(sealed.value->ciphertext));
  upload.set_signature(std::move(sealed.value->signature));
  return e2ee::Result<v1::ChatUpload>::success(std::move(upload));
}

std::optional<std::string> E2eeSession::seal_media(std::uint32_t track, std::string_view frame,
                                                  e2ee::FrameFlags flags) {
  std::lock_guard lock(mu_);
  auto sealed = keyring_.seal_media(track, frame, flags);
  if (!sealed.ok()) return std::nullopt;
  return std::move(sealed.value);
}

bool E2eeSession::ready() const {
  std::lock_guard lock(mu_);
  return upload_accepted_ && std::includes(keys_from_.begin(), keys_from_.end(), peers_.begin(), peers_.end());
}

std::uint64_t E2eeSession::epoch() const {
  std::lock_guard lock(mu_);
  return keyring_.epoch();
}

std::string E2eeSession::security_code() const {
  std::lock_guard lock(mu_);
  return keyring_.security_code();
}

std::uint64_t E2eeSession::media_dropped() const {
  std::lock_guard lock(mu_);
  return media_dropped_;
}

void E2eeSession::expire(std::int64_t now_ms) {
  std::lock_guard lock(mu_);
  keyring_.expire(now_ms);
}

std::optional<std::int64_t> E2eeSession::next_expiry() const {
  std::lock_guard lock(mu_);
  return keyring_.next_expiry();
}

void E2eeSession::wipe() {
  std::lock_guard lock(mu_);
  keyring_.wipe();
  peers_.clear();
  keys_from_.clear();
  upload_accepted_ = false;
}

SecurityNotice E2eeSession::notice(SecurityNotice::Kind kind, std::string participant_id, std::string detail) const {
  return SecurityNotice{kind, std::move(participant_id), std::move(detail), keyring_.security_code()};
}

}  // namespace balint::sdk::detail
