// The fixed strings and sizes of client-sdk/E2EE.md in one place, so that a
// reader can hold them against the spec line by line.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace balint::e2ee {

// Labels: the first bytes of each kind of hand-built byte string, so that no
// two kinds can be mistaken for each other.
inline constexpr std::string_view kAnnounceLabel = "balint-room/v1/announce";
inline constexpr std::string_view kSenderKeyLabel = "balint-room/v1/sender-key";
inline constexpr std::string_view kChatLabel = "balint-room/v1/chat";
inline constexpr std::string_view kMediaLabel = "balint-room/v1/media";
inline constexpr std::string_view kSecurityCodeLabel = "balint-room/v1/security-code";

// Contexts of crypto_kdf_derive_from_key: exactly 8 bytes each.
inline constexpr std::string_view kGroupContext = "brgroup_";
inline constexpr std::string_view kMediaContext = "brmedia_";
inline constexpr std::string_view kDirectContext = "brdirect";
inline constexpr std::string_view kMessageKeyContext = "brmsgkey";
inline constexpr std::string_view kNonceContext = "brnonce_";
inline constexpr std::string_view kChainContext = "brchain_";

inline constexpr std::size_t kPublicKeyBytes = 32;  // Ed25519 and X25519 alike.
inline constexpr std::size_t kSeedBytes = 32;
inline constexpr std::size_t kSignatureBytes = 64;
inline constexpr std::size_t kNonceBytes = 24;                                      // XChaCha20-Poly1305.
inline constexpr std::size_t kTagBytes = 16;                                        // Poly1305.
inline constexpr std::size_t kSealedSenderKeyBytes = kNonceBytes + 32 + kTagBytes;  // 72.
inline constexpr std::size_t kMediaHeaderBytes = 17;  // u64(epoch) || u64(counter) || u8(flags).

inline constexpr std::size_t kPadBlock = 256;
inline constexpr std::size_t kMaxChatTextBytes = 4000;
// How far past the next expected counter a chat message may be. Bounds the
// ratchet steps one message can cost a receiver.
inline constexpr std::uint64_t kMaxCounterJump = 1000;
// How long keys of a finished epoch stay, for frames already in flight.
inline constexpr std::int64_t kDefaultGraceMs = 5000;

}  // namespace balint::e2ee
