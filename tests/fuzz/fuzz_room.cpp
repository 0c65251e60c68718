#include "fuzz_room.hpp"

#include "core/formats.hpp"
#include "require.hpp"
#include "session_checks.hpp"

#include <string>

namespace balint::fuzz {

namespace {

constexpr core::TimeMs kStart = 1'700'000'000'000;

core::Session new_session(bool balint_format) {
  core::SessionConfig config;
  config.session_id = "fuzz";
  config.name = "Fuzzed group";
  config.format = balint_format ? core::balint_format() : core::ccdg_format();
  config.presenter_id = "pres";
  config.ground_rules = "What is said here stays here.";
  std::string error;
  std::optional<core::Session> session = core::Session::create(std::move(config), error);
  require(session.has_value(), "the session cannot be created");
  return std::move(*session);
}

const CastMember& cast(const std::string& id) {
  for (const CastMember& member : kCast)
    if (member.id == id) return member;
  require(false, "no such cast member");
  return kCast[0];
}

v1::ServerMessage decode(const net::ws::SharedFrame& frame) {
  const auto& bytes = *frame;
  require(bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x82, "a message is not one binary frame");
  const auto length = static_cast<unsigned char>(bytes[1]) & 0x7f;
  const std::size_t header = length < 126 ? 2 : length == 126 ? 4 : 10;
  v1::ServerMessage message;
  require(message.ParseFromArray(bytes.data() + header, static_cast<int>(bytes.size() - header)),
          "a message the room sent does not decode");
  return message;
}

std::string command_bytes(std::uint64_t request_id, const std::function<void(v1::Command&)>& fill) {
  v1::ClientMessage message;
  message.set_request_id(request_id);
  fill(*message.mutable_command());
  return message.SerializeAsString();
}

}  // namespace

FuzzRoom::FuzzRoom(bool balint_format)
    : now_{kStart, std::chrono::steady_clock::time_point{} + std::chrono::hours(1)} {
  room_.emplace(new_session(balint_format), net::Limits{});
  for (const CastMember& member : kCast) {
    const std::string id = member.id;
    if (id == "ghost" || id.rfind("room.", 0) == 0) continue;
    connect(member);
  }
  // Request ids from 1 << 40 up, out of the way of the fuzzer's own.
  std::uint64_t request = 1ull << 40;
  for (const char* name : {"Dee", "Eve"}) {
    const auto answer = send_as(cast("room"), command_bytes(++request, [&](v1::Command& c) {
      c.mutable_add_room_attendee()->set_display_name(name);
    }));
    require(answer && answer->code() == v1::ERROR_CODE_OK, "the room device cannot add an attendee");
  }
  const auto started = send_as(cast("fac"), command_bytes(++request, [](v1::Command& c) { c.mutable_next_phase(); }));
  require(started && started->code() == v1::ERROR_CODE_OK, "the facilitator cannot start the session");
}

std::optional<v1::CommandResult> FuzzRoom::play(const Step& step) {
  const CastMember& actor = kCast[step.actor];
  if (step.wait_tens > 0) {
    now_.wall += core::TimeMs{step.wait_tens} * 10'000;
    now_.steady += std::chrono::seconds(step.wait_tens * 10);
    input([](app::RoomProtocol& room, app::Now now, app::Effects& out) { room.tick(now, out); });
    const auto next = room_->session().next_deadline();
    require(!next || *next > now_.wall, "a warning or reconnect deadline that is due stayed after a tick");
  }
  if (step.flip_connection) {
    if (const auto link = links_.find(actor.id); link != links_.end()) {
      const auto id = link->second;
      links_.erase(link);
      input([id](app::RoomProtocol& room, app::Now now, app::Effects& out) { room.closed(id, now, out); });
    } else {
      connect(actor);
    }
  }
  return send_as(actor, step.message);
}

void FuzzRoom::connect(const CastMember& member) {
  const app::LinkId link = next_link_++;
  auth::JoinClaims claims;
  claims.session_id = "fuzz";
  claims.participant_id = member.id;
  claims.display_name = member.name;
  links_[member.id] = link;
  input([&](app::RoomProtocol& room, app::Now now, app::Effects& out) {
    room.admit(link, claims, member.role, std::string("jti:") + member.id, now, out);
  });
  if (!links_.contains(member.id)) return;  // Refused (the session ended, say).
  input([link](app::RoomProtocol& room, app::Now now, app::Effects& out) { room.opened(link, now, out); });
}

std::optional<v1::CommandResult> FuzzRoom::send_as(const CastMember& member, const std::string& bytes) {
  const auto link = links_.find(member.id);
  if (link == links_.end()) return std::nullopt;  // Not connected: nothing reaches the room.
  const auto id = link->second;
  v1::ClientMessage message;
  const bool parsed = message.ParseFromString(bytes);
  input([&](app::RoomProtocol& room, app::Now now, app::Effects& out) { room.frame(id, bytes, true, now, out); });
  for (const auto& heard : heard_[id])
    if (heard.has_result() && parsed && heard.result().request_id() == message.request_id()) return heard.result();
  return std::nullopt;
}

void FuzzRoom::input(const Input& call) {
  const core::Session& session = room_->session();
  const v1::SessionState before = session.snapshot(now_.wall);
  heard_.clear();
  app::Effects effects;
  call(*room_, now_, effects);
  carry_out(effects);
  // The end of the turn: its record goes to the store, which takes it.
  while (room_->dirty()) {
    room_->flush(effects);
    carry_out(effects);
  }
  check_input(before);
  // Links the room closed are gone now, as their connections report: each an input of its own.
  while (!closing_.empty()) {
    const auto id = *closing_.begin();
    closing_.erase(closing_.begin());
    std::erase_if(links_, [&](const auto& entry) { return entry.second == id; });
    auto outer = std::move(heard_);  // What this input said, for its caller.
    input([id](app::RoomProtocol& room, app::Now now, app::Effects& out) { room.closed(id, now, out); });
    heard_ = std::move(outer);
  }
}

// One input is at most one change of the engine's, stamped and told as such.
void FuzzRoom::check_input(const v1::SessionState& before) {
  const core::Session& session = room_->session();
  // The events everyone connected heard, from whoever heard a state.
  core::Outcome outcome;
  for (const auto& [link, messages] : heard_) {
    bool state = false;
    for (const auto& message : messages) state |= message.has_state() && message.state().version() > before.version();
    if (!state) continue;
    for (const auto& message : messages)
      if (message.has_event()) outcome.events.push_back(message.event());
    break;
  }
  const bool changed = session.version() != before.version();
  if (changed && !outcome.events.empty()) check_call(session, before, outcome, true, now_.wall);
  require(session.version() <= before.version() + 1, "one input moved the version by more than one");
  check_state(session, now_.wall);
  require(room_->held() == 0, "a message is still held after every write was taken");
}

void FuzzRoom::carry_out(app::Effects& effects) {
  for (std::size_t i = 0; i < effects.size(); ++i) {
    auto effect = std::move(effects[i]);
    if (auto* send = std::get_if<app::effect::Send>(&effect)) {
      auto message = decode(send->frame);
      require(!message.has_state() || message.state().version() <= durable_version_,
              "a member was shown a state the store did not hold yet");
      heard_[send->link].push_back(std::move(message));
    } else if (auto* close = std::get_if<app::effect::Close>(&effect)) {
      if (close->goodbye) require(decode(close->goodbye).has_goodbye(), "a close's last message is not a Goodbye");
      closing_.insert(close->link);
    } else if (auto* refuse = std::get_if<app::effect::Refuse>(&effect)) {
      std::erase_if(links_, [&](const auto& entry) { return entry.second == refuse->link; });
    } else if (auto* persist = std::get_if<app::effect::Persist>(&effect)) {
      durable_version_ = std::max(durable_version_, persist->record.version);
      room_->written(persist->write, persist->record.version, true, now_, effects);
    }
  }
  effects.clear();
}

}  // namespace balint::fuzz
