// End-to-end encryption as far as the server takes part: the announced keys
// in the roster, the key epoch, and whether an encrypted chat message or a
// hand-out of sender secrets may be relayed. The server reads no content;
// it checks the routing fields and lengths (client-sdk/E2EE.md).
#include "core/session_impl.hpp"

#include <set>

namespace balint::core {

using namespace detail;

namespace {

constexpr std::size_t kPublicKeyBytes = 32;
constexpr std::size_t kSignatureBytes = 64;
constexpr std::size_t kSealedSenderKeyBytes = 72;
// A padded 4000-byte text seals to 4112 bytes; twice that leaves room.
constexpr std::size_t kMaxChatCiphertextBytes = 8 * 1024;

Outcome invalid(std::string message) { return Outcome::error(v1::ERROR_CODE_INVALID_ARGUMENT, std::move(message)); }

}  // namespace

void Session::Impl::drop_keys(Session& s, v1::Member& m) {
  if (!m.has_keys()) return;
  m.clear_keys();
  s.state_.set_key_epoch(s.state_.key_epoch() + 1);
}

void Session::Impl::forget_connection(Session& s, v1::Member& m) {
  drop_keys(s, m);
  m.clear_camera_on();
}

Outcome Session::Impl::announce_keys(Session& s, const Actor& a, const v1::AnnounceKeys& c) {
  const v1::KeyAnnouncement& keys = c.keys();
  if (keys.identity_key().size() != kPublicKeyBytes || keys.exchange_key().size() != kPublicKeyBytes)
    return invalid("identity_key and exchange_key must be 32 bytes each");
  if (keys.signature().size() != kSignatureBytes) return invalid("signature must be 64 bytes");
  for (const v1::Member& m : s.state_.roster()) {
    if (m.participant_id() == a.id || !m.has_keys()) continue;
    if (m.keys().identity_key() == keys.identity_key() || m.keys().exchange_key() == keys.exchange_key())
      return invalid("these keys are already announced by another member");
  }
  v1::Member& me = *find(s, a.id);
  // Once per connection: this bounds how often one client can make every
  // other client hand out fresh keys.
  if (me.has_keys())
    return invalid("this connection has announced its keys already; a new connection announces new ones");
  *me.mutable_keys() = keys;
  s.state_.set_key_epoch(s.state_.key_epoch() + 1);
  return accepted();
}

std::optional<Outcome> Session::Impl::refuse_relay(const Session& s, const std::string& sender_id,
                                                   std::uint64_t epoch) {
  if (auto refusal = refuse_actor(s, sender_id)) return refusal;
  if (!find(s, sender_id)->has_keys())
    return invalid("announce your end-to-end keys (AnnounceKeys) before sending encrypted messages");
  if (epoch != s.state_.key_epoch()) {
    return Outcome::error(v1::ERROR_CODE_STALE_EPOCH, "sealed for key epoch " + std::to_string(epoch) +
                                                          "; the session is at key epoch " +
                                                          std::to_string(s.state_.key_epoch()));
  }
  return std::nullopt;
}

std::optional<Outcome> Session::Impl::refuse_recipient(const Session& s, const std::string& sender_id,
                                                       const std::string& recipient_id) {
  if (recipient_id == sender_id) return invalid("you cannot address yourself");
  const v1::Member* r = find(s, recipient_id);
  if (r == nullptr || !is_connected(*r) || !r->has_keys()) {
    return Outcome::error(v1::ERROR_CODE_UNKNOWN_PARTICIPANT,
                          recipient_id + " is not a connected member with end-to-end keys");
  }
  return std::nullopt;
}

Outcome Session::check_chat(const std::string& sender_id, const v1::ChatUpload& chat) const {
  if (auto refusal = Impl::refuse_relay(*this, sender_id, chat.epoch())) return *refusal;
  if (chat.ciphertext().empty() || chat.ciphertext().size() > kMaxChatCiphertextBytes)
    return invalid("ciphertext must be 1 to " + std::to_string(kMaxChatCiphertextBytes) + " bytes");
  if (chat.signature().size() != kSignatureBytes) return invalid("signature must be 64 bytes");
  if (!chat.recipient_id().empty()) {
    if (auto refusal = Impl::refuse_recipient(*this, sender_id, chat.recipient_id())) return *refusal;
  }
  const bool allowed = chat.recipient_id().empty() ? may_chat(sender_id) : may_chat_to(sender_id, chat.recipient_id());
  if (!allowed) {
    const v1::Phase* phase = Impl::current_phase(*this);
    const std::string phase_name = phase == nullptr ? std::string("this phase") : phase->name();
    if (Impl::current_rule(*this) == v1::SPEAKING_RULE_ALL_BUT_PRESENTER && state_.presenter_id() == sender_id) {
      return Outcome::error(v1::ERROR_CODE_PHASE_FORBIDS,
                            "the presenter observes in silence during " + phase_name +
                                "; chat is not relayed (a private message to a facilitator is)");
    }
    return Outcome::error(v1::ERROR_CODE_PHASE_FORBIDS, phase_name + " does not let " + sender_id +
                                                            " chat now (a private message to a facilitator is relayed)");
  }
  return accepted();
}

Outcome Session::check_sender_keys(const std::string& sender_id, const v1::SenderKeysUpload& upload) const {
  if (auto refusal = Impl::refuse_relay(*this, sender_id, upload.epoch())) return *refusal;
  if (upload.keys().empty()) return invalid("name at least one recipient");
  std::set<std::string> seen;
  for (const v1::SealedSenderKey& key : upload.keys()) {
    if (auto refusal = Impl::refuse_recipient(*this, sender_id, key.recipient_id())) return *refusal;
    if (!seen.insert(key.recipient_id()).second) return invalid(key.recipient_id() + " is named twice");
    if (key.sealed().size() != kSealedSenderKeyBytes) return invalid("each sealed sender key must be 72 bytes");
  }
  return accepted();
}

}  // namespace balint::core
