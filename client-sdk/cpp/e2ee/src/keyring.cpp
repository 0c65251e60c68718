#include "balint/e2ee/keyring.hpp"

#include "balint/e2ee/derive.hpp"
#include "balint/e2ee/init.hpp"
#include "balint/e2ee/sender_key.hpp"
#include "epoch_keys.hpp"

#include <algorithm>

namespace balint::e2ee {

Keyring::Keyring(std::string session_id, std::string my_id, Identity identity, RandomSource& random,
                 std::int64_t grace_ms)
    : session_id_(std::move(session_id)),
      my_id_(std::move(my_id)),
      identity_(std::move(identity)),
      random_(&random),
      grace_ms_(std::max<std::int64_t>(grace_ms, 0)) {
  ensure_sodium();
}

// Out of line: EpochKeys is complete only here.
Keyring::~Keyring() = default;

// A moved-from keyring refuses everything, like a wiped one.
Keyring::Keyring(Keyring&& other) noexcept
    : session_id_(std::move(other.session_id_)),
      my_id_(std::move(other.my_id_)),
      identity_(std::move(other.identity_)),
      random_(other.random_),
      grace_ms_(other.grace_ms_),
      current_(other.current_),
      epochs_(std::move(other.epochs_)),
      code_(std::move(other.code_)),
      wiped_(other.wiped_) {
  other.wipe();
}

Keyring& Keyring::operator=(Keyring&& other) noexcept {
  if (this != &other) {
    session_id_ = std::move(other.session_id_);
    my_id_ = std::move(other.my_id_);
    identity_ = std::move(other.identity_);
    random_ = other.random_;
    grace_ms_ = other.grace_ms_;
    current_ = other.current_;
    epochs_ = std::move(other.epochs_);
    code_ = std::move(other.code_);
    wiped_ = other.wiped_;
    other.wipe();
  }
  return *this;
}

Announcement Keyring::announce(const std::string& my_display_name) const {
  if (wiped_) return {};
  return make_announcement(identity_, session_id_, my_id_, my_display_name);
}

MembershipChange Keyring::set_membership(std::uint64_t epoch, const std::vector<RosterKeys>& members,
                                         std::int64_t now_ms) {
  MembershipChange change;
  if (wiped_ || (current_ && epoch <= *current_)) return change;

  EpochBuild build = build_epoch(session_id_, my_id_, identity_, epoch, members);
  change.invalid = std::move(build.invalid);
  if (build.keys->member) change.bundle = start_sending(*build.keys, session_id_, my_id_, *random_);

  if (current_) epochs_.at(*current_)->expires_at = now_ms + grace_ms_;
  epochs_.emplace(epoch, std::move(build.keys));
  current_ = epoch;

  std::string code = build.code_entries.empty() ? std::string() : e2ee::security_code(session_id_, build.code_entries);
  change.code_changed = code != code_;
  code_ = std::move(code);

  expire(now_ms);
  return change;
}

Result<EpochKeys*> Keyring::held(std::uint64_t epoch) {
  if (wiped_ || !current_) return Result<EpochKeys*>::failure(Error::no_key);
  const auto found = epochs_.find(epoch);
  if (found != epochs_.end()) return Result<EpochKeys*>::success(found->second.get());
  // Below the current epoch: over (or from before I joined); above it: the
  // roster that starts it has not come yet.
  return Result<EpochKeys*>::failure(epoch < *current_ ? Error::stale_epoch : Error::no_key);
}

Error Keyring::accept_sender_key(const std::string& sender_id, std::uint64_t epoch, std::string_view sealed) {
  const auto keys = held(epoch);
  if (!keys.ok()) return keys.error;
  auto& peers = (*keys)->peers;
  const auto peer = peers.find(sender_id);
  if (peer == peers.end()) return Error::unknown_sender;
  // A second key would restart the sender's chain and let old messages in again.
  if (peer->second.group_in) return Error::replay;
  const SenderKeyContext context{session_id_, epoch, sender_id, my_id_};
  auto secret = open_sender_key(sealed, peer->second.pair.rx, context);
  if (!secret.ok()) return secret.error;
  peer->second.group_in.emplace(group_chain_root(*secret.value));
  peer->second.media_in.emplace(media_key(*secret.value));
  return Error::ok;
}

Result<SealedChat> Keyring::seal_chat(std::string_view text, const std::string& recipient_id) {
  using Sealed = Result<SealedChat>;
  if (wiped_ || !current_) return Sealed::failure(Error::no_key);
  EpochKeys& keys = *epochs_.at(*current_);
  if (!keys.member || !keys.group_out) return Sealed::failure(Error::no_key);
  if (text.size() > kMaxChatTextBytes) return Sealed::failure(Error::too_long);
  SendChain* chain = &*keys.group_out;
  if (!recipient_id.empty()) {
    const auto peer = keys.peers.find(recipient_id);
    if (peer == keys.peers.end()) return Sealed::failure(Error::unknown_sender);
    chain = &peer->second.direct_out;
  }
  const ChainStep step = chain->advance();
  return seal_chat_message(text, {session_id_, keys.epoch, my_id_, recipient_id, step.counter}, step.keys, identity_);
}

Result<std::string> Keyring::open_chat(const std::string& sender_id, const SealedChat& chat) {
  using Opened = Result<std::string>;
  const auto keys = held(chat.epoch);
  if (!keys.ok()) return Opened::failure(keys.error);
  // I hold no receiving chain of my own (an echo of my message).
  if (sender_id == my_id_) return Opened::failure(Error::no_key);
  auto& peers = (*keys)->peers;
  const auto peer = peers.find(sender_id);
  if (peer == peers.end()) return Opened::failure(Error::unknown_sender);
  PeerKeys& from = peer->second;
  return open_chat_message(chat, {.session_id = session_id_,
                                  .receiver_id = my_id_,
                                  .sender_id = sender_id,
                                  .sender_identity_pk = from.identity_key,
                                  .epoch = chat.epoch,
                                  .group = from.group_in ? &*from.group_in : nullptr,
                                  .direct = &from.direct_in});
}

Result<std::string> Keyring::seal_media(std::uint32_t track, std::string_view frame, FrameFlags flags) {
  if (!read_flags(flags_byte(flags), track)) return Result<std::string>::failure(Error::malformed);
  if (wiped_ || !current_) return Result<std::string>::failure(Error::no_key);
  EpochKeys& keys = *epochs_.at(*current_);
  if (!keys.member || !keys.media_out) return Result<std::string>::failure(Error::no_key);
  const MediaContext context{session_id_, keys.epoch, my_id_, track, keys.media_counter++, flags};
  return Result<std::string>::success(seal_media_frame(frame, context, *keys.media_out));
}

Result<std::string> Keyring::open_media(const std::string& sender_id, std::uint32_t track, std::string_view payload) {
  using Opened = Result<std::string>;
  if (wiped_ || !current_) return Opened::failure(Error::no_key);
  const auto header = read_media_header(payload, track);
  if (!header) return Opened::failure(Error::malformed);
  const auto keys = held(header->epoch);
  if (!keys.ok()) return Opened::failure(keys.error);
  if (sender_id == my_id_) return Opened::failure(Error::no_key);
  auto& peers = (*keys)->peers;
  const auto peer = peers.find(sender_id);
  if (peer == peers.end()) return Opened::failure(Error::unknown_sender);
  if (!peer->second.media_in) return Opened::failure(Error::no_key);
  return peer->second.media_in->open(payload, session_id_, header->epoch, sender_id, track);
}

void Keyring::expire(std::int64_t now_ms) {
  std::erase_if(epochs_, [&](const auto& entry) {
    const auto& expires_at = entry.second->expires_at;
    return entry.first != current_ && expires_at && *expires_at <= now_ms;
  });
}

std::optional<std::int64_t> Keyring::next_expiry() const {
  std::optional<std::int64_t> next;
  for (const auto& [epoch, keys] : epochs_) {
    if (epoch == current_ || !keys->expires_at) continue;
    if (!next || *keys->expires_at < *next) next = keys->expires_at;
  }
  return next;
}

void Keyring::wipe() {
  epochs_.clear();
  identity_.wipe();
  current_.reset();
  code_.clear();
  wiped_ = true;
}

}  // namespace balint::e2ee
