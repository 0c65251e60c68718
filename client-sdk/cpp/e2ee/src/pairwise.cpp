#include "balint/e2ee/pairwise.hpp"

#include "balint/e2ee/bytes.hpp"
#include "balint/e2ee/constants.hpp"
#include "balint/e2ee/init.hpp"

#include <sodium.h>

#include <cstring>

namespace balint::e2ee {

static_assert(crypto_kx_SESSIONKEYBYTES == Key::size());

Result<PairKeys> pair_keys(std::string_view my_exchange_pk, const Key& my_exchange_sk,
                           std::string_view peer_exchange_pk) {
  ensure_sodium();
  if (my_exchange_pk.size() != kPublicKeyBytes || peer_exchange_pk.size() != kPublicKeyBytes) {
    return Result<PairKeys>::failure(Error::bad_key);
  }
  const int order = std::memcmp(my_exchange_pk.data(), peer_exchange_pk.data(), kPublicKeyBytes);
  // Equal keys leave no one to play "client": both sides would derive
  // swapped keys and nothing would open.
  if (order == 0) return Result<PairKeys>::failure(Error::bad_key);
  PairKeys keys;
  const int status = order < 0 ? crypto_kx_client_session_keys(keys.rx.data(), keys.tx.data(), uchars(my_exchange_pk),
                                                               my_exchange_sk.data(), uchars(peer_exchange_pk))
                               : crypto_kx_server_session_keys(keys.rx.data(), keys.tx.data(), uchars(my_exchange_pk),
                                                               my_exchange_sk.data(), uchars(peer_exchange_pk));
  if (status != 0) return Result<PairKeys>::failure(Error::bad_key);
  return Result<PairKeys>::success(std::move(keys));
}

Result<PairKeys> pair_keys(const Identity& me, std::string_view peer_exchange_pk) {
  return pair_keys(me.exchange_public(), me.exchange_secret(), peer_exchange_pk);
}

}  // namespace balint::e2ee
