// What a keyring holds for one key epoch, and how it is built from the
// roster. Private to the library: the Keyring is the only user.
#pragma once

#include "balint/e2ee/chain.hpp"
#include "balint/e2ee/keyring.hpp"
#include "balint/e2ee/media.hpp"
#include "balint/e2ee/pairwise.hpp"
#include "balint/e2ee/security_code.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace balint::e2ee {

// Another member with a valid announcement in the epoch.
struct PeerKeys {
  std::string identity_key;  // Checks their signatures.
  PairKeys pair;
  SendChain direct_out;                   // My direct messages to them.
  ReceiveChain direct_in;                 // Their direct messages to me.
  std::optional<ReceiveChain> group_in;   // Once their sender key arrived.
  std::optional<MediaReceiver> media_in;  // Likewise.
};

struct EpochKeys {
  std::uint64_t epoch = 0;
  bool member = false;  // Whether my own announcement is in this epoch.
  // Mine, when I am a member: from this epoch's sender secret.
  std::optional<SendChain> group_out;
  std::optional<Key> media_out;
  std::uint64_t media_counter = 0;
  std::map<std::string, PeerKeys, std::less<>> peers;
  // When a later epoch began plus the grace; unset for the current epoch.
  std::optional<std::int64_t> expires_at;
};

struct EpochBuild {
  std::unique_ptr<EpochKeys> keys;
  std::vector<std::string> invalid;
  std::vector<CodeEntry> code_entries;  // The valid members, me included.
};

// Verifies every announcement and opens a pairwise channel with every valid
// peer. No sender secret yet: see start_sending.
EpochBuild build_epoch(std::string_view session_id, std::string_view my_id, const Identity& me, std::uint64_t epoch,
                       const std::vector<RosterKeys>& members);

// Makes my fresh sender secret of the epoch, keeps its chain and media key,
// and seals it to every peer. The secret itself is wiped on return.
SenderKeyBundle start_sending(EpochKeys& keys, std::string_view session_id, std::string_view my_id,
                              RandomSource& random);

}  // namespace balint::e2ee
