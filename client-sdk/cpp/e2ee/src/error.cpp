#include "balint/e2ee/error.hpp"

namespace balint::e2ee {

std::string_view describe(Error error) {
  switch (error) {
    case Error::ok:
      return "no error";
    case Error::bad_key:
      return "a key has the wrong length or cannot be used";
    case Error::bad_signature:
      return "the signature does not verify";
    case Error::no_key:
      return "no key is held for this epoch or sender";
    case Error::wrong_recipient:
      return "the message is addressed to another member";
    case Error::replay:
      return "the message was already opened, or a later one was";
    case Error::counter_jump:
      return "the message counter is too far ahead";
    case Error::tampered:
      return "the ciphertext does not open: it was altered or sealed for something else";
    case Error::bad_padding:
      return "the message opened but its padding is invalid";
    case Error::too_long:
      return "the text is longer than 4000 bytes";
    case Error::unknown_sender:
      return "the member has no valid announced keys in this epoch";
    case Error::stale_epoch:
      return "the key epoch is over and its keys are gone";
    case Error::malformed:
      return "the bytes have the wrong length or layout";
  }
  return "unknown error";
}

std::string_view error_name(Error error) {
  switch (error) {
    case Error::ok:
      return "ok";
    case Error::bad_key:
      return "bad_key";
    case Error::bad_signature:
      return "bad_signature";
    case Error::no_key:
      return "no_key";
    case Error::wrong_recipient:
      return "wrong_recipient";
    case Error::replay:
      return "replay";
    case Error::counter_jump:
      return "counter_jump";
    case Error::tampered:
      return "tampered";
    case Error::bad_padding:
      return "bad_padding";
    case Error::too_long:
      return "too_long";
    case Error::unknown_sender:
      return "unknown_sender";
    case Error::stale_epoch:
      return "stale_epoch";
    case Error::malformed:
      return "malformed";
  }
  return "unknown";
}

}  // namespace balint::e2ee
