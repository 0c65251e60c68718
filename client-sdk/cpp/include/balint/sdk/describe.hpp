// Names for the protocol's enums and small read-only queries on a
// SessionState, for screens, logs and tests.
#pragma once

#include "balint/v1/balint.pb.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace balint::sdk {

namespace v1 = ::balint::v1;

// "PERMISSION_DENIED", "OK", ... and the SDK's own "NOT_CONNECTED",
// "TIMEOUT", "CONNECTION_CLOSED", "QUEUE_FULL", "WRONG_THREAD",
// "KEYS_NOT_READY".
std::string error_name(v1::ErrorCode code);
// "ok" or "PERMISSION_DENIED: only a facilitator may change the phase".
std::string describe(const v1::CommandResult& result);

// "facilitator", "co_facilitator", "participant", "room".
std::string role_name(v1::Role role);
// Accepts the names above (also "co-facilitator"); empty when unknown.
std::optional<v1::Role> parse_role(std::string_view name);

// "everyone", "presenter_only", "turn_holder", "all_but_presenter",
// "facilitators_only".
std::string rule_name(v1::SpeakingRule rule);
// "waiting", "speaking", "finished", "passed", "skipped".
std::string turn_status_name(v1::TurnStatus status);
// "phase_ending", "session_ending".
std::string warning_name(v1::WarningKind kind);
// "timed_out" for LEAVE_REASON_TIMED_OUT.
std::string leave_reason_name(v1::LeaveReason reason);
// "phase_changed 0->1", "turn_moved p1->p2", "member_joined p4", ...
std::string describe(const v1::Event& event);

// The member with this id, or nullptr.
const v1::Member* find_member(const v1::SessionState& state, std::string_view participant_id);
// The answer points into `state`: a temporary state would leave it dangling.
const v1::Member* find_member(v1::SessionState&& state, std::string_view participant_id) = delete;
// The first member with this display name (case-insensitive), or nullptr.
const v1::Member* find_member_by_name(const v1::SessionState& state, std::string_view name);
const v1::Member* find_member_by_name(v1::SessionState&& state, std::string_view name) = delete;
// The current phase, or nullptr before the start (phase_index -1).
const v1::Phase* current_phase(const v1::SessionState& state);
// The display name of a member, or the id itself when unknown.
std::string display_name(const v1::SessionState& state, std::string_view participant_id);
// Milliseconds left in the current phase by the server's clock (negative
// when overrun); 0 before the start.
std::int64_t phase_ms_left(const v1::SessionState& state);

}  // namespace balint::sdk
