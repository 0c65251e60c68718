// The client's end-to-end encryption for one connection: a keyring made at
// Welcome, fed with every state, sender key, chat message and media frame
// the server relays, and asked to seal what the application sends. It turns
// wire messages into keyring calls and keyring answers into wire messages
// and notices, and tracks whether this epoch's keys are all in place.
//
// Thread-safe: the I/O thread feeds it, callers' threads seal through it.
// It never calls out while holding its lock.
#pragma once

#include "balint/e2ee/keyring.hpp"
#include "balint/sdk/client.hpp"

#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

namespace balint::sdk::detail {

class E2eeSession {
 public:
  E2eeSession(std::string session_id, std::string my_id);

  // The AnnounceKeys command for this connection's keys, signed over the
  // display name the roster shows; empty while the roster does not list me.
  std::optional<v1::Command> announcement(const v1::SessionState& state) const;

  // What a new state asks of the client.
  struct StateChange {
    std::optional<v1::SenderKeysUpload> upload;  // My fresh sender secret, to send now.
    std::vector<SecurityNotice> notices;
  };
  StateChange on_state(const v1::SessionState& state, std::int64_t now_ms);

  // A sender key the server handed over; a notice when it was refused.
  std::optional<SecurityNotice> on_sender_key(const v1::SenderKey& key);
  // The server accepted my upload for `epoch`: everyone in it has my key.
  void upload_accepted(std::uint64_t epoch);

  std::variant<ChatMessage, SecurityNotice> open_chat(const v1::ChatMessage& message);
  // The frame's plaintext, or nothing (dropped and counted).
  std::optional<std::string> open_media(const v1::MediaFrame& frame);

  e2ee::Result<v1::ChatUpload> seal_chat(std::string_view text, const std::string& recipient_id);
  std::optional<std::string> seal_media(std::uint32_t track, std::string_view frame, e2ee::FrameFlags flags = {});

  // Whether this epoch's keys are complete: the server took my sender key
  // and I hold the sender key of every other valid member.
  bool ready() const;
  std::uint64_t epoch() const;
  std::string security_code() const;
  std::uint64_t media_dropped() const;

  void expire(std::int64_t now_ms);
  std::optional<std::int64_t> next_expiry() const;
  // Every secret gone (the session ended, or the connection was given up).
  void wipe();

 private:
  SecurityNotice notice(SecurityNotice::Kind kind, std::string participant_id, std::string detail) const;

  mutable std::mutex mu_;
  std::string session_id_;
  std::string my_id_;
  e2ee::SystemRandom random_;
  e2ee::Keyring keyring_;
  // For the current epoch: the valid members besides me, whose keys I hold,
  // and whether the server took mine.
  std::set<std::string> peers_;
  std::set<std::string> keys_from_;
  bool upload_accepted_ = false;
  std::uint64_t media_dropped_ = 0;
};

}  // namespace balint::sdk::detail
