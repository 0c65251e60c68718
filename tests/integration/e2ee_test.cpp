// End-to-end encrypted chat through a real server: who can read what, who
// cannot, and what every client rejects. The facilitator and p1 are SDK
// members; the others are raw clients, some holding keyrings the test
// drives by hand so that it can keep a leaver's keys, and one without keys
// that sees every ciphertext the server relays to the whole session.

#include "hostile/hostile_session.hpp"
#include "keyed_raw_member.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

namespace balint::test {
namespace {

// Reads until a chat message whose counter and sender match arrives; the
// raw client keeps only the latest state, so chat is fished out of the
// stream here.
std::optional<v1::ChatMessage> next_chat(RawClient& raw, const std::string& sender) {
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (std::chrono::steady_clock::now() < deadline) {
    auto message = raw.read(kWait);
    if (!message) return std::nullopt;
    if (message->has_chat() && message->chat().sender_id() == sender) return message->chat();
  }
  return std::nullopt;
}

std::vector<std::string> texts(const Member& m) {
  std::vector<std::string> out;
  for (const auto& chat : m.chats()) out.push_back(chat.text);
  return out;
}

// A state change every member must see: since each connection is FIFO,
// whatever the server relayed before it has arrived once they have.
void barrier(Member& facilitator, const std::vector<Member*>& members) {
  const auto state = facilitator.client().state();
  const auto* me = sdk::find_member(state, facilitator.id());
  REQUIRE(me);
  wait_all(members, must(facilitator, me->hand_raised() ? sdk::cmd::lower_hand() : sdk::cmd::raise_hand()));
}

bool has_rejection(const Member& m, const std::string& sender, const std::string& because) {
  const auto notices = m.notices();
  return std::any_of(notices.begin(), notices.end(), [&](const sdk::SecurityNotice& n) {
    return n.kind == sdk::SecurityNotice::Kind::rejected && n.participant_id == sender &&
           n.detail.find(because) != std::string::npos;
  });
}

}  // namespace

TEST_CASE("E2EE: a member who left cannot read what follows, a late joiner cannot read what came before",
          "[e2ee]") {
  HostileSession s;
  auto eavesdropper = s.join_raw("pres");  // No keys: sees the ciphertext the server relays.
  KeyedRawMember leaver(s.server.port(), s.token("p2"));
  wait_keys_settled({&s.fac, &s.p1});
  REQUIRE(leaver.pump_until_ready());

  REQUIRE(s.fac.client().send_chat("before the leave").code() == v1::ERROR_CODE_OK);
  const auto before = next_chat(*eavesdropper, "fac");
  REQUIRE(before.has_value());
  CHECK(before->ciphertext().find("before the leave") == std::string::npos);  // Only ciphertext on the wire.
  REQUIRE(leaver.pump_until([&] { return !leaver.chats().empty(); }));
  auto opened = leaver.open(leaver.chats().back());
  REQUIRE(opened.ok());  // The leaver's keys work while it is a member.
  CHECK(*opened.value == "before the leave");

  const auto code_with_leaver = s.fac.client().security_code();
  REQUIRE(leaver.command(sdk::cmd::leave())->code() == v1::ERROR_CODE_OK);
  REQUIRE(s.fac.client().wait_for_state([](const v1::SessionState& st) { return !sdk::find_member(st, "p2"); }, kWait));
  wait_keys_settled({&s.fac, &s.p1});
  CHECK(s.fac.client().security_code() != code_with_leaver);

  REQUIRE(s.fac.client().send_chat("after the leave").code() == v1::ERROR_CODE_OK);
  const auto after = next_chat(*eavesdropper, "fac");
  REQUIRE(after.has_value());
  CHECK(after->epoch() > before->epoch());
  CHECK_FALSE(leaver.open(*after).ok());  // Handed the bytes, the leaver's keys do not open them.

  KeyedRawMember joiner(s.server.port(), s.token("room1"));
  REQUIRE(joiner.pump_until_ready());
  wait_keys_settled({&s.fac, &s.p1});
  CHECK(joiner.chats().empty());           // The server keeps no history.
  CHECK_FALSE(joiner.open(*before).ok());  // Nor could the joiner read it.
  CHECK_FALSE(joiner.open(*after).ok());
  REQUIRE(s.fac.client().send_chat("after the join").code() == v1::ERROR_CODE_OK);
  REQUIRE(joiner.pump_until([&] { return !joiner.chats().empty(); }));
  opened = joiner.open(joiner.chats().back());
  REQUIRE(opened.ok());
  CHECK(*opened.value == "after the join");
  CHECK(joiner.keyring().security_code() == s.fac.client().security_code());

  // p1, a member all along, read all three.
  barrier(s.fac, {&s.fac, &s.p1});
  CHECK(texts(s.p1) == std::vector<std::string>{"before the leave", "after the leave", "after the join"});
}

TEST_CASE("E2EE: the security code is the same on every screen and changes on every join and leave", "[e2ee]") {
  HostileSession s;
  wait_keys_settled({&s.fac, &s.p1});
  const auto code = s.fac.client().security_code();
  CHECK(code.size() == 47);  // 8 groups of 5 digits and 7 spaces.
  CHECK(std::count_if(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; }) == 40);
  CHECK(s.p1.client().security_code() == code);

  Member p2("participant p2");
  p2.join(s.invite("p2"));
  wait_keys_settled({&s.fac, &s.p1, &p2});
  const auto with_p2 = s.fac.client().security_code();
  CHECK(with_p2 != code);
  CHECK(s.p1.client().security_code() == with_p2);
  CHECK(p2.client().security_code() == with_p2);
  const auto told = [](const Member& m) {
    const auto notices = m.notices();
    return std::count_if(notices.begin(), notices.end(),
                         [](const auto& n) { return n.kind == sdk::SecurityNotice::Kind::code_changed; });
  };
  const auto fac_told = told(s.fac);
  CHECK(fac_told >= 2);  // p1 joining, then p2.

  p2.client().close();
  for (Member* m : {&s.fac, &s.p1})
    REQUIRE(m->client().wait_for_state(
        [](const v1::SessionState& st) {
          const auto* p2_entry = sdk::find_member(st, "p2");
          return p2_entry && p2_entry->connection() == v1::CONNECTION_STATUS_RECONNECTING;
        },
        kWait));
  wait_keys_settled({&s.fac, &s.p1});
  CHECK(s.fac.client().security_code() != with_p2);
  CHECK(s.fac.client().security_code() == s.p1.client().security_code());
  CHECK(told(s.fac) == fac_told + 1);
}

TEST_CASE("E2EE: a direct message reaches its recipient alone", "[e2ee]") {
  HostileSession s;
  auto eavesdropper = s.join_raw("pres");
  Member p2("participant p2");
  p2.join(s.invite("p2"));
  wait_keys_settled({&s.fac, &s.p1, &p2});

  REQUIRE(s.fac.client().send_chat("for p1 only", "p1").code() == v1::ERROR_CODE_OK);
  REQUIRE(s.fac.client().send_chat("for everyone").code() == v1::ERROR_CODE_OK);
  const auto relayed = next_chat(*eavesdropper, "fac");
  REQUIRE(relayed.has_value());
  CHECK(relayed->recipient_id().empty());  // The direct one never reached the eavesdropper.

  barrier(s.fac, {&s.fac, &s.p1, &p2});
  const auto p1_chats = s.p1.chats();
  REQUIRE(p1_chats.size() == 2);
  CHECK(p1_chats[0].text == "for p1 only");
  CHECK(p1_chats[0].recipient_id == "p1");
  CHECK(texts(p2) == std::vector<std::string>{"for everyone"});

  const auto refused = s.fac.client().send_chat("to nobody", "nobody");
  CHECK(refused.code() == v1::ERROR_CODE_UNKNOWN_PARTICIPANT);
}

TEST_CASE("E2EE: replayed, altered and borrowed chat messages are rejected by every client", "[e2ee]") {
  HostileSession s;
  KeyedRawMember rogue(s.server.port(), s.token("p2"));
  wait_keys_settled({&s.fac, &s.p1});
  REQUIRE(rogue.pump_until_ready());

  auto chat = rogue.seal("an honest message");
  REQUIRE(rogue.upload(chat)->code() == v1::ERROR_CODE_OK);
  // The same bytes again: relayed (the server cannot tell), refused by the clients.
  REQUIRE(rogue.upload(chat)->code() == v1::ERROR_CODE_OK);
  auto altered = rogue.seal("an altered message");
  altered.mutable_ciphertext()->back() ^= 0x01;
  REQUIRE(rogue.upload(altered)->code() == v1::ERROR_CODE_OK);
  auto jumped = rogue.seal("a counter far ahead");
  jumped.set_counter(jumped.counter() + 5000);  // Signed over the header: caught by the signature.
  REQUIRE(rogue.upload(jumped)->code() == v1::ERROR_CODE_OK);

  // A message of the facilitator's, uploaded by the rogue: the server stamps
  // the rogue as its sender, and the facilitator's signature does not match.
  REQUIRE(s.fac.client().send_chat("the facilitator's words").code() == v1::ERROR_CODE_OK);
  REQUIRE(rogue.pump_until([&] { return !rogue.chats().empty(); }));
  const auto& original = rogue.chats().back();
  v1::ChatUpload borrowed;
  borrowed.set_epoch(original.epoch());
  borrowed.set_counter(original.counter());
  borrowed.set_ciphertext(original.ciphertext());
  borrowed.set_signature(original.signature());
  REQUIRE(rogue.upload(borrowed)->code() == v1::ERROR_CODE_OK);

  barrier(s.fac, {&s.fac, &s.p1});
  for (Member* m : {&s.fac, &s.p1}) {
    INFO(m->label());
    const auto read = texts(*m);
    CHECK(std::count(read.begin(), read.end(), "an honest message") == 1);
    CHECK(std::find(read.begin(), read.end(), "an altered message") == read.end());
    CHECK(std::find(read.begin(), read.end(), "a counter far ahead") == read.end());
    CHECK(has_rejection(*m, "p2", std::string(e2ee::describe(e2ee::Error::replay))));
    CHECK(has_rejection(*m, "p2", std::string(e2ee::describe(e2ee::Error::bad_signature))));
  }
  const auto p1_read = texts(s.p1);
  CHECK(std::count(p1_read.begin(), p1_read.end(), "the facilitator's words") == 1);  // The original only.
}

TEST_CASE("E2EE: the presenter's chat is refused during the observation, but a private word to the facilitator is not",
          "[e2ee]") {
  HostileSession s;
  Member presenter("presenter");
  presenter.join(s.invite("pres"));
  wait_keys_settled({&s.fac, &s.p1, &presenter});
  s.go_to_phase(2);  // Balint observation.

  const auto refused = presenter.client().send_chat("I must explain");
  CHECK(refused.code() == v1::ERROR_CODE_PHASE_FORBIDS);
  CHECK_THAT(refused.message(), Catch::Contains("observes in silence"));
  CHECK(presenter.client().send_chat("only to you", "p1").code() == v1::ERROR_CODE_PHASE_FORBIDS);
  REQUIRE(presenter.client().send_chat("I can't hear", "fac").code() == v1::ERROR_CODE_OK);
  REQUIRE(s.p1.client().send_chat("we wonder").code() == v1::ERROR_CODE_OK);

  s.go_to_phase(3);  // Re-entry: the presenter speaks again.
  REQUIRE(presenter.client().send_chat("thank you").code() == v1::ERROR_CODE_OK);
  barrier(s.fac, {&s.fac, &s.p1, &presenter});
  CHECK(texts(s.fac) == std::vector<std::string>{"I can't hear", "we wonder", "thank you"});
  CHECK(texts(s.p1) == std::vector<std::string>{"thank you"});
  CHECK(texts(presenter) == std::vector<std::string>{"we wonder"});

  // At the end every key is wiped: nothing more can be sealed.
  CHECK_FALSE(presenter.client().security_code().empty());
  s.server.admin().end_session(s.session.session_id);
  REQUIRE(presenter.client().wait_closed(kWait));
  CHECK(presenter.client().security_code().empty());
  CHECK_FALSE(presenter.client().send_media(0, "after the end"));
  CHECK(presenter.client().send_chat("after the end").code() == sdk::kErrorNotConnected);
}

}  // namespace balint::test
