// One chat message: padded to hide its length, sealed under its message key,
// and signed by the sender's identity, because every member holds the group
// chain and could otherwise write as anyone.
#pragma once

#include "balint/e2ee/chain.hpp"
#include "balint/e2ee/error.hpp"
#include "balint/e2ee/identity.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace balint::e2ee {

// What ChatUpload and ChatMessage carry besides the sender.
struct SealedChat {
  std::uint64_t epoch = 0;
  std::uint64_t counter = 0;
  std::string recipient_id;  // "" for the whole session.
  std::string ciphertext;
  std::string signature;  // Over chat_ad || ciphertext, 64 bytes.
};

struct ChatContext {
  std::string_view session_id;
  std::uint64_t epoch = 0;
  std::string_view sender_id;
  std::string_view recipient_id;
  std::uint64_t counter = 0;
};

// label("balint-room/v1/chat") || str(session_id) || u64(epoch)
// || str(sender_id) || str(recipient_id) || u64(counter)
std::string chat_ad(const ChatContext& context);

// sodium_pad(text, 256); the text must be at most 4000 bytes.
std::string pad_text(std::string_view text);

// too_long past 4000 bytes; otherwise sealed with `keys` (those of
// context.counter) and signed by `sender`.
Result<SealedChat> seal_chat_message(std::string_view text, const ChatContext& context, const MessageKeys& keys,
                                     const Identity& sender);

// Whether `signature` is the sender's over chat_ad || ciphertext.
bool chat_signature_valid(const SealedChat& chat, std::string_view ad, std::string_view sender_identity_pk);

// What a receiver holds for one sender in one epoch.
struct ChatReceiver {
  std::string_view session_id;
  std::string_view receiver_id;  // Mine: a direct message must name it.
  std::string_view sender_id;    // From the server's stamp.
  std::string_view sender_identity_pk;
  std::uint64_t epoch = 0;
  ReceiveChain* group = nullptr;   // Null until the sender's key arrived.
  ReceiveChain* direct = nullptr;  // Null without a pairwise channel.
};

// Opens `chat`, checking in the spec's order and changing nothing on any
// failure: the epoch (stale_epoch if older than the receiver's, no_key if
// newer), the signature (bad_signature), the chain (no_key, or
// wrong_recipient for a direct message to someone else), the counter (replay,
// counter_jump), the AEAD (tampered), the padding (bad_padding) and the
// length (too_long). Only then does the chain move past the counter.
Result<std::string> open_chat_message(const SealedChat& chat, const ChatReceiver& receiver);

}  // namespace balint::e2ee
