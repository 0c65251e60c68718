// The built-in formats and format validation.
#include "core/formats.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace v1 = balint::v1;
using balint::core::balint_format;
using balint::core::builtin_format;
using balint::core::ccdg_format;
using balint::core::total_planned_seconds;
using balint::core::validate_format;

namespace {

struct Expected {
  const char* id;
  std::uint32_t seconds;
  v1::SpeakingRule rule;
};

void check_phases(const v1::Format& format, std::initializer_list<Expected> expected) {
  REQUIRE(format.phases_size() == static_cast<int>(expected.size()));
  int i = 0;
  for (const Expected& e : expected) {
    INFO("phase " << i);
    CHECK(format.phases(i).id() == e.id);
    CHECK(format.phases(i).planned_seconds() == e.seconds);
    CHECK(format.phases(i).rule() == e.rule);
    CHECK_FALSE(format.phases(i).name().empty());
    CHECK_FALSE(format.phases(i).guidance().empty());
    ++i;
  }
}

v1::Format small_valid() {
  v1::Format f;
  f.set_id("mine");
  f.set_name("My group");
  for (const char* id : {"a", "b"}) {
    v1::Phase* p = f.add_phases();
    p->set_id(id);
    p->set_name(std::string("Phase ") + id);
    p->set_planned_seconds(600);
    p->set_rule(v1::SPEAKING_RULE_EVERYONE);
  }
  return f;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("the Balint format runs presentation, questions, observation, re-entry, close", "[formats]") {
  const v1::Format& f = balint_format();
  CHECK(f.id() == "balint");
  CHECK(f.name() == "Balint group");
  check_phases(f, {
                      {"presentation", 300, v1::SPEAKING_RULE_PRESENTER_ONLY},
                      {"questions", 300, v1::SPEAKING_RULE_EVERYONE},
                      {"observation", 2400, v1::SPEAKING_RULE_ALL_BUT_PRESENTER},
                      {"re-entry", 600, v1::SPEAKING_RULE_EVERYONE},
                      {"close", 0, v1::SPEAKING_RULE_FACILITATORS_ONLY},
                  });
  CHECK(total_planned_seconds(f) == 3600);
  CHECK(validate_format(f).empty());
}

TEST_CASE("the CCDG format runs check-in, presentation, go-around, open discussion, wrap-up", "[formats]") {
  const v1::Format& f = ccdg_format();
  CHECK(f.id() == "ccdg");
  CHECK(f.name() == "Clinical Case Discussion Group");
  check_phases(f, {
                      {"check-in", 300, v1::SPEAKING_RULE_EVERYONE},
                      {"presentation", 600, v1::SPEAKING_RULE_PRESENTER_ONLY},
                      {"go-around", 900, v1::SPEAKING_RULE_TURN_HOLDER},
                      {"open-discussion", 1500, v1::SPEAKING_RULE_EVERYONE},
                      {"wrap-up", 300, v1::SPEAKING_RULE_FACILITATORS_ONLY},
                  });
  CHECK(total_planned_seconds(f) == 3600);
  CHECK(validate_format(f).empty());
}

TEST_CASE("the wrap-up's guidance says how a locked member gives a last comment: by the floor", "[formats]") {
  // The phase lets only facilitators speak; guidance that asked for
  // comments without saying how would contradict its own rule.
  const v1::Phase& wrap_up = ccdg_format().phases(4);
  REQUIRE(wrap_up.rule() == v1::SPEAKING_RULE_FACILITATORS_ONLY);
  CHECK_THAT(wrap_up.guidance(), Catch::Contains("give it to each member with a last comment"));
}

TEST_CASE("built-in formats are found by id and nothing else is", "[formats]") {
  REQUIRE(builtin_format("balint").has_value());
  CHECK(builtin_format("balint")->id() == "balint");
  REQUIRE(builtin_format("ccdg").has_value());
  CHECK(builtin_format("ccdg")->phases(2).rule() == v1::SPEAKING_RULE_TURN_HOLDER);
  CHECK_FALSE(builtin_format("").has_value());
  CHECK_FALSE(builtin_format("Balint").has_value());
  CHECK_FALSE(builtin_format("other").has_value());
}

TEST_CASE("total planned seconds adds the phases up", "[formats]") {
  v1::Format f = small_valid();
  CHECK(total_planned_seconds(f) == 1200);
  f.mutable_phases(1)->set_planned_seconds(0);
  CHECK(total_planned_seconds(f) == 600);
  CHECK(total_planned_seconds(v1::Format{}) == 0);
}

TEST_CASE("a group's own valid format passes", "[formats]") {
  CHECK(validate_format(small_valid()).empty());

  v1::Format f = small_valid();
  f.mutable_phases(0)->set_planned_seconds(4 * 3600);  // the longest phase allowed
  f.mutable_phases(1)->set_planned_seconds(4 * 3600);  // 8 h in all: the limit
  CHECK(validate_format(f).empty());

  v1::Format twenty;
  twenty.set_id(std::string(64, 'x'));
  twenty.set_name("Twenty");
  for (int i = 0; i < 20; ++i) {
    v1::Phase* p = twenty.add_phases();
    p->set_id("p" + std::to_string(i));
    p->set_name(std::string(100, 'n'));
    p->set_planned_seconds(60);
    p->set_rule(v1::SPEAKING_RULE_FACILITATORS_ONLY);
  }
  CHECK(validate_format(twenty).empty());
}

TEST_CASE("invalid formats are rejected with a message naming the problem", "[formats]") {
  v1::Format f = small_valid();
  std::string error;

  SECTION("missing id") {
    f.clear_id();
    error = validate_format(f);
    CHECK(contains(error, "format id is missing"));
  }
  SECTION("id too long") {
    f.set_id(std::string(65, 'x'));
    error = validate_format(f);
    CHECK(contains(error, "format id is longer than 64"));
  }
  SECTION("missing name") {
    f.clear_name();
    error = validate_format(f);
    CHECK(contains(error, "name is missing"));
    CHECK(contains(error, "\"mine\""));
  }
  SECTION("no phases") {
    f.clear_phases();
    error = validate_format(f);
    CHECK(contains(error, "no phases"));
  }
  SECTION("more than 20 phases") {
    f.clear_phases();
    for (int i = 0; i < 21; ++i) {
      v1::Phase* p = f.add_phases();
      p->set_id("p" + std::to_string(i));
      p->set_name("P");
      p->set_rule(v1::SPEAKING_RULE_EVERYONE);
    }
    error = validate_format(f);
    CHECK(contains(error, "21 phases"));
    CHECK(contains(error, "at most 20"));
  }
  SECTION("phase without id") {
    f.mutable_phases(1)->clear_id();
    error = validate_format(f);
    CHECK(error == "phase 2: id is missing");
  }
  SECTION("phase id too long") {
    f.mutable_phases(1)->set_id(std::string(65, 'i'));
    error = validate_format(f);
    CHECK(contains(error, "phase 2"));
    CHECK(contains(error, "id is longer than 64"));
  }
  SECTION("duplicate phase id") {
    f.mutable_phases(1)->set_id("a");
    error = validate_format(f);
    CHECK(contains(error, "phase 2 (\"a\")"));
    CHECK(contains(error, "already used"));
  }
  SECTION("phase without name") {
    f.mutable_phases(0)->clear_name();
    error = validate_format(f);
    CHECK(error == "phase 1 (\"a\"): name is missing");
  }
  SECTION("phase name too long") {
    f.mutable_phases(0)->set_name(std::string(101, 'n'));
    error = validate_format(f);
    CHECK(contains(error, "phase 1 (\"a\"): name is longer than 100"));
  }
  SECTION("phase without rule") {
    f.mutable_phases(1)->set_rule(v1::SPEAKING_RULE_UNSPECIFIED);
    error = validate_format(f);
    CHECK(error == "phase 2 (\"b\"): rule is missing");
  }
  SECTION("phase with an unknown rule") {
    f.mutable_phases(1)->set_rule(static_cast<v1::SpeakingRule>(42));
    error = validate_format(f);
    CHECK(contains(error, "phase 2 (\"b\")"));
    CHECK(contains(error, "rule 42 is not a known speaking rule"));
  }
  SECTION("phase longer than 4 hours") {
    f.mutable_phases(0)->set_planned_seconds(4 * 3600 + 1);
    error = validate_format(f);
    CHECK(contains(error, "phase 1 (\"a\")"));
    CHECK(contains(error, "longer than 4 hours"));
  }
  SECTION("phases add up to more than 8 hours") {
    f.mutable_phases(0)->set_planned_seconds(4 * 3600);
    f.mutable_phases(1)->set_planned_seconds(3600);
    v1::Phase* p = f.add_phases();
    p->set_id("c");
    p->set_name("C");
    p->set_rule(v1::SPEAKING_RULE_EVERYONE);
    p->set_planned_seconds(3 * 3600 + 1);
    error = validate_format(f);
    CHECK(contains(error, "28801 s"));
    CHECK(contains(error, "longer than 8 hours"));
  }
  CHECK_FALSE(error.empty());
}
