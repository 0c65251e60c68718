// The built-in session formats and the validation every format passes.
#pragma once

#include "balint/v1/balint.pb.h"

#include <optional>
#include <string>
#include <string_view>

namespace balint::core {

// The Balint group format (60 minutes): presentation, questions, observation,
// re-entry, close.
const balint::v1::Format& balint_format();

// The Clinical Case Discussion Group format (60 minutes): check-in,
// presentation, go-around, open discussion, wrap-up.
const balint::v1::Format& ccdg_format();

// A built-in format by id ("balint" or "ccdg").
std::optional<balint::v1::Format> builtin_format(std::string_view id);

// Empty when the format is valid; otherwise what is wrong, in words a
// facilitator can act on (e.g. "phase 3 (\"observation\"): rule is missing").
std::string validate_format(const balint::v1::Format& format);

// Sum of the planned lengths of all phases, in seconds.
std::uint64_t total_planned_seconds(const balint::v1::Format& format);

}  // namespace balint::core
