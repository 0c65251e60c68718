#include "epoch_keys.hpp"

#include "balint/e2ee/derive.hpp"
#include "balint/e2ee/sender_key.hpp"

#include <algorithm>
#include <set>

namespace balint::e2ee {

namespace {

// Ids that appear more than once: a roster should never hold them, and
// which entry to believe cannot be told, so none is.
std::set<std::string, std::less<>> repeated_ids(const std::vector<RosterKeys>& members) {
  std::set<std::string, std::less<>> seen, repeated;
  for (const auto& member : members) {
    if (!seen.insert(member.participant_id).second) repeated.insert(member.participant_id);
  }
  return repeated;
}

}  // namespace

EpochBuild build_epoch(std::string_view session_id, std::string_view my_id, const Identity& me, std::uint64_t epoch,
                       const std::vector<RosterKeys>& members) {
  EpochBuild build{std::make_unique<EpochKeys>(), {}, {}};
  EpochKeys& keys = *build.keys;
  keys.epoch = epoch;
  const auto repeated = repeated_ids(members);
  for (const auto& member : members) {
    const std::string& id = member.participant_id;
    const Announcement& announcement = member.announcement;
    if (repeated.count(id) != 0 || !verify_announcement(announcement, session_id, id, member.display_name)) {
      if (std::find(build.invalid.begin(), build.invalid.end(), id) == build.invalid.end()) build.invalid.push_back(id);
      continue;
    }
    if (id == my_id) {
      // A valid signature over keys that are not mine is someone else's
      // claim to my id: not me, and not to be trusted either.
      if (announcement.identity_key != me.identity_public() || announcement.exchange_key != me.exchange_public()) {
        build.invalid.push_back(id);
        continue;
      }
      keys.member = true;
    } else {
      auto pair = pair_keys(me, announcement.exchange_key);
      if (!pair.ok()) {
        build.invalid.push_back(id);
        continue;
      }
      PairKeys& channel = *pair.value;
      Key out_root = direct_chain_root(channel.tx, epoch);
      Key in_root = direct_chain_root(channel.rx, epoch);
      keys.peers.emplace(id, PeerKeys{announcement.identity_key, std::move(channel), SendChain(std::move(out_root)),
                                      ReceiveChain(std::move(in_root)), std::nullopt, std::nullopt});
    }
    build.code_entries.push_back({id, announcement.identity_key, announcement.exchange_key});
  }
  return build;
}

SenderKeyBundle start_sending(EpochKeys& keys, std::string_view session_id, std::string_view my_id,
                              RandomSource& random) {
  const Key sender_secret = random_secret<Key::size()>(random);
  keys.group_out.emplace(group_chain_root(sender_secret));
  keys.media_out.emplace(media_key(sender_secret));
  keys.media_counter = 0;
  SenderKeyBundle bundle{keys.epoch, {}};
  for (const auto& [peer_id, peer] : keys.peers) {
    const SenderKeyContext context{session_id, keys.epoch, my_id, peer_id};
    bundle.keys.push_back({peer_id, seal_sender_key(sender_secret, peer.pair.tx, context, random)});
  }
  return bundle;
}

}  // namespace balint::e2ee
