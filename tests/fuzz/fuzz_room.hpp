// The room as fuzz_client_message plays it: the server's own room protocol
// (server/app/room_protocol.hpp) with the whole cast of command_script.hpp
// on links of their own and a store that takes every write. Every effect is
// carried out as the server would, and after every input the session's
// invariants are checked, every message sent must decode, and nobody may
// have been shown a state the store did not hold yet.
#pragma once

#include "app/room_protocol.hpp"
#include "command_script.hpp"

#include <functional>
#include <map>
#include <optional>

namespace balint::fuzz {

class FuzzRoom {
 public:
  // The whole cast but "ghost" connected, the room device carrying its two
  // attendees, and the facilitator past the lobby into the first phase.
  explicit FuzzRoom(bool balint_format);

  // Moves the clock on (a tick, as the room's timer gives), flips the
  // actor's connection if asked (a closed link, or a join on a new one),
  // then hands the message to the protocol as the actor's frame. Returns
  // the answer the actor heard for it, if any.
  std::optional<v1::CommandResult> play(const Step& step);

 private:
  using Input = std::function<void(app::RoomProtocol&, app::Now, app::Effects&)>;
  // Gives the protocol one input, carries out what it says, and checks.
  void input(const Input& call);
  void carry_out(app::Effects& effects);
  void check_input(const v1::SessionState& before);
  void connect(const CastMember& member);
  std::optional<v1::CommandResult> send_as(const CastMember& member, const std::string& bytes);

  app::Now now_;
  std::optional<app::RoomProtocol> room_;
  std::map<std::string, app::LinkId> links_;  // Each connected cast member's link.
  app::LinkId next_link_ = 1;
  std::set<app::LinkId> closing_;                        // Closed by the room: their connection goes.
  std::map<app::LinkId, std::vector<v1::ServerMessage>> heard_;  // In the input under way.
  std::uint64_t durable_version_ = 0;
};

}  // namespace balint::fuzz
