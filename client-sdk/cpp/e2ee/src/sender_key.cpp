#include "balint/e2ee/sender_key.hpp"

#include "balint/e2ee/bytes.hpp"
#include "balint/e2ee/constants.hpp"
#include "balint/e2ee/init.hpp"

#include <sodium.h>

namespace balint::e2ee {

static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES == kNonceBytes);
static_assert(crypto_aead_xchacha20poly1305_ietf_ABYTES == kTagBytes);

std::string sender_key_ad(const SenderKeyContext& context) {
  return ByteWriter()
      .label(kSenderKeyLabel)
      .str(context.session_id)
      .u64(context.epoch)
      .str(context.sender_id)
      .str(context.recipient_id)
      .take();
}

std::string seal_sender_key(const Key& sender_secret, const Key& tx, const SenderKeyContext& context,
                            RandomSource& random) {
  ensure_sodium();
  const std::string ad = sender_key_ad(context);
  std::string sealed(kSealedSenderKeyBytes, '\0');
  unsigned char* nonce = uchars(sealed);
  random.fill(nonce, kNonceBytes);
  crypto_aead_xchacha20poly1305_ietf_encrypt(nonce + kNonceBytes, nullptr, sender_secret.data(), sender_secret.size(),
                                             uchars(ad), ad.size(), nullptr, nonce, tx.data());
  return sealed;
}

Result<Key> open_sender_key(std::string_view sealed, const Key& rx, const SenderKeyContext& context) {
  ensure_sodium();
  if (sealed.size() != kSealedSenderKeyBytes) return Result<Key>::failure(Error::malformed);
  const std::string ad = sender_key_ad(context);
  const unsigned char* nonce = uchars(sealed);
  Key secret;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(secret.data(), nullptr, nullptr, nonce + kNonceBytes,
                                                 sealed.size() - kNonceBytes, uchars(ad), ad.size(), nonce,
                                                 rx.data()) != 0) {
    return Result<Key>::failure(Error::tampered);
  }
  return Result<Key>::success(std::move(secret));
}

}  // namespace balint::e2ee
