// One session under attack, and the three things every hostile-input test
// checks: (a) the input got a clear error or a clean close, (b) the session
// did not change, (c) the server still serves the others.
//
// The session (Balint format) invites a facilitator "fac", a presenter
// "pres", two participants "p1" and "p2" and a room device "room1". The
// facilitator and p1 join as well-behaved SDK members; the others are left
// for the tests to bring in, usually as raw clients doing something rude.
#pragma once

#include "../harness.hpp"
#include "../raw_client.hpp"
#include "../raw_tcp.hpp"
#include "jwt_forge.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace balint::test {

// What a hostile input may leave behind besides nothing at all.
struct Allowance {
  // Accepted changes the test itself expects (e.g. a rejoin).
  std::uint64_t version_steps = 0;
  // A member whose connection the input ends: shown reconnecting (with a
  // reconnect deadline), one more version for it, nothing else.
  std::string disconnected;
};

class HostileSession {
 public:
  explicit HostileSession(const std::function<void(app::Config&)>& tweak = {});

  TestServer server;
  sdk::CreatedSession session;
  Member fac{"facilitator"};
  Member p1{"participant p1"};

  const sdk::Invite& invite(const std::string& participant_id) const;
  const std::string& token(const std::string& participant_id) const { return invite(participant_id).token; }
  // Mints tokens under this server's own key.
  JwtForge forge() const { return JwtForge::from_data_dir(server.data_dir()); }

  // A raw client joined as this invitee (REQUIREs it); returns once the
  // well-behaved members have seen it join.
  std::unique_ptr<RawClient> join_raw(const std::string& participant_id);

  // The facilitator moves the session to this phase (Balint: 0 presentation,
  // 1 questions, 2 observation, 3 re-entry, 4 close).
  void go_to_phase(int index);

  // The state as the server holds it now, once every member has seen it.
  v1::SessionState snapshot();

  // (b) Nothing changed since `before`, apart from what `allow` permits:
  // read through the facilitator's and p1's latest state and the admin API.
  void expect_unchanged(const v1::SessionState& before, const Allowance& allow = {});

  // (c) p1's command succeeds and both well-behaved members get the state
  // it made.
  void expect_others_served();
};

// (a) for commands: refused with `code` and a message, at `version`.
void expect_refused(const std::optional<v1::CommandResult>& result, v1::ErrorCode code, std::uint64_t version);
void expect_refused(const v1::CommandResult& result, v1::ErrorCode code, std::uint64_t version);

// (a) for HTTP: one of `statuses`, with a JSON error body whose code is
// `code` (any code when empty) and whose message says something.
void expect_json_error(int status, const std::string& body, std::initializer_list<int> statuses,
                       std::string_view code = {});

// (a) for WebSocket closes: a close frame with this code and a reason.
void expect_close(const Ending& ending, std::uint16_t code);

}  // namespace balint::test
