#include "balint/e2ee/security_code.hpp"

#include "balint/e2ee/identity.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace balint::e2ee;

namespace {

CodeEntry entry(const std::string& id, std::uint64_t seed) {
  SeededRandom random(seed);
  const Identity identity = Identity::generate(random);
  return {id, identity.identity_public(), identity.exchange_public()};
}

}  // namespace

TEST_CASE("the security code is 8 groups of 5 digits", "[e2ee]") {
  const std::string code = security_code("s1", {entry("alice", 1), entry("bob", 2)});
  CHECK(code.size() == 8 * 5 + 7);
  for (std::size_t i = 0; i < code.size(); ++i) {
    INFO("at " << i);
    if (i % 6 == 5) {
      CHECK(code[i] == ' ');
    } else {
      CHECK((code[i] >= '0' && code[i] <= '9'));
    }
  }
  CHECK(std::count_if(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; }) == 40);
  CHECK(security_code_digest("s1", {entry("alice", 1)}).size() == 64);
}

TEST_CASE("the security code depends on the membership, not on the order it came in", "[e2ee]") {
  std::vector<CodeEntry> members{entry("alice", 1), entry("bob", 2), entry("carol", 3), entry("dave", 4)};
  const std::string code = security_code("s1", members);
  std::sort(members.begin(), members.end(),
            [](const CodeEntry& a, const CodeEntry& b) { return a.participant_id > b.participant_id; });
  CHECK(security_code("s1", members) == code);
  std::rotate(members.begin(), members.begin() + 1, members.end());
  CHECK(security_code("s1", members) == code);

  SECTION("one member's new keys, id, a leave or another session change it") {
    auto rejoined = members;
    rejoined[0] = entry(rejoined[0].participant_id, 99);
    CHECK(security_code("s1", rejoined) != code);
    auto renamed = members;
    renamed[1].participant_id += "x";
    CHECK(security_code("s1", renamed) != code);
    auto left = members;
    left.pop_back();
    CHECK(security_code("s1", left) != code);
    CHECK(security_code("s2", members) != code);
  }
  CHECK_THROWS_AS(security_code("s1", {{"alice", "short", std::string(32, 'x')}}), std::invalid_argument);
}
