// The role names tokens and the admin API use, and their wire values.
#pragma once

#include "core/session.hpp"

#include <optional>
#include <string_view>

namespace balint::app {

inline std::optional<core::v1::Role> parse_role(std::string_view name) {
  if (name == "facilitator") return core::v1::ROLE_FACILITATOR;
  if (name == "co_facilitator") return core::v1::ROLE_CO_FACILITATOR;
  if (name == "participant") return core::v1::ROLE_PARTICIPANT;
  if (name == "room") return core::v1::ROLE_ROOM;
  return std::nullopt;
}

inline std::string_view role_name(core::v1::Role role) {
  switch (role) {
    case core::v1::ROLE_FACILITATOR: return "facilitator";
    case core::v1::ROLE_CO_FACILITATOR: return "co_facilitator";
    case core::v1::ROLE_PARTICIPANT: return "participant";
    case core::v1::ROLE_ROOM: return "room";
    default: return "unknown";
  }
}

}  // namespace balint::app
