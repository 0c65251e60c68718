// The two built-in formats and the checks every format passes before a
// session may run it.
#include "core/formats.hpp"

#include <initializer_list>
#include <set>
#include <string>

namespace balint::core {

namespace {

namespace v1 = ::balint::v1;

constexpr std::size_t kMaxFormatIdLength = 64;
constexpr std::size_t kMaxPhaseIdLength = 64;
constexpr std::size_t kMaxPhaseNameLength = 100;
constexpr int kMaxPhases = 20;
constexpr std::uint64_t kMaxPhaseSeconds = 4 * 3600;
constexpr std::uint64_t kMaxTotalSeconds = 8 * 3600;

struct PhaseSpec {
  const char* id;
  const char* name;
  std::uint32_t planned_seconds;
  v1::SpeakingRule rule;
  const char* guidance;
};

v1::Format make_format(const char* id, const char* name, std::initializer_list<PhaseSpec> phases) {
  v1::Format format;
  format.set_id(id);
  format.set_name(name);
  for (const PhaseSpec& spec : phases) {
    v1::Phase* phase = format.add_phases();
    phase->set_id(spec.id);
    phase->set_name(spec.name);
    phase->set_planned_seconds(spec.planned_seconds);
    phase->set_rule(spec.rule);
    phase->set_guidance(spec.guidance);
  }
  return format;
}

// "phase 3 (\"observation\")", or "phase 3" when the phase has no id.
std::string describe_phase(int index, const v1::Phase& phase) {
  std::string text = "phase " + std::to_string(index + 1);
  if (!phase.id().empty()) text += " (\"" + phase.id() + "\")";
  return text;
}

}  // namespace

const v1::Format& balint_format() {
  static const v1::Format format =
      make_format("balint", "Balint group",
                  {
                      {"presentation", "Presentation", 300, v1::SPEAKING_RULE_PRESENTER_ONLY,
                       "A volunteer presents a case, without notes, for up to five minutes."},
                      {"questions", "Questions", 300, v1::SPEAKING_RULE_EVERYONE,
                       "The group asks the presenter follow-up questions about the case."},
                      {"observation", "Observation", 2400, v1::SPEAKING_RULE_ALL_BUT_PRESENTER,
                       "The presenter observes in silence; the group wonders about the case "
                       "as if the presenter were not there."},
                      {"re-entry", "Re-entry", 600, v1::SPEAKING_RULE_EVERYONE,
                       "The presenter is invited to resume participation however they wish."},
                      {"close", "Close", 0, v1::SPEAKING_RULE_FACILITATORS_ONLY,
                       "No summary is made; everyone carries away their own interpretation."},
                  });
  return format;
}

const v1::Format& ccdg_format() {
  static const v1::Format format = make_format(
      "ccdg", "Clinical Case Discussion Group",
      {
          {"check-in", "Check-in", 300, v1::SPEAKING_RULE_EVERYONE, "Review the ground rules."},
          {"presentation", "Presentation", 600, v1::SPEAKING_RULE_PRESENTER_ONLY,
           "The presenter describes a case they found difficult: the relationship, "
           "not the technical detail."},
          {"go-around", "Go-around", 900, v1::SPEAKING_RULE_TURN_HOLDER,
           "Each listener in turn offers a reflection on the clinician-patient "
           "relationship; a member may pass."},
          {"open-discussion", "Open discussion", 1500, v1::SPEAKING_RULE_EVERYONE, "Free discussion of the case."},
          {"wrap-up", "Wrap-up", 300, v1::SPEAKING_RULE_FACILITATORS_ONLY,
           "Alert the group to the approaching end; members speak only when given "
           "the floor, so give it to each member with a last comment; remind "
           "everyone of the next meeting."},
      });
  return format;
}

std::optional<v1::Format> builtin_format(std::string_view id) {
  if (id == "balint") return balint_format();
  if (id == "ccdg") return ccdg_format();
  return std::nullopt;
}

std::uint64_t total_planned_seconds(const v1::Format& format) {
  std::uint64_t total = 0;
  for (const v1::Phase& phase : format.phases()) total += phase.planned_seconds();
  return total;
}

std::string validate_format(const v1::Format& format) {
  if (format.id().empty()) return "format id is missing";
  if (format.id().size() > kMaxFormatIdLength) {
    return "format id is longer than " + std::to_string(kMaxFormatIdLength) + " characters";
  }
  if (format.name().empty()) return "format \"" + format.id() + "\": name is missing";
  if (format.phases_size() == 0) {
    return "format \"" + format.id() + "\" has no phases; it needs at least one";
  }
  if (format.phases_size() > kMaxPhases) {
    return "format \"" + format.id() + "\" has " + std::to_string(format.phases_size()) + " phases; at most " +
           std::to_string(kMaxPhases) + " are allowed";
  }

  std::set<std::string> seen_ids;
  for (int i = 0; i < format.phases_size(); ++i) {
    const v1::Phase& phase = format.phases(i);
    const std::string where = describe_phase(i, phase);
    if (phase.id().empty()) return where + ": id is missing";
    if (phase.id().size() > kMaxPhaseIdLength) {
      return where + ": id is longer than " + std::to_string(kMaxPhaseIdLength) + " characters";
    }
    if (!seen_ids.insert(phase.id()).second) {
      return where + ": id is already used by an earlier phase";
    }
    if (phase.name().empty()) return where + ": name is missing";
    if (phase.name().size() > kMaxPhaseNameLength) {
      return where + ": name is longer than " + std::to_string(kMaxPhaseNameLength) + " characters";
    }
    if (phase.rule() == v1::SPEAKING_RULE_UNSPECIFIED) return where + ": rule is missing";
    if (!v1::SpeakingRule_IsValid(phase.rule())) {
      return where + ": rule " + std::to_string(phase.rule()) + " is not a known speaking rule";
    }
    if (phase.planned_seconds() > kMaxPhaseSeconds) {
      return where + ": planned length of " + std::to_string(phase.planned_seconds()) + " s is longer than 4 hours";
    }
  }

  const std::uint64_t total = total_planned_seconds(format);
  if (total > kMaxTotalSeconds) {
    return "format \"" + format.id() + "\": the phases add up to " + std::to_string(total) + " s, longer than 8 hours";
  }
  return {};
}

}  // namespace balint::core
