// Writes the golden and negative vectors of client-sdk/E2EE.md:
//
//   balint_make_vectors <out_dir>      (the tree keeps them in tests/e2ee/vectors)
//
// Everything comes from fixed seeds, so a run rewrites the same bytes. Every
// input that is random in production (seeds, sender secrets, nonces) is
// written out in hex, so that another implementation checks the outputs
// with its own libsodium and no deterministic generator. Each negative case
// is run through the library here before it is written, and the generator
// stops if it does not fail with the intended error.
#include "balint/e2ee/announcement.hpp"
#include "balint/e2ee/bytes.hpp"
#include "balint/e2ee/chat.hpp"
#include "balint/e2ee/constants.hpp"
#include "balint/e2ee/derive.hpp"
#include "balint/e2ee/hex.hpp"
#include "balint/e2ee/media.hpp"
#include "balint/e2ee/pairwise.hpp"
#include "balint/e2ee/security_code.hpp"
#include "balint/e2ee/sender_key.hpp"
#include "test_keys.hpp"

#include <boost/json.hpp>
#include <sodium.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <stdexcept>

namespace {

using namespace balint::e2ee;
using namespace balint::e2ee::testing;
namespace json = boost::json;

constexpr int kVectorsVersion = 1;
constexpr const char* kSession = "demo-session-42";
constexpr const char* kOtherSession = "demo-session-43";

// ---------------------------------------------------------------------------
// Inputs.

// Fixed bytes standing in for the random ones of production.
class Draws {
 public:
  explicit Draws(std::uint64_t seed) : random_(seed) {}
  std::string bytes(std::size_t n) {
    std::string out(n, '\0');
    random_.fill(uchars(out), n);
    return out;
  }

 private:
  SeededRandom random_;
};

PairKeys pair_of(std::string_view my_seed, std::string_view peer_pk) {
  const ExchangeKeys mine = exchange_keys(my_seed);
  auto pair = pair_keys(mine.pk, mine.sk, peer_pk);
  if (!pair.ok()) throw std::logic_error("pairwise keys refused");
  return std::move(*pair.value);
}

std::string flip(std::string bytes, std::size_t index, unsigned char mask = 0x01) {
  bytes.at(index) = static_cast<char>(static_cast<unsigned char>(bytes[index]) ^ mask);
  return bytes;
}

void expect(Error intended, Error actual, std::string_view name) {
  if (intended != actual) {
    throw std::logic_error(std::string(name) + ": expected " + std::string(error_name(intended)) + ", got " +
                           std::string(error_name(actual)));
  }
}

// A member of the vectors: seeds and the keys they make.
struct Cast {
  std::string id;
  std::string display_name;
  std::string sign_seed;
  std::string exchange_seed;

  Identity identity() const { return Identity::from_seeds(sign_seed, exchange_seed); }
  std::string identity_pk() const { return identity().identity_public(); }
  std::string exchange_pk() const { return identity().exchange_public(); }
};

Cast cast_member(Draws& draws, std::string id, std::string display_name) {
  return {std::move(id), std::move(display_name), draws.bytes(32), draws.bytes(32)};
}

json::object case_head(std::string_view name, std::string_view description) {
  return {{"name", name}, {"description", description}};
}

// ---------------------------------------------------------------------------
// Golden cases.

json::object announcement_case(std::string_view name, std::string_view description, const Cast& who) {
  const Identity identity = who.identity();
  const Announcement announcement = make_announcement(identity, kSession, who.id, who.display_name);
  json::object out = case_head(name, description);
  out["inputs"] = {{"session_id", kSession},
                   {"participant_id", who.id},
                   {"display_name", who.display_name},
                   {"sign_seed", to_hex(who.sign_seed)},
                   {"exchange_seed", to_hex(who.exchange_seed)}};
  out["expected"] = {{"identity_pk", to_hex(announcement.identity_key)},
                     {"exchange_pk", to_hex(announcement.exchange_key)},
                     {"announce_bytes", to_hex(announce_bytes(kSession, who.id, who.display_name,
                                                              announcement.identity_key, announcement.exchange_key))},
                     {"signature", to_hex(announcement.signature)}};
  return out;
}

json::object pairwise_case(std::string_view name, std::string_view description, const Cast& a, const Cast& b) {
  const PairKeys ab = pair_of(a.exchange_seed, b.exchange_pk());
  const PairKeys ba = pair_of(b.exchange_seed, a.exchange_pk());
  const bool a_is_client = std::memcmp(a.exchange_pk().data(), b.exchange_pk().data(), 32) < 0;
  json::object out = case_head(name, description);
  out["inputs"] = {{"a_exchange_seed", to_hex(a.exchange_seed)}, {"b_exchange_seed", to_hex(b.exchange_seed)}};
  out["expected"] = {{"a_exchange_pk", to_hex(a.exchange_pk())},
                     {"b_exchange_pk", to_hex(b.exchange_pk())},
                     {"client", a_is_client ? "a" : "b"},
                     {"a_rx", to_hex(ab.rx.reveal())},
                     {"a_tx", to_hex(ab.tx.reveal())},
                     {"b_rx", to_hex(ba.rx.reveal())},
                     {"b_tx", to_hex(ba.tx.reveal())}};
  return out;
}

json::object sender_key_case(std::string_view name, std::string_view description, std::uint64_t epoch,
                             const Cast& sender, const Cast& recipient, Draws& draws) {
  const Key secret = Key::from_bytes(draws.bytes(32));
  const std::string nonce = draws.bytes(kNonceBytes);
  const PairKeys pair = pair_of(sender.exchange_seed, recipient.exchange_pk());
  const SenderKeyContext context{kSession, epoch, sender.id, recipient.id};
  FixedRandom random(nonce);
  json::object out = case_head(name, description);
  out["inputs"] = {{"session_id", kSession},
                   {"epoch", epoch},
                   {"sender_id", sender.id},
                   {"recipient_id", recipient.id},
                   {"sender_exchange_seed", to_hex(sender.exchange_seed)},
                   {"recipient_exchange_seed", to_hex(recipient.exchange_seed)},
                   {"sender_secret", to_hex(secret.reveal())},
                   {"nonce", to_hex(nonce)}};
  out["expected"] = {{"sender_exchange_pk", to_hex(sender.exchange_pk())},
                     {"recipient_exchange_pk", to_hex(recipient.exchange_pk())},
                     {"sender_tx", to_hex(pair.tx.reveal())},
                     {"ad", to_hex(sender_key_ad(context))},
                     {"sealed", to_hex(seal_sender_key(secret, pair.tx, context, random))},
                     {"group_chain_0", to_hex(group_chain_root(secret).reveal())},
                     {"media_key", to_hex(media_key(secret).reveal())}};
  return out;
}

// Seals `texts` as messages 0, 1, 2... of the chain from `chain_0`.
json::array chat_steps(const Key& chain_0, ChatContext context, const std::vector<std::string>& texts,
                       const Identity& sender) {
  json::array steps;
  Key chain = chain_0.clone();
  for (std::size_t n = 0; n < texts.size(); ++n) {
    context.counter = n;
    const MessageKeys keys = message_keys(chain);
    const auto sealed = seal_chat_message(texts[n], context, keys, sender);
    steps.push_back(json::object{{"counter", n},
                                 {"chain", to_hex(chain.reveal())},
                                 {"message_key", to_hex(keys.message_key.reveal())},
                                 {"nonce", to_hex(keys.nonce)},
                                 {"ad", to_hex(chat_ad(context))},
                                 {"padded", to_hex(pad_text(texts[n]))},
                                 {"ciphertext", to_hex(sealed.value->ciphertext)},
                                 {"signature", to_hex(sealed.value->signature)}});
    chain = next_chain(chain);
  }
  return steps;
}

json::array message_inputs(const std::vector<std::string>& texts) {
  json::array messages;
  for (std::size_t n = 0; n < texts.size(); ++n) messages.push_back(json::object{{"counter", n}, {"text", texts[n]}});
  return messages;
}

json::object group_chat_case(std::string_view name, std::string_view description, std::uint64_t epoch,
                             const Cast& sender, const std::vector<std::string>& texts, Draws& draws) {
  const Key secret = Key::from_bytes(draws.bytes(32));
  const Key chain_0 = group_chain_root(secret);
  json::object out = case_head(name, description);
  out["inputs"] = {{"session_id", kSession},
                   {"epoch", epoch},
                   {"sender_id", sender.id},
                   {"recipient_id", ""},
                   {"sender_sign_seed", to_hex(sender.sign_seed)},
                   {"sender_secret", to_hex(secret.reveal())},
                   {"messages", message_inputs(texts)}};
  out["expected"] = {{"sender_identity_pk", to_hex(sender.identity_pk())},
                     {"chain_0", to_hex(chain_0.reveal())},
                     {"steps", chat_steps(chain_0, {kSession, epoch, sender.id, "", 0}, texts, sender.identity())}};
  return out;
}

json::object direct_chat_case(std::string_view name, std::string_view description, std::uint64_t epoch,
                              const Cast& sender, const Cast& recipient, const std::vector<std::string>& texts) {
  const PairKeys sender_pair = pair_of(sender.exchange_seed, recipient.exchange_pk());
  const Key chain_0 = direct_chain_root(sender_pair.tx, epoch);
  json::object out = case_head(name, description);
  out["inputs"] = {{"session_id", kSession},
                   {"epoch", epoch},
                   {"sender_id", sender.id},
                   {"recipient_id", recipient.id},
                   {"sender_sign_seed", to_hex(sender.sign_seed)},
                   {"sender_exchange_seed", to_hex(sender.exchange_seed)},
                   {"recipient_exchange_seed", to_hex(recipient.exchange_seed)},
                   {"messages", message_inputs(texts)}};
  out["expected"] = {
      {"sender_identity_pk", to_hex(sender.identity_pk())},
      {"sender_tx", to_hex(sender_pair.tx.reveal())},
      {"chain_0", to_hex(chain_0.reveal())},
      {"steps", chat_steps(chain_0, {kSession, epoch, sender.id, recipient.id, 0}, texts, sender.identity())}};
  return out;
}

struct FrameInput {
  std::uint32_t track;
  std::uint64_t counter;
  std::string frame;
  FrameFlags flags{};
};

json::object media_case(std::string_view name, std::string_view description, std::uint64_t epoch, const Cast& sender,
                        const std::vector<FrameInput>& frames, Draws& draws) {
  const Key secret = Key::from_bytes(draws.bytes(32));
  const Key key = media_key(secret);
  json::array inputs, outputs;
  for (const auto& frame : frames) {
    const MediaContext context{kSession, epoch, sender.id, frame.track, frame.counter, frame.flags};
    inputs.push_back(json::object{{"track", frame.track},
                                  {"counter", frame.counter},
                                  {"key_frame", frame.flags.key_frame},
                                  {"temporal_layer", frame.flags.temporal_layer},
                                  {"frame", to_hex(frame.frame)}});
    outputs.push_back(json::object{{"ad", to_hex(media_ad(context))},
                                   {"nonce", to_hex(media_nonce(frame.counter))},
                                   {"payload", to_hex(seal_media_frame(frame.frame, context, key))}});
  }
  json::object out = case_head(name, description);
  out["inputs"] = {{"session_id", kSession},
                   {"epoch", epoch},
                   {"sender_id", sender.id},
                   {"sender_secret", to_hex(secret.reveal())},
                   {"frames", std::move(inputs)}};
  out["expected"] = {{"media_key", to_hex(key.reveal())}, {"frames", std::move(outputs)}};
  return out;
}

json::object security_code_case(std::string_view name, std::string_view description,
                                const std::vector<CodeEntry>& entries) {
  json::array members;
  for (const auto& entry : entries) {
    members.push_back(json::object{{"participant_id", entry.participant_id},
                                   {"identity_pk", to_hex(entry.identity_key)},
                                   {"exchange_pk", to_hex(entry.exchange_key)}});
  }
  auto sorted = entries;
  std::sort(sorted.begin(), sorted.end(),
            [](const CodeEntry& a, const CodeEntry& b) { return a.identity_key < b.identity_key; });
  json::array sorted_ids;
  for (const auto& entry : sorted) sorted_ids.push_back(json::string(entry.participant_id));
  json::object out = case_head(name, description);
  out["inputs"] = {{"session_id", kSession}, {"members", std::move(members)}};
  out["expected"] = {{"sorted_ids", std::move(sorted_ids)},
                     {"digest", to_hex(security_code_digest(kSession, entries))},
                     {"code", security_code(kSession, entries)}};
  return out;
}

CodeEntry code_entry(const Cast& who) { return {who.id, who.identity_pk(), who.exchange_pk()}; }

// ---------------------------------------------------------------------------
// Negative cases.

json::object bad_announcement(std::string_view name, std::string_view description, Error intended,
                              const Announcement& announcement, std::string_view session_id,
                              std::string_view participant_id, std::string_view display_name) {
  expect(intended, check_announcement(announcement, session_id, participant_id, display_name), name);
  json::object out = case_head(name, description);
  out["inputs"] = {{"session_id", session_id},
                   {"participant_id", participant_id},
                   {"display_name", display_name},
                   {"identity_pk", to_hex(announcement.identity_key)},
                   {"exchange_pk", to_hex(announcement.exchange_key)},
                   {"signature", to_hex(announcement.signature)}};
  out["expected_error"] = error_name(intended);
  return out;
}

json::object bad_pair(std::string_view name, std::string_view description, std::string_view my_seed,
                      std::string_view peer_pk) {
  const ExchangeKeys mine = exchange_keys(my_seed);
  expect(Error::bad_key, pair_keys(mine.pk, mine.sk, peer_pk).error, name);
  json::object out = case_head(name, description);
  out["inputs"] = {{"my_exchange_seed", to_hex(my_seed)}, {"peer_exchange_pk", to_hex(peer_pk)}};
  out["expected_error"] = error_name(Error::bad_key);
  return out;
}

// The receiver's view: it opens `sealed` as `context` says, with its own keys.
json::object bad_sender_key(std::string_view name, std::string_view description, Error intended,
                            const std::string& sealed, const SenderKeyContext& context, const Cast& sender,
                            const Cast& receiver) {
  const PairKeys pair = pair_of(receiver.exchange_seed, sender.exchange_pk());
  expect(intended, open_sender_key(sealed, pair.rx, context).error, name);
  json::object out = case_head(name, description);
  out["inputs"] = {{"session_id", context.session_id},
                   {"epoch", context.epoch},
                   {"sender_id", context.sender_id},
                   {"recipient_id", context.recipient_id},
                   {"sender_exchange_pk", to_hex(sender.exchange_pk())},
                   {"recipient_exchange_seed", to_hex(receiver.exchange_seed)},
                   {"sealed", to_hex(sealed)}};
  out["expected_error"] = error_name(intended);
  return out;
}

// What a chat receiver holds for one sender in one epoch.
struct ChatView {
  std::string session_id;
  std::uint64_t epoch;
  const Cast* receiver;
  const Cast* sender;
  std::optional<std::string> group_secret;  // The sender's secret, if its key arrived.
  bool direct = false;                      // Whether it holds the direct chain from the sender.
};

// Message `counter` of a chain, sealed and signed as `context` says.
SealedChat sealed_at(const Key& chain_0, const ChatContext& context, std::string_view text, const Identity& signer) {
  Key chain = chain_0.clone();
  for (std::uint64_t n = 0; n < context.counter; ++n) chain = next_chain(chain);
  return *seal_chat_message(text, context, message_keys(chain), signer).value;
}

SealedChat resign(SealedChat chat, const ChatContext& context, const Identity& signer) {
  chat.signature = signer.sign(chat_ad(context) + chat.ciphertext);
  return chat;
}

// Seals exactly `plaintext` (no padding added) as message `context.counter`.
SealedChat sealed_raw(const Key& chain_0, const ChatContext& context, std::string_view plaintext,
                      const Identity& signer) {
  Key chain = chain_0.clone();
  for (std::uint64_t n = 0; n < context.counter; ++n) chain = next_chain(chain);
  const MessageKeys keys = message_keys(chain);
  const std::string ad = chat_ad(context);
  SealedChat chat{context.epoch,
                  context.counter,
                  std::string(context.recipient_id),
                  std::string(plaintext.size() + kTagBytes, '\0'),
                  {}};
  crypto_aead_xchacha20poly1305_ietf_encrypt(uchars(chat.ciphertext), nullptr, uchars(plaintext), plaintext.size(),
                                             uchars(ad), ad.size(), nullptr, uchars(keys.nonce),
                                             keys.message_key.data());
  return resign(std::move(chat), context, signer);
}

json::object bad_chat(std::string_view name, std::string_view description, Error intended, const ChatView& view,
                      const std::vector<SealedChat>& messages) {
  std::optional<ReceiveChain> group, direct;
  if (view.group_secret) group.emplace(group_chain_root(Key::from_bytes(*view.group_secret)));
  if (view.direct) {
    direct.emplace(direct_chain_root(pair_of(view.receiver->exchange_seed, view.sender->exchange_pk()).rx, view.epoch));
  }
  const std::string sender_pk = view.sender->identity_pk();
  const ChatReceiver receiver{
      view.session_id,           view.receiver->id,          view.sender->id, sender_pk, view.epoch,
      group ? &*group : nullptr, direct ? &*direct : nullptr};
  json::array delivered;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const SealedChat& chat = messages[i];
    const auto opened = open_chat_message(chat, receiver);
    json::object message{{"epoch", chat.epoch},
                         {"counter", chat.counter},
                         {"recipient_id", chat.recipient_id},
                         {"ciphertext", to_hex(chat.ciphertext)},
                         {"signature", to_hex(chat.signature)}};
    if (i + 1 < messages.size()) {
      expect(Error::ok, opened.error, name);
      message["text"] = *opened.value;
    } else {
      expect(intended, opened.error, name);
    }
    delivered.push_back(std::move(message));
  }
  json::object out = case_head(name, description);
  out["inputs"] = {
      {"session_id", view.session_id},
      {"epoch", view.epoch},
      {"receiver_id", view.receiver->id},
      {"sender_id", view.sender->id},
      {"sender_identity_pk", to_hex(sender_pk)},
      {"sender_secret", view.group_secret ? json::value(to_hex(*view.group_secret)) : json::value(nullptr)},
      {"direct", view.direct
                     ? json::value(json::object{{"receiver_exchange_seed", to_hex(view.receiver->exchange_seed)},
                                                {"sender_exchange_pk", to_hex(view.sender->exchange_pk())}})
                     : json::value(nullptr)},
      {"messages", std::move(delivered)}};
  out["expected_error"] = error_name(intended);
  return out;
}

struct Delivery {
  std::uint32_t track;  // The track the server says it came on.
  std::string payload;
};

json::object bad_media(std::string_view name, std::string_view description, Error intended, std::uint64_t epoch,
                       const Cast& sender, const std::string& secret, const std::vector<Delivery>& frames) {
  MediaReceiver receiver(media_key(Key::from_bytes(secret)));
  json::array delivered;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const auto opened = receiver.open(frames[i].payload, kSession, epoch, sender.id, frames[i].track);
    json::object frame{{"track", frames[i].track}, {"payload", to_hex(frames[i].payload)}};
    if (i + 1 < frames.size()) {
      expect(Error::ok, opened.error, name);
      frame["frame"] = to_hex(*opened.value);
    } else {
      expect(intended, opened.error, name);
    }
    delivered.push_back(std::move(frame));
  }
  json::object out = case_head(name, description);
  out["inputs"] = {{"session_id", kSession},
                   {"epoch", epoch},
                   {"sender_id", sender.id},
                   {"sender_secret", to_hex(secret)},
                   {"frames", std::move(delivered)}};
  out["expected_error"] = error_name(intended);
  return out;
}

// ---------------------------------------------------------------------------
// The two files.

struct Cast4 {
  Cast alice, bob, carol, dave;
};

Cast4 the_cast() {
  Draws draws(0x62616c696e74ULL);  // "balint"
  return {cast_member(draws, "alice", "Alice Archer"), cast_member(draws, "bob", "Bob Baker"),
          cast_member(draws, "carol", "Zoë Ångström 🎙"), cast_member(draws, "dave", "Dave")};
}

json::object file_head(std::string_view about) {
  return {{"spec", "client-sdk/E2EE.md"}, {"version", kVectorsVersion}, {"about", about}};
}

json::object golden() {
  const Cast4 cast = the_cast();
  const Cast &alice = cast.alice, &bob = cast.bob, &carol = cast.carol, &dave = cast.dave;
  Draws draws(1001);
  json::object out = file_head(
      "Golden vectors: each case gives its inputs and the exact bytes they must produce. Byte strings are lowercase "
      "hex; ids, names and texts are JSON strings (UTF-8); epochs, counters and tracks are numbers. Inputs that are "
      "random in production (seeds, sender secrets, nonces) are given explicitly.");

  out["announcement"] =
      json::array{announcement_case("ascii name", "A member announces keys for the session.", alice),
                  announcement_case("non-ascii name",
                                    "The display name is UTF-8; str() counts its bytes, not its characters.", carol)};

  out["pairwise"] = json::array{
      pairwise_case("alice and bob", "Both sides of one pairwise channel: a_tx == b_rx and a_rx == b_tx.", alice, bob),
      pairwise_case("bob and alice", "The same pair the other way round: the roles follow the keys, not the order.",
                    bob, alice),
      pairwise_case("carol and dave", "Another pair.", carol, dave)};

  out["sender_key"] = json::array{
      sender_key_case("alice to bob", "Alice's sender secret of epoch 7, sealed for bob.", 7, alice, bob, draws),
      sender_key_case("bob to carol", "Bob's sender secret of epoch 8, sealed for carol.", 8, bob, carol, draws)};

  out["chat"] = json::array{
      group_chat_case("group", "Alice's first three group messages of epoch 7; the third crosses a padding block.", 7,
                      alice, {"Hello, everyone!", "", std::string(300, 'x')}, draws),
      group_chat_case("group, non-ascii", "A UTF-8 text.", 9, carol, {"Grüße aus Zürich 👋"}, draws),
      direct_chat_case("direct", "Alice's first two direct messages to bob in epoch 7, on the pairwise channel.", 7,
                       alice, bob, {"Just for you, Bob.", "Second one."})};

  out["media"] = json::array{
      media_case("microphone and camera",
                 "Six frames of bob in epoch 7: the counter is shared by both tracks; the camera sends a key frame, "
                 "then deltas of temporal layers 2 and 1.",
                 7, bob,
                 {{0, 0, "\x01\x02\x03\x04 audio frame"},
                  {1, 1, "camera key frame", {true, 0}},
                  {0, 2, std::string("\x00\xff\x00\xff", 4)},
                  {1, 3, "camera delta, layer 2", {false, 2}},
                  {1, 4, "camera delta, layer 1", {false, 1}},
                  {0, 5, ""}},
                 draws),
      media_case("microphone overtakes camera",
                 "A receiver's queue lets audio pass video: frame 9 (microphone) opens before frame 8 (camera), since "
                 "each track keeps its own last counter.",
                 7, bob, {{0, 9, "audio"}, {1, 8, "camera delta, base layer"}}, draws)};

  Draws rejoin_draws(77);
  const Cast carol_rejoined = cast_member(rejoin_draws, "carol", carol.display_name);
  out["security_code"] = json::array{
      security_code_case("four members", "Given in roster order; sorted by identity key before hashing.",
                         {code_entry(alice), code_entry(bob), code_entry(carol), code_entry(dave)}),
      security_code_case("four members, other order", "The same membership given in another order: the same code.",
                         {code_entry(dave), code_entry(carol), code_entry(alice), code_entry(bob)}),
      security_code_case("carol rejoined", "Carol's new connection has new keys: the code changes.",
                         {code_entry(alice), code_entry(bob), code_entry(carol_rejoined), code_entry(dave)}),
      security_code_case("one member", "A member alone.", {code_entry(alice)})};
  return out;
}

json::object negative() {
  const Cast4 cast = the_cast();
  const Cast &alice = cast.alice, &bob = cast.bob, &carol = cast.carol, &dave = cast.dave;
  Draws draws(2002);
  json::object out = file_head(
      "Negative vectors: each case must be refused with exactly expected_error (an Error name of the C++ library). "
      "Encodings as in golden.json.");
  out["receivers"] = {
      {"announcement",
       "check the lengths (identity_pk and exchange_pk 32 bytes, else bad_key; signature 64, else "
       "bad_signature), then the signature over announce_bytes (bad_signature)."},
      {"pairwise", "pair_keys(my exchange key pair from my_exchange_seed, peer_exchange_pk)."},
      {"sender_key",
       "open sealed with the recipient's pair.rx and sender_key_ad of the inputs: malformed unless 72 "
       "bytes, tampered if it does not open."},
      {"chat",
       "The receiver holds, for sender_id in epoch, the group chain from sender_secret (when not null) and the "
       "direct chain from kdf(pair.rx, epoch, \"brdirect\") (when direct is not null), both at counter 0. It "
       "opens messages in order: all but the last open to their text, the last fails. Checks, in order: the "
       "message's epoch (below epoch: stale_epoch; above: no_key), the signature over chat_ad || ciphertext "
       "(bad_signature), the chain (a direct message must name receiver_id, else wrong_recipient; no chain: "
       "no_key), the counter (below the next expected: replay; more than 1000 above: counter_jump), the AEAD "
       "(tampered), sodium_unpad (bad_padding), the text length (more than 4000 bytes: too_long)."},
      {"media",
       "The receiver holds media_key from sender_secret for sender_id in epoch, no counter opened yet, and "
       "opens frames in order: all but the last open to their frame, the last fails. Checks, in order: at "
       "least 33 bytes and flags valid for the track it came on (malformed), the header's epoch (below: "
       "stale_epoch; above: no_key), the counter (not above the last opened on that track: replay), the AEAD "
       "with media_ad of the track it came on (tampered)."}};

  // Announcements.
  const Announcement announced = make_announcement(alice.identity(), kSession, alice.id, alice.display_name);
  Announcement swapped = announced;
  swapped.exchange_key = dave.exchange_pk();
  Announcement short_key = announced;
  short_key.identity_key.pop_back();
  Announcement short_signature = announced;
  short_signature.signature.pop_back();
  out["announcement"] =
      json::array{bad_announcement("flipped signature bit", "One bit of the signature flipped.", Error::bad_signature,
                                   {announced.identity_key, announced.exchange_key, flip(announced.signature, 5)},
                                   kSession, alice.id, alice.display_name),
                  bad_announcement("other display name", "The roster shows a name the member did not sign.",
                                   Error::bad_signature, announced, kSession, alice.id, "Alice (host)"),
                  bad_announcement("other session", "An announcement made for another session.", Error::bad_signature,
                                   announced, kOtherSession, alice.id, alice.display_name),
                  bad_announcement("other participant", "Alice's announcement on dave's roster entry.",
                                   Error::bad_signature, announced, kSession, dave.id, alice.display_name),
                  bad_announcement("swapped exchange key", "The server put in another exchange key.",
                                   Error::bad_signature, swapped, kSession, alice.id, alice.display_name),
                  bad_announcement("short identity key", "An identity key of 31 bytes.", Error::bad_key, short_key,
                                   kSession, alice.id, alice.display_name),
                  bad_announcement("short signature", "A signature of 63 bytes.", Error::bad_signature, short_signature,
                                   kSession, alice.id, alice.display_name)};

  // Pairwise.
  out["pairwise"] = json::array{
      bad_pair("equal keys", "The peer announced my own exchange key.", alice.exchange_seed, alice.exchange_pk()),
      bad_pair("zero key", "An all-zero exchange key (a low-order point).", alice.exchange_seed, std::string(32, '\0')),
      bad_pair("short key", "An exchange key of 31 bytes.", alice.exchange_seed, alice.exchange_pk().substr(1))};

  // Sender keys: alice's secret of epoch 7, sealed for bob.
  const std::string secret = draws.bytes(32);
  const SenderKeyContext for_bob{kSession, 7, alice.id, bob.id};
  FixedRandom nonce(draws.bytes(kNonceBytes * 3));
  const Key alice_secret = Key::from_bytes(secret);
  const std::string sealed =
      seal_sender_key(alice_secret, pair_of(alice.exchange_seed, bob.exchange_pk()).tx, for_bob, nonce);
  const std::string sealed_other_session = seal_sender_key(
      alice_secret, pair_of(alice.exchange_seed, bob.exchange_pk()).tx, {kOtherSession, 7, alice.id, bob.id}, nonce);
  const std::string sealed_for_carol = seal_sender_key(
      alice_secret, pair_of(alice.exchange_seed, carol.exchange_pk()).tx, {kSession, 7, alice.id, carol.id}, nonce);
  out["sender_key"] =
      json::array{bad_sender_key("flipped ciphertext bit", "One bit of the ciphertext flipped.", Error::tampered,
                                 flip(sealed, 30), for_bob, alice, bob),
                  bad_sender_key("flipped nonce bit", "One bit of the nonce flipped.", Error::tampered, flip(sealed, 3),
                                 for_bob, alice, bob),
                  bad_sender_key("flipped tag bit", "One bit of the tag flipped.", Error::tampered,
                                 flip(sealed, 71, 0x80), for_bob, alice, bob),
                  bad_sender_key("other session", "Sealed for the same pair in another session.", Error::tampered,
                                 sealed_other_session, for_bob, alice, bob),
                  bad_sender_key("wrong epoch", "Sealed for epoch 7, handed over as epoch 8.", Error::tampered, sealed,
                                 {kSession, 8, alice.id, bob.id}, alice, bob),
                  bad_sender_key("wrong sender", "Alice's key, stamped as coming from dave.", Error::tampered, sealed,
                                 {kSession, 7, dave.id, bob.id}, dave, bob),
                  bad_sender_key("wrong recipient", "Carol's share handed to bob.", Error::tampered, sealed_for_carol,
                                 for_bob, alice, bob),
                  bad_sender_key("truncated", "71 bytes.", Error::malformed, sealed.substr(0, 71), for_bob, alice, bob),
                  bad_sender_key("extended", "73 bytes.", Error::malformed, sealed + '\0', for_bob, alice, bob)};

  // Chat: alice's group chain of epoch 7 as bob holds it.
  const Key group_0 = group_chain_root(alice_secret);
  const Identity alice_id = alice.identity();
  const Identity dave_id = dave.identity();
  const ChatView bob_view{kSession, 7, &bob, &alice, secret, false};
  auto ctx = [&](std::uint64_t counter, std::uint64_t epoch = 7) {
    return ChatContext{kSession, epoch, alice.id, "", counter};
  };
  const SealedChat m0 = sealed_at(group_0, ctx(0), "first", alice_id);
  const SealedChat m1 = sealed_at(group_0, ctx(1), "second", alice_id);
  SealedChat flipped = m0;
  flipped.ciphertext = flip(flipped.ciphertext, 10);
  SealedChat flipped_signature = m0;
  flipped_signature.signature = flip(flipped_signature.signature, 40);
  SealedChat other_session =
      *seal_chat_message("elsewhere", {kOtherSession, 7, alice.id, "", 0}, message_keys(group_0), alice_id).value;
  // Sealed under another session's associated data, signed over the receiver's.
  SealedChat other_ad = resign(other_session, ctx(0), alice_id);
  const SealedChat stale = sealed_at(group_0, ctx(0, 6), "old epoch", alice_id);
  const SealedChat future = sealed_at(group_0, ctx(0, 8), "next epoch", alice_id);
  const SealedChat at_1000 = sealed_at(group_0, ctx(1000), "at the cap", alice_id);
  const SealedChat at_1001 = sealed_at(group_0, ctx(1001), "past the cap", alice_id);
  const SealedChat at_2002 = sealed_at(group_0, ctx(2002), "1001 past", alice_id);
  const std::string long_text(kMaxChatTextBytes + 1, 'y');
  std::string long_padded = long_text;
  long_padded.resize((long_text.size() / kPadBlock + 1) * kPadBlock);
  std::size_t long_size = 0;
  sodium_pad(&long_size, uchars(long_padded), long_text.size(), kPadBlock, long_padded.size());
  long_padded.resize(long_size);

  // Direct: alice to bob on their pairwise channel.
  const Key direct_0 = direct_chain_root(pair_of(alice.exchange_seed, bob.exchange_pk()).tx, 7);
  const ChatContext to_bob{kSession, 7, alice.id, bob.id, 0};
  const ChatContext to_carol{kSession, 7, alice.id, carol.id, 0};
  const ChatView bob_direct_view{kSession, 7, &bob, &alice, std::nullopt, true};

  out["chat"] = json::array{
      bad_chat("flipped ciphertext bit", "The signature covers the ciphertext, so it fails first.",
               Error::bad_signature, bob_view, {flipped}),
      bad_chat("flipped ciphertext bit, re-signed", "A sender signing bytes altered after sealing: the AEAD refuses.",
               Error::tampered, bob_view, {resign(flipped, ctx(0), alice_id)}),
      bad_chat("flipped signature bit", "One bit of the signature flipped.", Error::bad_signature, bob_view,
               {flipped_signature}),
      bad_chat("signed by another member", "Dave signs a message stamped as alice's.", Error::bad_signature, bob_view,
               {resign(m0, ctx(0), dave_id)}),
      bad_chat("other session", "Sealed and signed for another session.", Error::bad_signature, bob_view,
               {other_session}),
      bad_chat("other associated data, re-signed",
               "Sealed under another session's associated data, signed over this one's: the AEAD refuses.",
               Error::tampered, bob_view, {other_ad}),
      bad_chat("stale epoch", "Sealed for epoch 6; the receiver is in epoch 7.", Error::stale_epoch, bob_view, {stale}),
      bad_chat("future epoch", "Sealed for epoch 8; the receiver is in epoch 7.", Error::no_key, bob_view, {future}),
      bad_chat("replay", "Messages 0 and 1, then 0 again.", Error::replay, bob_view, {m0, m1, m0}),
      bad_chat("replay of the last", "Message 0 twice.", Error::replay, bob_view, {m0, m0}),
      bad_chat("counter jump", "Counter 1001 while 0 is expected.", Error::counter_jump, bob_view, {at_1001}),
      bad_chat("counter jump after the cap",
               "Counter 1000 opens (exactly at the cap); then 2002 is 1001 ahead of the next expected, 1001.",
               Error::counter_jump, bob_view, {at_1000, at_2002}),
      bad_chat("bad padding", "256 bytes with no 0x80 marker, sealed with the right key and signed.",
               Error::bad_padding, bob_view, {sealed_raw(group_0, ctx(0), std::string(256, '\x07'), alice_id)}),
      bad_chat("empty plaintext", "Nothing sealed: shorter than one padding block.", Error::bad_padding, bob_view,
               {sealed_raw(group_0, ctx(0), "", alice_id)}),
      bad_chat("too long", "A validly padded text of 4001 bytes.", Error::too_long, bob_view,
               {sealed_raw(group_0, ctx(0), long_padded, alice_id)}),
      bad_chat("direct message for another member", "Alice's direct message to carol, delivered to bob.",
               Error::wrong_recipient, bob_direct_view,
               {sealed_at(direct_0, to_bob, "for bob", alice_id),
                sealed_at(direct_chain_root(pair_of(alice.exchange_seed, carol.exchange_pk()).tx, 7), to_carol,
                          "for carol", alice_id)}),
      bad_chat("group message without the sender key", "The receiver holds only the direct chain.", Error::no_key,
               bob_direct_view, {m0})};

  // Media: bob receives alice's frames of epoch 7.
  const Key media = media_key(alice_secret);
  auto frame = [&](std::uint32_t track, std::uint64_t counter, std::string_view bytes, std::uint64_t epoch = 7,
                   std::string_view session = kSession) {
    return seal_media_frame(bytes, {session, epoch, alice.id, track, counter, {}}, media);
  };
  const std::string f0 = frame(0, 0, "frame zero");
  const std::string f1 = frame(0, 1, "frame one");
  const std::string delta = frame(1, 2, "camera delta");
  auto with_flags = [](std::string payload, char flags) {
    payload[16] = flags;
    return payload;
  };
  std::string rewritten_epoch = frame(0, 0, "sealed in 6", 6);
  rewritten_epoch.replace(0, 8, u64_bytes(7));
  std::string rewritten_counter = f0;
  rewritten_counter.replace(8, 8, u64_bytes(5));
  out["media"] = json::array{
      bad_media("flipped ciphertext bit", "One bit of the ciphertext flipped.", Error::tampered, 7, alice, secret,
                {{0, flip(f0, 20)}}),
      bad_media("rewritten counter", "The header's counter changed from 0 to 5.", Error::tampered, 7, alice, secret,
                {{0, rewritten_counter}}),
      bad_media("rewritten epoch", "Sealed for epoch 6, the header rewritten to 7.", Error::tampered, 7, alice, secret,
                {{0, rewritten_epoch}}),
      bad_media("other track", "Sealed for track 0, delivered on track 1.", Error::tampered, 7, alice, secret,
                {{1, f0}}),
      bad_media("other session", "Sealed for another session.", Error::tampered, 7, alice, secret,
                {{0, frame(0, 0, "elsewhere", 7, kOtherSession)}}),
      bad_media("stale epoch", "Sealed for epoch 6; the receiver is in epoch 7.", Error::stale_epoch, 7, alice, secret,
                {{0, frame(0, 0, "old", 6)}}),
      bad_media("future epoch", "Sealed for epoch 8; the receiver is in epoch 7.", Error::no_key, 7, alice, secret,
                {{0, frame(0, 0, "new", 8)}}),
      bad_media("replay", "Frame 0 twice.", Error::replay, 7, alice, secret, {{0, f0}, {0, f0}}),
      bad_media("late frame", "Frame 1, then frame 0, on one track.", Error::replay, 7, alice, secret,
                {{0, f1}, {0, f0}}),
      bad_media("truncated", "32 bytes: shorter than header and tag.", Error::malformed, 7, alice, secret,
                {{0, f0.substr(0, 32)}}),
      bad_media("delta made a key frame", "A camera delta whose clear flags were rewritten to say key frame.",
                Error::tampered, 7, alice, secret, {{1, with_flags(delta, '\x01')}}),
      bad_media("delta moved to another layer", "A base-layer camera delta rewritten to temporal layer 2.",
                Error::tampered, 7, alice, secret, {{1, with_flags(delta, '\x04')}}),
      bad_media("reserved flag bit", "A camera frame with bit 3 of the flags set.", Error::malformed, 7, alice, secret,
                {{1, with_flags(delta, '\x08')}}),
      bad_media("temporal layer 3", "A camera frame with both layer bits set.", Error::malformed, 7, alice, secret,
                {{1, with_flags(delta, '\x06')}}),
      bad_media("key frame above the base", "A camera key frame in temporal layer 1.", Error::malformed, 7, alice,
                secret, {{1, with_flags(delta, '\x03')}}),
      bad_media("flags on the microphone", "A microphone frame that says key frame.", Error::malformed, 7, alice,
                secret, {{0, with_flags(f0, '\x01')}}),
      bad_media("unknown track", "A frame delivered on track 2.", Error::malformed, 7, alice, secret, {{2, f0}})};
  return out;
}

// ---------------------------------------------------------------------------
// Output: two-space indented JSON, arrays of plain values on one line.

bool scalar(const json::value& value) { return !value.is_object() && !value.is_array(); }

void write_json(std::ostream& out, const json::value& value, int indent) {
  const std::string pad(static_cast<std::size_t>(indent) + 2, ' ');
  if (value.is_object()) {
    const auto& object = value.get_object();
    if (object.empty()) {
      out << "{}";
      return;
    }
    out << "{\n";
    bool first = true;
    for (const auto& item : object) {
      out << (first ? "" : ",\n") << pad << json::serialize(json::string(item.key())) << ": ";
      write_json(out, item.value(), indent + 2);
      first = false;
    }
    out << "\n" << std::string(static_cast<std::size_t>(indent), ' ') << "}";
  } else if (value.is_array()) {
    const auto& array = value.get_array();
    if (array.empty() || std::all_of(array.begin(), array.end(), scalar)) {
      out << json::serialize(array);
      return;
    }
    out << "[\n";
    for (std::size_t i = 0; i < array.size(); ++i) {
      out << (i == 0 ? "" : ",\n") << pad;
      write_json(out, array[i], indent + 2);
    }
    out << "\n" << std::string(static_cast<std::size_t>(indent), ' ') << "]";
  } else {
    out << json::serialize(value);
  }
}

void write_file(const std::filesystem::path& path, const json::object& content) {
  std::ofstream out(path, std::ios::binary);
  write_json(out, content, 0);
  out << "\n";
  if (!out) throw std::runtime_error("cannot write " + path.string());
  std::cout << "wrote " << path.string() << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: balint_make_vectors <out_dir>\n";
    return 2;
  }
  try {
    const std::filesystem::path dir = argv[1];
    std::filesystem::create_directories(dir);
    write_file(dir / "golden.json", golden());
    write_file(dir / "negative.json", negative());
  } catch (const std::exception& error) {
    std::cerr << "balint_make_vectors: " << error.what() << "\n";
    return 1;
  }
  return 0;
}
