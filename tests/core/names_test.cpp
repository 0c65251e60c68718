#include "core/names.hpp"

#include <catch2/catch.hpp>

using balint::core::display_name_problem;
using balint::core::valid_participant_id;
using balint::core::valid_utf8;

TEST_CASE("participant ids are short and plain", "[names]") {
  CHECK(valid_participant_id("p1"));
  CHECK(valid_participant_id("Dr-Ada_2"));
  CHECK(valid_participant_id(std::string(64, 'a')));
  CHECK_FALSE(valid_participant_id(""));
  CHECK_FALSE(valid_participant_id(std::string(65, 'a')));
  CHECK_FALSE(valid_participant_id("room.1"));  // Dots are for in-room attendees the server names.
  CHECK_FALSE(valid_participant_id("a b"));
  CHECK_FALSE(valid_participant_id("é"));
}

TEST_CASE("UTF-8 is checked for every malformed form", "[names]") {
  CHECK(valid_utf8("plain"));
  CHECK(valid_utf8("Zoë, Łukasz, 山田, 🙂"));
  CHECK_FALSE(valid_utf8("\xC3"));              // Truncated two-byte form.
  CHECK_FALSE(valid_utf8("\xE2\x82"));          // Truncated three-byte form.
  CHECK_FALSE(valid_utf8("\x80"));              // A continuation byte alone.
  CHECK_FALSE(valid_utf8("\xC0\xAF"));          // Overlong '/'.
  CHECK_FALSE(valid_utf8("\xE0\x80\xAF"));      // Overlong, three bytes.
  CHECK_FALSE(valid_utf8("\xED\xA0\x80"));      // A UTF-16 surrogate.
  CHECK_FALSE(valid_utf8("\xF4\x90\x80\x80"));  // Past U+10FFFF.
  CHECK_FALSE(valid_utf8("\xFF"));
}

TEST_CASE("display names are bounded, valid UTF-8 and free of control characters", "[names]") {
  CHECK(display_name_problem("Dr Ada Lovelace").empty());
  CHECK(display_name_problem(std::string(100, 'x')).empty());
  CHECK(display_name_problem("") == "is empty");
  CHECK(display_name_problem(std::string(101, 'x')) == "is longer than 100 bytes");
  CHECK(display_name_problem("Ada\xC3") == "is not valid UTF-8");
  CHECK(display_name_problem("Ada\nBen") == "contains control characters");
  CHECK(display_name_problem(std::string("Ada\0", 4)) == "contains control characters");
}
