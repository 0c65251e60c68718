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

}  // namespace balint::app
