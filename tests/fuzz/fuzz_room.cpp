#include "fuzz_room.hpp"

#include "core/formats.hpp"
#include "require.hpp"
#include "session_checks.hpp"

#include <string>

namespace balint::fuzz {

namespace {

constexpr core::TimeMs kStart = 1'700'000'000'000;

core::Session start_session(bool balint_format, core::TimeMs now) {
  core::SessionConfig config;
  config.session_id = "fuzz";
  config.name = "Fuzzed group";
  config.format = balint_format ? core::balint_format() : core::ccdg_format();
  config.presenter_id = "pres";
  config.ground_rules = "What is said here stays here.";
  std::string error;
  std::optional<core::Session> session = core::Session::create(std::move(config), error);
  require(session.has_value(), "the session cannot be created");
  for (const CastMember& member : kCast) {
    const std::string id = member.id;
    if (id == "ghost" || id.rfind("room.", 0) == 0) continue;
    require(session->join(id, member.name, member.role, now).ok(), "a cast member cannot join");
  }
  v1::Command add;
  add.mutable_add_room_attendee()->set_display_name("Dee");
  require(session->apply("room", add, now).ok(), "the room device cannot add an attendee");
  add.mutable_add_room_attendee()->set_display_name("Eve");
  require(session->apply("room", add, now).ok(), "the room device cannot add an attendee");
  v1::Command next;
  next.mutable_next_phase();
  require(session->apply("fac", next, now).ok(), "the facilitator cannot start the session");
  return std::move(*session);
}

}  // namespace

FuzzRoom::FuzzRoom(bool balint_format) : now_(kStart), session_(start_session(balint_format, now_)) {}

std::optional<core::Outcome> FuzzRoom::play(const Step& step) {
  const CastMember& actor = kCast[step.actor];
  if (step.wait_tens > 0) {
    now_ += core::TimeMs{step.wait_tens} * 10'000;
    tick();
  }
  if (step.flip_connection) flip_connection(actor);

  std::optional<core::Outcome> applied;
  v1::ClientMessage message;
  if (!message.ParseFromString(step.message)) {
    // Answered MALFORMED; nothing changes.
  } else if (message.has_command() && message.request_id() != 0) {
    const v1::SessionState before = session_.snapshot(now_);
    applied = session_.apply(actor.id, message.command(), now_);
    check_call(session_, before, *applied, applied->ok(), now_);
  } else if (message.has_media()) {
    (void)session_.may_speak(actor.id);  // Decides whether the frame is relayed.
  } else if (message.has_chat() || message.has_sender_keys()) {
    const std::uint64_t version = session_.version();
    const core::Outcome verdict = message.has_chat() ? session_.check_chat(actor.id, message.chat())
                                                     : session_.check_sender_keys(actor.id, message.sender_keys());
    require(session_.version() == version && verdict.events.empty(), "a relay check changed the session");
    require(!verdict.ok() || !message.has_chat() || session_.may_chat(actor.id),
            "chat relayed from a member who may not chat");
  }
  // Anything else (a command without a request id, no body) is answered
  // with an error and changes nothing.
  check_state(session_, now_);
  return applied;
}

void FuzzRoom::tick() {
  const v1::SessionState before = session_.snapshot(now_);
  const core::Outcome outcome = session_.tick(now_);
  require(outcome.ok(), "a tick was refused");
  check_call(session_, before, outcome, !outcome.events.empty(), now_);
  const std::optional<core::TimeMs> next = session_.next_deadline();
  require(!next || *next > now_, "a warning or reconnect deadline that is due stayed after a tick");
}

void FuzzRoom::flip_connection(const CastMember& member) {
  const v1::SessionState before = session_.snapshot(now_);
  bool connected = false;
  for (const v1::Member& m : before.roster()) {
    if (m.participant_id() == member.id) connected = m.connection() == v1::CONNECTION_STATUS_CONNECTED;
  }
  const core::Outcome outcome =
      connected ? session_.disconnect(member.id, now_) : session_.join(member.id, member.name, member.role, now_);
  check_call(session_, before, outcome, outcome.ok(), now_);
}

}  // namespace balint::fuzz
