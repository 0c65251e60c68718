// Why sealing or opening failed. Every refusal of the library is one of
// these, so that the C++ and TypeScript SDKs (and the negative vectors in
// tests/e2ee/vectors/) name failures alike.
#pragma once

#include <optional>
#include <string_view>
#include <utility>

namespace balint::e2ee {

enum class Error {
  ok,
  bad_key,          // A key has the wrong length, or crypto_kx refuses it.
  bad_signature,    // An Ed25519 signature does not verify.
  no_key,           // No key is held for this (yet): epoch, sender or keyring.
  wrong_recipient,  // A direct message addressed to another member.
  replay,           // A counter not above what was already opened.
  counter_jump,     // A chat counter more than 1000 past the next expected one.
  tampered,         // The AEAD refused: altered bytes, other data or other key.
  bad_padding,      // The plaintext opened but its padding is invalid.
  too_long,         // A chat text longer than 4000 bytes.
  unknown_sender,   // A member without a valid announcement in that epoch.
  stale_epoch,      // An epoch that is over; its keys are gone.
  malformed,        // Bytes of the wrong length or layout.
};

// A short sentence for people, e.g. "the signature does not verify".
std::string_view describe(Error error);

// The enumerator's name, e.g. "bad_signature", as the vectors spell it.
std::string_view error_name(Error error);

// A value, or the reason there is none. (C++20 has no std::expected.)
template <class T>
struct Result {
  std::optional<T> value;
  Error error = Error::ok;

  bool ok() const { return error == Error::ok && value.has_value(); }

  // The value; only when ok().
  T& operator*() { return *value; }
  const T& operator*() const { return *value; }
  T* operator->() { return &*value; }
  const T* operator->() const { return &*value; }

  static Result success(T value) { return Result{std::optional<T>(std::move(value)), Error::ok}; }
  static Result failure(Error error) { return Result{std::nullopt, error}; }
};

}  // namespace balint::e2ee
