#include "balint/sdk/describe.hpp"

#include "balint/sdk/status.hpp"

#include <algorithm>
#include <cctype>

namespace balint::sdk {
namespace {

// Drops a generated enum name's prefix: ("ERROR_CODE_OK", "ERROR_CODE_") -> "OK".
std::string strip_prefix(const std::string& name, std::string_view prefix) {
  if (name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0)
    return name.substr(prefix.size());
  return name;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

}  // namespace

std::string error_name(v1::ErrorCode code) {
  switch (static_cast<int>(code)) {
    case kErrorNotConnected: return "NOT_CONNECTED";
    case kErrorTimeout: return "TIMEOUT";
    case kErrorConnectionClosed: return "CONNECTION_CLOSED";
    case kErrorQueueFull: return "QUEUE_FULL";
    case kErrorWrongThread: return "WRONG_THREAD";
    case kErrorKeysNotReady: return "KEYS_NOT_READY";
    default: break;
  }
  if (v1::ErrorCode_IsValid(code)) return strip_prefix(v1::ErrorCode_Name(code), "ERROR_CODE_");
  return "ERROR_" + std::to_string(static_cast<int>(code));
}

std::string describe(const v1::CommandResult& result) {
  if (result.code() == v1::ERROR_CODE_OK) return "ok";
  std::string out = error_name(result.code());
  if (!result.message().empty()) out += ": " + result.message();
  return out;
}

std::string role_name(v1::Role role) {
  switch (role) {
    case v1::ROLE_FACILITATOR: return "facilitator";
    case v1::ROLE_CO_FACILITATOR: return "co_facilitator";
    case v1::ROLE_PARTICIPANT: return "participant";
    case v1::ROLE_ROOM: return "room";
    default: return "unspecified";
  }
}

std::optional<v1::Role> parse_role(std::string_view name) {
  if (iequals(name, "facilitator")) return v1::ROLE_FACILITATOR;
  if (iequals(name, "co_facilitator") || iequals(name, "co-facilitator") ||
      iequals(name, "cofacilitator"))
    return v1::ROLE_CO_FACILITATOR;
  if (iequals(name, "participant")) return v1::ROLE_PARTICIPANT;
  if (iequals(name, "room")) return v1::ROLE_ROOM;
  return std::nullopt;
}

std::string rule_name(v1::SpeakingRule rule) {
  if (!v1::SpeakingRule_IsValid(rule)) return "unknown";
  return lower(strip_prefix(v1::SpeakingRule_Name(rule), "SPEAKING_RULE_"));
}

std::string turn_status_name(v1::TurnStatus status) {
  if (!v1::TurnStatus_IsValid(status)) return "unknown";
  return lower(strip_prefix(v1::TurnStatus_Name(status), "TURN_STATUS_"));
}

std::string warning_name(v1::WarningKind kind) {
  if (!v1::WarningKind_IsValid(kind)) return "unknown";
  return lower(strip_prefix(v1::WarningKind_Name(kind), "WARNING_KIND_"));
}

std::string leave_reason_name(v1::LeaveReason reason) {
  if (!v1::LeaveReason_IsValid(reason)) return "unknown";
  return lower(strip_prefix(v1::LeaveReason_Name(reason), "LEAVE_REASON_"));
}

std::string describe(const v1::Event& event) {
  switch (event.kind_case()) {
    case v1::Event::kPhaseChanged:
      return "phase_changed " + std::to_string(event.phase_changed().from_index()) + "->" +
             std::to_string(event.phase_changed().to_index());
    case v1::Event::kTurnMoved: {
      const auto& t = event.turn_moved();
      return "turn_moved " + (t.from_id().empty() ? std::string("-") : t.from_id()) + "->" +
             (t.to_id().empty() ? std::string("-") : t.to_id());
    }
    case v1::Event::kWarning:
      return "warning " + warning_name(event.warning().warning().kind());
    case v1::Event::kMemberJoined:
      return "member_joined " + event.member_joined().participant_id();
    case v1::Event::kMemberLeft:
      return "member_left " + event.member_left().participant_id() + " (" +
             leave_reason_name(event.member_left().reason()) + ")";
    case v1::Event::kMemberReconnecting:
      return "member_reconnecting " + event.member_reconnecting().participant_id() + " (until " +
             std::to_string(event.member_reconnecting().deadline_ms()) + ")";
    case v1::Event::kSessionEnded:
      return "session_ended";
    default:
      return "event";
  }
}

const v1::Member* find_member(const v1::SessionState& state, std::string_view participant_id) {
  for (const auto& m : state.roster())
    if (m.participant_id() == participant_id) return &m;
  return nullptr;
}

const v1::Member* find_member_by_name(const v1::SessionState& state, std::string_view name) {
  for (const auto& m : state.roster())
    if (iequals(m.display_name(), name)) return &m;
  return nullptr;
}

const v1::Phase* current_phase(const v1::SessionState& state) {
  const int index = state.phase_index();
  if (index < 0 || index >= state.format().phases_size()) return nullptr;
  return &state.format().phases(index);
}

std::string display_name(const v1::SessionState& state, std::string_view participant_id) {
  if (const auto* m = find_member(state, participant_id); m && !m->display_name().empty())
    return m->display_name();
  return std::string(participant_id);
}

std::int64_t phase_ms_left(const v1::SessionState& state) {
  if (state.phase_index() < 0 || state.phase_planned_end_ms() == 0) return 0;
  return state.phase_planned_end_ms() - state.server_time_ms();
}

}  // namespace balint::sdk
