// Holds the library to the committed vectors (tests/e2ee/vectors/, written
// by balint_make_vectors): every golden output is recomputed from its
// inputs and compared byte for byte, and every negative case must be refused
// with exactly its named error. The TypeScript SDK checks the same files.
#include "balint/e2ee/announcement.hpp"
#include "balint/e2ee/bytes.hpp"
#include "balint/e2ee/chat.hpp"
#include "balint/e2ee/derive.hpp"
#include "balint/e2ee/hex.hpp"
#include "balint/e2ee/media.hpp"
#include "balint/e2ee/pairwise.hpp"
#include "balint/e2ee/security_code.hpp"
#include "balint/e2ee/sender_key.hpp"
#include "test_keys.hpp"

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <sodium.h>

#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

using namespace balint::e2ee;
using namespace balint::e2ee::testing;
namespace json = boost::json;

namespace {

json::object load(const std::string& file) {
  const std::string path = std::string(BALINT_SOURCE_DIR) + "/tests/e2ee/vectors/" + file;
  std::ifstream in(path, std::ios::binary);
  INFO(path);
  REQUIRE(in);
  std::stringstream text;
  text << in.rdbuf();
  json::value parsed = json::parse(text.str());
  REQUIRE(parsed.is_object());
  return std::move(parsed.as_object());
}

std::string text(const json::object& object, std::string_view key) { return std::string(object.at(key).as_string()); }

std::string bytes(const json::object& object, std::string_view key) {
  const auto decoded = from_hex(object.at(key).as_string());
  INFO("field " << key);
  REQUIRE(decoded);
  return *decoded;
}

std::string hex(const json::object& object, std::string_view key) { return text(object, key); }

std::uint64_t number(const json::object& object, std::string_view key) {
  return object.at(key).to_number<std::uint64_t>();
}

const json::object& field(const json::object& object, std::string_view key) { return object.at(key).as_object(); }

const json::array& cases(const json::object& file, std::string_view kind) {
  const json::array& all = file.at(kind).as_array();
  REQUIRE_FALSE(all.empty());
  return all;
}

Error error_named(std::string_view name) {
  for (int i = 0; i <= static_cast<int>(Error::malformed); ++i) {
    if (error_name(static_cast<Error>(i)) == name) return static_cast<Error>(i);
  }
  FAIL("no error named " << name);
  return Error::ok;
}

PairKeys pair_from(std::string_view my_seed, std::string_view peer_pk) {
  const ExchangeKeys mine = exchange_keys(my_seed);
  auto pair = pair_keys(mine.pk, mine.sk, peer_pk);
  REQUIRE(pair.ok());
  return std::move(*pair.value);
}

Identity identity_from(std::string sign_seed) {
  return Identity::from_seeds(std::move(sign_seed), std::string(32, 'x'));
}

// Recomputes each step of a chat case from its chain_0 and compares it.
void check_chat_steps(const json::object& inputs, const json::object& expected, const Key& chain_0,
                      const Identity& sender) {
  const json::array& messages = inputs.at("messages").as_array();
  const json::array& steps = expected.at("steps").as_array();
  REQUIRE(messages.size() == steps.size());
  const std::string session = text(inputs, "session_id"), sender_id = text(inputs, "sender_id");
  const std::string recipient_id = text(inputs, "recipient_id");
  Key chain = chain_0.clone();
  for (std::size_t n = 0; n < steps.size(); ++n) {
    const json::object& message = messages[n].as_object();
    const json::object& step = steps[n].as_object();
    INFO("message " << n);
    REQUIRE(number(message, "counter") == n);
    CHECK(to_hex(chain.reveal()) == hex(step, "chain"));
    const MessageKeys keys = message_keys(chain);
    CHECK(to_hex(keys.message_key.reveal()) == hex(step, "message_key"));
    CHECK(to_hex(keys.nonce) == hex(step, "nonce"));
    const ChatContext context{session, number(inputs, "epoch"), sender_id, recipient_id, n};
    CHECK(to_hex(chat_ad(context)) == hex(step, "ad"));
    CHECK(to_hex(pad_text(text(message, "text"))) == hex(step, "padded"));
    const auto sealed = seal_chat_message(text(message, "text"), context, keys, sender);
    REQUIRE(sealed.ok());
    CHECK(to_hex(sealed.value->ciphertext) == hex(step, "ciphertext"));
    CHECK(to_hex(sealed.value->signature) == hex(step, "signature"));
    chain = next_chain(chain);
  }
}

}  // namespace

TEST_CASE("both vector files name the spec and their version", "[e2ee][vectors]") {
  for (const char* file : {"golden.json", "negative.json"}) {
    const json::object vectors = load(file);
    CHECK(text(vectors, "spec") == "client-sdk/E2EE.md");
    CHECK(number(vectors, "version") == 1);
  }
}

TEST_CASE("golden announcements", "[e2ee][vectors]") {
  const json::object vectors = load("golden.json");
  for (const auto& item : cases(vectors, "announcement")) {
    const json::object& vector = item.as_object();
    INFO(text(vector, "name"));
    const json::object& in = field(vector, "inputs");
    const json::object& expected = field(vector, "expected");
    const Identity identity = Identity::from_seeds(bytes(in, "sign_seed"), bytes(in, "exchange_seed"));
    CHECK(to_hex(identity.identity_public()) == hex(expected, "identity_pk"));
    CHECK(to_hex(identity.exchange_public()) == hex(expected, "exchange_pk"));
    CHECK(to_hex(announce_bytes(text(in, "session_id"), text(in, "participant_id"), text(in, "display_name"),
                                identity.identity_public(), identity.exchange_public())) ==
          hex(expected, "announce_bytes"));
    const Announcement announcement =
        make_announcement(identity, text(in, "session_id"), text(in, "participant_id"), text(in, "display_name"));
    CHECK(to_hex(announcement.signature) == hex(expected, "signature"));
    CHECK(verify_announcement(announcement, text(in, "session_id"), text(in, "participant_id"),
                              text(in, "display_name")));
  }
}

TEST_CASE("golden pairwise channels", "[e2ee][vectors]") {
  const json::object vectors = load("golden.json");
  for (const auto& item : cases(vectors, "pairwise")) {
    const json::object& vector = item.as_object();
    INFO(text(vector, "name"));
    const json::object& in = field(vector, "inputs");
    const json::object& expected = field(vector, "expected");
    const ExchangeKeys a = exchange_keys(bytes(in, "a_exchange_seed"));
    const ExchangeKeys b = exchange_keys(bytes(in, "b_exchange_seed"));
    CHECK(to_hex(a.pk) == hex(expected, "a_exchange_pk"));
    CHECK(to_hex(b.pk) == hex(expected, "b_exchange_pk"));
    CHECK((std::memcmp(a.pk.data(), b.pk.data(), 32) < 0 ? "a" : "b") == text(expected, "client"));
    const PairKeys ab = pair_from(bytes(in, "a_exchange_seed"), b.pk);
    const PairKeys ba = pair_from(bytes(in, "b_exchange_seed"), a.pk);
    CHECK(to_hex(ab.rx.reveal()) == hex(expected, "a_rx"));
    CHECK(to_hex(ab.tx.reveal()) == hex(expected, "a_tx"));
    CHECK(to_hex(ba.rx.reveal()) == hex(expected, "b_rx"));
    CHECK(to_hex(ba.tx.reveal()) == hex(expected, "b_tx"));
    CHECK(hex(expected, "a_tx") == hex(expected, "b_rx"));
  }
}

TEST_CASE("golden sender keys", "[e2ee][vectors]") {
  const json::object vectors = load("golden.json");
  for (const auto& item : cases(vectors, "sender_key")) {
    const json::object& vector = item.as_object();
    INFO(text(vector, "name"));
    const json::object& in = field(vector, "inputs");
    const json::object& expected = field(vector, "expected");
    const std::string session = text(in, "session_id"), sender = text(in, "sender_id");
    const std::string recipient = text(in, "recipient_id");
    const SenderKeyContext context{session, number(in, "epoch"), sender, recipient};
    const ExchangeKeys sender_keys = exchange_keys(bytes(in, "sender_exchange_seed"));
    const ExchangeKeys recipient_keys = exchange_keys(bytes(in, "recipient_exchange_seed"));
    CHECK(to_hex(sender_keys.pk) == hex(expected, "sender_exchange_pk"));
    CHECK(to_hex(recipient_keys.pk) == hex(expected, "recipient_exchange_pk"));
    const PairKeys pair = pair_from(bytes(in, "sender_exchange_seed"), recipient_keys.pk);
    CHECK(to_hex(pair.tx.reveal()) == hex(expected, "sender_tx"));
    CHECK(to_hex(sender_key_ad(context)) == hex(expected, "ad"));

    const Key secret = Key::from_bytes(bytes(in, "sender_secret"));
    FixedRandom nonce(bytes(in, "nonce"));
    const std::string sealed = seal_sender_key(secret, pair.tx, context, nonce);
    CHECK(to_hex(sealed) == hex(expected, "sealed"));
    const PairKeys back = pair_from(bytes(in, "recipient_exchange_seed"), sender_keys.pk);
    const auto opened = open_sender_key(bytes(expected, "sealed"), back.rx, context);
    REQUIRE(opened.ok());
    CHECK(opened.value->equals(secret));
    CHECK(to_hex(group_chain_root(secret).reveal()) == hex(expected, "group_chain_0"));
    CHECK(to_hex(media_key(secret).reveal()) == hex(expected, "media_key"));
  }
}

TEST_CASE("golden chat messages, group and direct", "[e2ee][vectors]") {
  int group = 0, direct = 0;
  const json::object vectors = load("golden.json");
  for (const auto& item : cases(vectors, "chat")) {
    const json::object& vector = item.as_object();
    INFO(text(vector, "name"));
    const json::object& in = field(vector, "inputs");
    const json::object& expected = field(vector, "expected");
    const Identity sender = identity_from(bytes(in, "sender_sign_seed"));
    CHECK(to_hex(sender.identity_public()) == hex(expected, "sender_identity_pk"));
    std::optional<Key> chain_0;
    if (text(in, "recipient_id").empty()) {
      ++group;
      chain_0 = group_chain_root(Key::from_bytes(bytes(in, "sender_secret")));
    } else {
      ++direct;
      const ExchangeKeys recipient = exchange_keys(bytes(in, "recipient_exchange_seed"));
      const ExchangeKeys sender_exchange = exchange_keys(bytes(in, "sender_exchange_seed"));
      const PairKeys sender_pair = pair_from(bytes(in, "sender_exchange_seed"), recipient.pk);
      const PairKeys recipient_pair = pair_from(bytes(in, "recipient_exchange_seed"), sender_exchange.pk);
      CHECK(to_hex(sender_pair.tx.reveal()) == hex(expected, "sender_tx"));
      chain_0 = direct_chain_root(sender_pair.tx, number(in, "epoch"));
      CHECK(direct_chain_root(recipient_pair.rx, number(in, "epoch")).equals(*chain_0));
    }
    CHECK(to_hex(chain_0->reveal()) == hex(expected, "chain_0"));
    check_chat_steps(in, expected, *chain_0, sender);
  }
  CHECK(group > 0);
  CHECK(direct > 0);
}

TEST_CASE("golden media frames", "[e2ee][vectors]") {
  const json::object vectors = load("golden.json");
  for (const auto& item : cases(vectors, "media")) {
    const json::object& vector = item.as_object();
    INFO(text(vector, "name"));
    const json::object& in = field(vector, "inputs");
    const json::object& expected = field(vector, "expected");
    const Key key = media_key(Key::from_bytes(bytes(in, "sender_secret")));
    CHECK(to_hex(key.reveal()) == hex(expected, "media_key"));
    const json::array& frames = in.at("frames").as_array();
    const json::array& outputs = expected.at("frames").as_array();
    REQUIRE(frames.size() == outputs.size());
    const std::string session = text(in, "session_id"), sender_id = text(in, "sender_id");
    MediaReceiver receiver(key.clone());
    for (std::size_t i = 0; i < frames.size(); ++i) {
      const json::object& frame = frames[i].as_object();
      const json::object& output = outputs[i].as_object();
      const auto track = static_cast<std::uint32_t>(number(frame, "track"));
      const FrameFlags flags{frame.at("key_frame").as_bool(),
                             static_cast<std::uint8_t>(number(frame, "temporal_layer"))};
      const MediaContext context{session, number(in, "epoch"), sender_id, track, number(frame, "counter"), flags};
      CHECK(to_hex(media_ad(context)) == hex(output, "ad"));
      CHECK(to_hex(media_nonce(context.counter)) == hex(output, "nonce"));
      CHECK(to_hex(seal_media_frame(bytes(frame, "frame"), context, key)) == hex(output, "payload"));
      const auto opened =
          receiver.open(bytes(output, "payload"), context.session_id, context.epoch, context.sender_id, track);
      REQUIRE(opened.ok());
      CHECK(*opened.value == bytes(frame, "frame"));
      CHECK(read_media_header(bytes(output, "payload"), track)->flags == flags);
    }
  }
}

TEST_CASE("golden security codes", "[e2ee][vectors]") {
  const json::object vectors = load("golden.json");
  for (const auto& item : cases(vectors, "security_code")) {
    const json::object& vector = item.as_object();
    INFO(text(vector, "name"));
    const json::object& in = field(vector, "inputs");
    const json::object& expected = field(vector, "expected");
    std::vector<CodeEntry> entries;
    for (const auto& member : in.at("members").as_array()) {
      const json::object& entry = member.as_object();
      entries.push_back({text(entry, "participant_id"), bytes(entry, "identity_pk"), bytes(entry, "exchange_pk")});
    }
    CHECK(to_hex(security_code_digest(text(in, "session_id"), entries)) == hex(expected, "digest"));
    CHECK(security_code(text(in, "session_id"), entries) == text(expected, "code"));
  }
}

TEST_CASE("negative announcements and pairwise keys", "[e2ee][vectors]") {
  const json::object vectors = load("negative.json");
  for (const auto& item : cases(vectors, "announcement")) {
    const json::object& vector = item.as_object();
    INFO(text(vector, "name"));
    const json::object& in = field(vector, "inputs");
    const Announcement announcement{bytes(in, "identity_pk"), bytes(in, "exchange_pk"), bytes(in, "signature")};
    CHECK(check_announcement(announcement, text(in, "session_id"), text(in, "participant_id"),
                             text(in, "display_name")) == error_named(text(vector, "expected_error")));
  }
  for (const auto& item : cases(vectors, "pairwise")) {
    const json::object& vector = item.as_object();
    INFO(text(vector, "name"));
    const json::object& in = field(vector, "inputs");
    const ExchangeKeys mine = exchange_keys(bytes(in, "my_exchange_seed"));
    CHECK(pair_keys(mine.pk, mine.sk, bytes(in, "peer_exchange_pk")).error ==
          error_named(text(vector, "expected_error")));
  }
}

TEST_CASE("negative sender keys", "[e2ee][vectors]") {
  const json::object vectors = load("negative.json");
  for (const auto& item : cases(vectors, "sender_key")) {
    const json::object& vector = item.as_object();
    INFO(text(vector, "name"));
    const json::object& in = field(vector, "inputs");
    const std::string session = text(in, "session_id"), sender = text(in, "sender_id");
    const std::string recipient = text(in, "recipient_id");
    const PairKeys pair = pair_from(bytes(in, "recipient_exchange_seed"), bytes(in, "sender_exchange_pk"));
    const auto opened =
        open_sender_key(bytes(in, "sealed"), pair.rx, {session, number(in, "epoch"), sender, recipient});
    CHECK(opened.error == error_named(text(vector, "expected_error")));
  }
}

TEST_CASE("negative chat messages", "[e2ee][vectors]") {
  const json::object vectors = load("negative.json");
  for (const auto& item : cases(vectors, "chat")) {
    const json::object& vector = item.as_object();
    INFO(text(vector, "name"));
    const json::object& in = field(vector, "inputs");
    const std::uint64_t epoch = number(in, "epoch");
    std::optional<ReceiveChain> group, direct;
    if (!in.at("sender_secret").is_null()) {
      group.emplace(group_chain_root(Key::from_bytes(bytes(in, "sender_secret"))));
    }
    if (!in.at("direct").is_null()) {
      const json::object& keys = field(in, "direct");
      const PairKeys pair = pair_from(bytes(keys, "receiver_exchange_seed"), bytes(keys, "sender_exchange_pk"));
      direct.emplace(direct_chain_root(pair.rx, epoch));
    }
    const std::string session = text(in, "session_id"), receiver_id = text(in, "receiver_id");
    const std::string sender_id = text(in, "sender_id"), sender_pk = bytes(in, "sender_identity_pk");
    const ChatReceiver receiver{
        session, receiver_id, sender_id, sender_pk, epoch, group ? &*group : nullptr, direct ? &*direct : nullptr};
    const json::array& messages = in.at("messages").as_array();
    for (std::size_t i = 0; i < messages.size(); ++i) {
      const json::object& message = messages[i].as_object();
      INFO("message " << i);
      const SealedChat chat{number(message, "epoch"), number(message, "counter"), text(message, "recipient_id"),
                            bytes(message, "ciphertext"), bytes(message, "signature")};
      const auto opened = open_chat_message(chat, receiver);
      if (i + 1 < messages.size()) {
        REQUIRE(opened.ok());
        CHECK(*opened.value == text(message, "text"));
      } else {
        CHECK(opened.error == error_named(text(vector, "expected_error")));
      }
    }
  }
}

TEST_CASE("negative media frames", "[e2ee][vectors]") {
  const json::object vectors = load("negative.json");
  for (const auto& item : cases(vectors, "media")) {
    const json::object& vector = item.as_object();
    INFO(text(vector, "name"));
    const json::object& in = field(vector, "inputs");
    MediaReceiver receiver(media_key(Key::from_bytes(bytes(in, "sender_secret"))));
    const json::array& frames = in.at("frames").as_array();
    for (std::size_t i = 0; i < frames.size(); ++i) {
      const json::object& frame = frames[i].as_object();
      INFO("frame " << i);
      const auto opened = receiver.open(bytes(frame, "payload"), text(in, "session_id"), number(in, "epoch"),
                                        text(in, "sender_id"), static_cast<std::uint32_t>(number(frame, "track")));
      if (i + 1 < frames.size()) {
        REQUIRE(opened.ok());
        CHECK(*opened.value == bytes(frame, "frame"));
      } else {
        CHECK(opened.error == error_named(text(vector, "expected_error")));
      }
    }
  }
}
