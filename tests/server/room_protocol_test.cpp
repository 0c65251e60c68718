// The room's rules without sockets: inputs in, effects out. A scripted
// store answers every Persist (or fails the one a test picks), and every
// rule is checked on the effects alone, with a failure injected at every
// step in the manner of sans-io protocol libraries.
#include "app/log.hpp"
#include "app/room_protocol.hpp"
#include "core/formats.hpp"

#include <catch2/catch.hpp>

#include <map>

namespace {

namespace v1 = balint::v1;
using namespace balint::app;
using namespace std::chrono_literals;

// The ServerMessage in a frame the protocol made (server frames are never masked).
v1::ServerMessage decode(const balint::net::ws::SharedFrame& frame) {
  const auto& bytes = *frame;
  const auto length = static_cast<unsigned char>(bytes[1]) & 0x7f;
  const std::size_t header = length < 126 ? 2 : length == 126 ? 4 : 10;
  v1::ServerMessage message;
  REQUIRE(message.ParseFromArray(bytes.data() + header, static_cast<int>(bytes.size() - header)));
  return message;
}

std::string encode(const v1::ClientMessage& message) { return message.SerializeAsString(); }

v1::ClientMessage command(std::uint64_t request_id, const std::function<void(v1::Command&)>& fill) {
  v1::ClientMessage message;
  message.set_request_id(request_id);
  fill(*message.mutable_command());
  return message;
}

v1::ClientMessage audio(const std::string& payload) {
  v1::ClientMessage message;
  message.mutable_media()->set_track(v1::MEDIA_TRACK_MICROPHONE);
  message.mutable_media()->set_payload(payload);
  return message;
}

// One room, and what it told each link, decoded. The store takes every
// write at once unless `fail_write` names it; `hold_writes` keeps them
// unanswered until answer_writes().
struct Room {
  explicit Room(balint::net::Limits limits = {}) : protocol(make_session(), limits) {
    balint::app::set_log_level(balint::app::LogLevel::error);  // Joins and leaves by the hundred.
    settle();
  }

  static balint::core::Session make_session() {
    balint::core::SessionConfig config;
    config.session_id = "s1";
    config.name = "Tuesday group";
    config.format = *balint::core::builtin_format("balint");
    config.reconnect_grace_ms = 60'000;
    std::string error;
    auto session = balint::core::Session::create(config, error);
    REQUIRE(session.has_value());
    return std::move(*session);
  }

  Now now{1'000'000, std::chrono::steady_clock::time_point{} + 1000s};
  RoomProtocol protocol;
  Effects out;
  std::map<LinkId, std::vector<v1::ServerMessage>> heard;
  std::map<LinkId, std::string> closed_with;  // Close reason text, by link.
  std::set<LinkId> accepted;
  std::map<LinkId, JoinRefusal> refused;
  std::vector<Effect> persists;              // Unanswered.
  std::uint64_t writes = 0;                  // Persists seen.
  std::uint64_t fail_write = 0;              // The write that fails (0: none).
  bool hold_writes = false;
  std::uint64_t durable_version = 0;         // As the store has it.
  std::vector<std::string> shown_too_early;  // A state newer than the store's, seen by someone.
  LinkId next_link = 1;

  // Carries the effects out as the executor would, then lets the turn end
  // (one write for it).
  void settle() {
    for (;;) {
      for (std::size_t i = 0; i < out.size(); ++i) {
        auto effect = std::move(out[i]);
        std::visit([&](auto& one) { take(one); }, effect);
      }
      out.clear();
      if (!persists.empty() && !hold_writes) answer(persists);
      else if (protocol.dirty()) protocol.flush(out);
      if (out.empty()) return;
    }
  }
  void take(effect::Send& send) {
    auto message = decode(send.frame);
    if (message.has_state() && message.state().version() > durable_version)
      shown_too_early.push_back("link " + std::to_string(send.link) + " saw version " +
                                std::to_string(message.state().version()) + " with " +
                                std::to_string(durable_version) + " on disk");
    heard[send.link].push_back(std::move(message));
  }
  void take(effect::Close& close) { closed_with[close.link] = close.reason.text; }
  void take(effect::Accept& accept) { accepted.insert(accept.link); }
  void take(effect::Refuse& refuse) { refused.emplace(refuse.link, refuse.refusal); }
  void take(effect::DropWaitingVideo&) {}
  void take(effect::Persist& persist) {
    ++writes;
    persists.emplace_back(persist);
  }
  // The store answers every write it was handed.
  void answer(std::vector<Effect>& pending) {
    auto answering = std::move(pending);
    pending.clear();
    for (auto& effect : answering) {
      auto& persist = std::get<effect::Persist>(effect);
      const bool durable = persist.write != fail_write;
      if (durable) durable_version = std::max(durable_version, persist.record.version);
      protocol.written(persist.write, persist.record.version, durable, now, out);
    }
  }
  void answer_writes() {
    answer(persists);
    const bool holding = hold_writes;
    hold_writes = false;
    settle();
    hold_writes = holding;
  }

  LinkId join(const std::string& id, v1::Role role) {
    const LinkId link = next_link++;
    balint::auth::JoinClaims claims;
    claims.session_id = "s1";
    claims.participant_id = id;
    claims.display_name = id;
    protocol.admit(link, claims, role, "jti:" + id, now, out);
    settle();
    if (!accepted.contains(link)) return link;
    protocol.opened(link, now, out);
    settle();
    return link;
  }
  void send(LinkId link, const v1::ClientMessage& message) {
    protocol.frame(link, encode(message), true, now, out);
    settle();
  }
  void close(LinkId link) {
    protocol.closed(link, now, out);
    settle();
  }
  void later(std::chrono::milliseconds by) {
    now.wall += by.count();
    now.steady += by;
    protocol.tick(now, out);
    settle();
  }

  // A facilitator and a participant in the room, and nothing heard yet.
  std::pair<LinkId, LinkId> seat_two() {
    const auto fac = join("fac", v1::ROLE_FACILITATOR);
    const auto ben = join("ben", v1::ROLE_PARTICIPANT);
    heard.clear();
    return {fac, ben};
  }
  // The one answer this link heard.
  v1::CommandResult only_result(LinkId link) {
    const auto all = results(link);
    REQUIRE(all.size() == 1);
    return all[0];
  }

  // The answers (CommandResult) this link heard, in order.
  std::vector<v1::CommandResult> results(LinkId link) {
    std::vector<v1::CommandResult> all;
    for (const auto& message : heard[link])
      if (message.has_result()) all.push_back(message.result());
    return all;
  }
  const v1::SessionState* last_state(LinkId link) {
    const v1::SessionState* last = nullptr;
    for (const auto& message : heard[link])
      if (message.has_state()) last = &message.state();
    return last;
  }
  std::size_t media_heard(LinkId link) {
    std::size_t count = 0;
    for (const auto& message : heard[link]) count += message.has_media() ? 1 : 0;
    return count;
  }
  // What each link heard, as a line of message kinds: the shape of a run.
  std::string transcript() {
    std::string text;
    for (auto& [link, messages] : heard) {
      text += std::to_string(link) + ":";
      for (const auto& message : messages) {
        text += " " + std::to_string(message.body_case());
        if (message.has_result()) text += "/" + std::to_string(message.result().code());
      }
      text += "\n";
    }
    return text;
  }
};

void raise_hand(v1::Command& c) { c.mutable_raise_hand(); }
void next_phase(v1::Command& c) { c.mutable_next_phase(); }

TEST_CASE("Room protocol: a joiner is accepted at once, and hears Welcome and the state once they are on disk",
          "[room]") {
  Room room;
  room.hold_writes = true;
  const auto fac = room.join("fac", v1::ROLE_FACILITATOR);
  CHECK(room.accepted.contains(fac));
  CHECK(room.heard[fac].empty());  // The join and the new credential wait for the store.
  REQUIRE_FALSE(room.persists.empty());
  room.answer_writes();
  REQUIRE(room.heard[fac].size() == 2);
  CHECK(room.heard[fac][0].has_welcome());
  CHECK(room.heard[fac][0].welcome().resume_credential().starts_with("s1.fac."));
  CHECK(room.heard[fac][1].state().roster_size() == 1);
  CHECK(room.shown_too_early.empty());
}

TEST_CASE("Room protocol: a change's state, events and answer wait for its write, in order, while media goes on",
          "[room]") {
  Room room;
  const auto [fac, ben] = room.seat_two();

  room.hold_writes = true;
  room.send(ben, command(1, raise_hand));
  room.send(fac, audio("hello"));  // A facilitator may always speak.
  CHECK(room.media_heard(ben) == 1);
  CHECK(room.results(ben).empty());
  CHECK(room.last_state(fac) == nullptr);

  room.answer_writes();
  REQUIRE(room.heard[fac].size() == 1);  // A raised hand is a new state, with no event.
  REQUIRE(room.last_state(fac) != nullptr);
  CHECK(room.last_state(fac)->hand_queue_size() == 1);
  CHECK(room.only_result(ben).code() == v1::ERROR_CODE_OK);
  // Ben hears the state before the answer, so the answer's version is there.
  CHECK(room.heard[ben][1].has_state());
  CHECK(room.heard[ben][2].has_result());
  CHECK(room.shown_too_early.empty());
}

TEST_CASE("Room protocol: while its store fails, the room refuses changes and joins, keeps what it accepted, and "
          "shows it once a write works",
          "[room]") {
  Room room;
  const auto [fac, ben] = room.seat_two();
  const auto version = room.protocol.session().version();

  room.fail_write = room.writes + 1;
  room.send(ben, command(1, raise_hand));
  CHECK(room.results(ben).empty());  // Accepted, held: the write failed.
  room.send(fac, command(1, next_phase));
  const auto refused = room.only_result(fac);
  CHECK(refused.code() == v1::ERROR_CODE_UNAVAILABLE);
  CHECK(refused.state_version() == version);  // Nothing newer than the disk.
  const auto late = room.join("cy", v1::ROLE_PARTICIPANT);
  REQUIRE(room.refused.contains(late));
  CHECK(room.refused.at(late).code == "store_unavailable");
  CHECK(room.protocol.wake_at(room.now).has_value());

  room.later(RoomProtocol::kStoreRetry);  // The whole record again: it works.
  CHECK(room.only_result(ben).code() == v1::ERROR_CODE_OK);
  CHECK(room.last_state(fac)->hand_queue_size() == 1);
  CHECK(room.last_state(fac)->phase_index() == -1);  // The refused start did not happen.
  CHECK(room.shown_too_early.empty());
}

TEST_CASE("Room protocol: a link that closes while its messages wait leaves the others theirs, and its member "
          "reconnecting",
          "[room]") {
  Room room;
  const auto [fac, ben] = room.seat_two();
  room.hold_writes = true;
  room.send(fac, command(1, next_phase));
  room.close(ben);  // Mid-broadcast: its state is held, it goes.
  room.answer_writes();
  const auto* state = room.last_state(fac);
  REQUIRE(state != nullptr);
  CHECK(state->phase_index() == 0);  // Started.
  const auto& ben_entry = *std::find_if(state->roster().begin(), state->roster().end(),
                                        [](const v1::Member& m) { return m.participant_id() == "ben"; });
  CHECK(ben_entry.connection() == v1::CONNECTION_STATUS_RECONNECTING);
  CHECK(room.results(fac).at(0).code() == v1::ERROR_CODE_OK);
  CHECK(room.shown_too_early.empty());
}

TEST_CASE("Room protocol: a failed write at every step of a meeting changes what each member hears not at all, and "
          "nobody ever sees what is not on disk",
          "[room]") {
  // The meeting: two join, a hand, a step, a member comes back on a new
  // link (the old one told it signed in elsewhere), a leave.
  const auto meeting = [](Room& room) {
    const auto fac = room.join("fac", v1::ROLE_FACILITATOR);
    const auto ben = room.join("ben", v1::ROLE_PARTICIPANT);
    room.send(ben, command(1, raise_hand));
    room.send(fac, command(1, next_phase));
    room.later(RoomProtocol::kStoreRetry);
    room.join("ben", v1::ROLE_PARTICIPANT);
    room.later(RoomProtocol::kStoreRetry);
    room.send(fac, command(2, [](v1::Command& c) { c.mutable_leave(); }));
    room.later(RoomProtocol::kStoreRetry);
    (void)ben;
  };
  Room reference;
  meeting(reference);
  const auto expected = reference.transcript();
  const auto writes = reference.writes;
  REQUIRE(writes >= 6);

  for (std::uint64_t failing = 2; failing <= writes; ++failing) {
    INFO("write " << failing << " of " << writes << " fails");
    Room room;
    room.fail_write = failing;
    meeting(room);
    CHECK(room.shown_too_early.empty());
    // A command that came while the store was failing was refused instead:
    // the same messages otherwise, and once the store works, the same state.
    if (room.transcript() != expected) {
      std::size_t unavailable = 0;
      for (auto& [link, messages] : room.heard)
        for (const auto& message : messages)
          unavailable += message.has_result() && message.result().code() == v1::ERROR_CODE_UNAVAILABLE ? 1 : 0;
      CHECK(unavailable > 0);
    }
    REQUIRE(room.last_state(1) != nullptr);
    CHECK(room.durable_version >= room.last_state(1)->version());
  }
}

TEST_CASE("Room protocol: the request-id rule, text frames and undecodable frames are answered and change nothing",
          "[room]") {
  Room room;
  const auto fac = room.join("fac", v1::ROLE_FACILITATOR);
  const auto version = room.last_state(fac)->version();
  room.heard.clear();
  room.send(fac, command(5, next_phase));
  room.send(fac, command(5, next_phase));  // A replay.
  room.send(fac, command(0, next_phase));
  room.protocol.frame(fac, "not protobuf \xff", true, room.now, room.out);
  room.protocol.frame(fac, "{}", false, room.now, room.out);
  room.settle();
  const auto results = room.results(fac);
  REQUIRE(results.size() == 5);
  CHECK(results[0].code() == v1::ERROR_CODE_OK);
  CHECK(results[1].code() == v1::ERROR_CODE_DUPLICATE_REQUEST);
  CHECK(results[2].code() == v1::ERROR_CODE_INVALID_ARGUMENT);
  CHECK(results[3].code() == v1::ERROR_CODE_MALFORMED);
  CHECK(results[4].code() == v1::ERROR_CODE_MALFORMED);
  CHECK(room.last_state(fac)->version() == version + 1);  // The one step, once.
}

TEST_CASE("Room protocol: commands past the rate are refused, and a burst's worth of refusals in a row closes the link",
          "[room]") {
  balint::net::Limits limits;
  limits.commands = {1, 3};
  Room room(limits);
  const auto fac = room.join("fac", v1::ROLE_FACILITATOR);
  room.heard.clear();
  for (std::uint64_t id = 1; id <= 3; ++id) room.send(fac, command(id, [](v1::Command& c) { c.mutable_lower_hand(); }));
  CHECK_FALSE(room.closed_with.contains(fac));
  for (std::uint64_t id = 4; id <= 6; ++id) room.send(fac, command(id, [](v1::Command& c) { c.mutable_lower_hand(); }));
  const auto results = room.results(fac);
  REQUIRE(results.size() == 6);
  CHECK(results[3].code() == v1::ERROR_CODE_RATE_LIMITED);
  CHECK(results[5].code() == v1::ERROR_CODE_RATE_LIMITED);
  CHECK_FALSE(room.closed_with.contains(fac));
  room.send(fac, command(7, [](v1::Command& c) { c.mutable_lower_hand(); }));
  REQUIRE(room.closed_with.contains(fac));
  CHECK(room.closed_with.at(fac).find("rate limit") != std::string::npos);
}

TEST_CASE("Room protocol: a resume credential lets its holder back on a new link, and a wrong one or a revoked token "
          "is refused",
          "[room]") {
  Room room;
  const auto fac = room.join("fac", v1::ROLE_FACILITATOR);
  const auto ben = room.join("ben", v1::ROLE_PARTICIPANT);
  const auto credential = room.heard[ben].at(0).welcome().resume_credential();
  const auto secret = credential.substr(credential.rfind('.') + 1);
  room.close(ben);

  const LinkId wrong = room.next_link++;
  room.protocol.resume(wrong, "ben", secret + "x", room.now, room.out);
  room.settle();
  REQUIRE(room.refused.contains(wrong));
  CHECK(room.refused.at(wrong).code == "resume_refused");

  const LinkId back = room.next_link++;
  room.protocol.resume(back, "ben", secret, room.now, room.out);
  room.settle();
  REQUIRE(room.accepted.contains(back));
  room.protocol.opened(back, room.now, room.out);
  room.settle();
  CHECK(room.heard[back].at(0).welcome().resume_credential() != credential);  // A new one each time.

  room.send(fac, command(1, [](v1::Command& c) {
    c.mutable_remove_member()->set_participant_id("ben");
    c.mutable_remove_member()->set_revoke_token(true);
  }));
  CHECK(room.closed_with.contains(back));
  const auto again = room.join("ben", v1::ROLE_PARTICIPANT);
  REQUIRE(room.refused.contains(again));
  CHECK(room.refused.at(again).code == "token_revoked");
}

}  // namespace
