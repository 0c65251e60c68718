#include "balint/e2ee/chat.hpp"

#include "balint/e2ee/bytes.hpp"
#include "balint/e2ee/constants.hpp"
#include "balint/e2ee/init.hpp"

#include <sodium.h>

#include <cassert>

namespace balint::e2ee {

namespace {

// Zeroes a plaintext buffer on every way out of a function.
struct WipeOnExit {
  std::string& bytes;
  ~WipeOnExit() { sodium_memzero(bytes.data(), bytes.size()); }
};

std::string signed_bytes(std::string_view ad, std::string_view ciphertext) {
  return ByteWriter().raw(ad).raw(ciphertext).take();
}

}  // namespace

std::string chat_ad(const ChatContext& context) {
  return ByteWriter()
      .label(kChatLabel)
      .str(context.session_id)
      .u64(context.epoch)
      .str(context.sender_id)
      .str(context.recipient_id)
      .u64(context.counter)
      .take();
}

std::string pad_text(std::string_view text) {
  ensure_sodium();
  assert(text.size() <= kMaxChatTextBytes);
  // sodium_pad always adds at least one byte, so one whole block more than
  // the text always has room.
  std::string padded(text);
  padded.resize((text.size() / kPadBlock + 1) * kPadBlock);
  std::size_t padded_size = 0;
  sodium_pad(&padded_size, uchars(padded), text.size(), kPadBlock, padded.size());
  padded.resize(padded_size);
  return padded;
}

Result<SealedChat> seal_chat_message(std::string_view text, const ChatContext& context, const MessageKeys& keys,
                                     const Identity& sender) {
  if (text.size() > kMaxChatTextBytes) return Result<SealedChat>::failure(Error::too_long);
  std::string padded = pad_text(text);
  const WipeOnExit wipe_padded{padded};
  const std::string ad = chat_ad(context);
  SealedChat chat{context.epoch, context.counter, std::string(context.recipient_id), {}, {}};
  chat.ciphertext.resize(padded.size() + kTagBytes);
  crypto_aead_xchacha20poly1305_ietf_encrypt(uchars(chat.ciphertext), nullptr, uchars(padded), padded.size(),
                                             uchars(ad), ad.size(), nullptr, uchars(keys.nonce),
                                             keys.message_key.data());
  chat.signature = sender.sign(signed_bytes(ad, chat.ciphertext));
  return Result<SealedChat>::success(std::move(chat));
}

bool chat_signature_valid(const SealedChat& chat, std::string_view ad, std::string_view sender_identity_pk) {
  return signature_valid(signed_bytes(ad, chat.ciphertext), chat.signature, sender_identity_pk);
}

Result<std::string> open_chat_message(const SealedChat& chat, const ChatReceiver& receiver) {
  using Opened = Result<std::string>;
  ensure_sodium();
  if (chat.epoch < receiver.epoch) return Opened::failure(Error::stale_epoch);
  if (chat.epoch > receiver.epoch) return Opened::failure(Error::no_key);

  const std::string ad =
      chat_ad({receiver.session_id, chat.epoch, receiver.sender_id, chat.recipient_id, chat.counter});
  if (!chat_signature_valid(chat, ad, receiver.sender_identity_pk)) return Opened::failure(Error::bad_signature);

  ReceiveChain* chain = receiver.group;
  if (!chat.recipient_id.empty()) {
    if (chat.recipient_id != receiver.receiver_id) return Opened::failure(Error::wrong_recipient);
    chain = receiver.direct;
  }
  if (chain == nullptr) return Opened::failure(Error::no_key);

  auto step = chain->step_to(chat.counter);
  if (!step.ok()) return Opened::failure(step.error);

  if (chat.ciphertext.size() < kTagBytes) return Opened::failure(Error::tampered);
  std::string padded(chat.ciphertext.size() - kTagBytes, '\0');
  const WipeOnExit wipe_padded{padded};
  const MessageKeys& keys = step.value->keys;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(uchars(padded), nullptr, nullptr, uchars(chat.ciphertext),
                                                 chat.ciphertext.size(), uchars(ad), ad.size(), uchars(keys.nonce),
                                                 keys.message_key.data()) != 0) {
    return Opened::failure(Error::tampered);
  }
  std::size_t text_size = 0;
  if (sodium_unpad(&text_size, uchars(padded), padded.size(), kPadBlock) != 0) {
    return Opened::failure(Error::bad_padding);
  }
  if (text_size > kMaxChatTextBytes) return Opened::failure(Error::too_long);

  chain->commit(std::move(*step.value));
  return Opened::success(padded.substr(0, text_size));
}

}  // namespace balint::e2ee
