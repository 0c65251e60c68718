// The small pieces everything else stands on: secrets, randomness, the
// byte encodings, hex, and the names of errors.
#include "balint/e2ee/bytes.hpp"
#include "balint/e2ee/error.hpp"
#include "balint/e2ee/hex.hpp"
#include "balint/e2ee/random.hpp"
#include "balint/e2ee/secret.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <type_traits>

using namespace balint::e2ee;

TEST_CASE("a secret cannot be copied by accident and is zeroed when moved or wiped", "[e2ee]") {
  STATIC_REQUIRE_FALSE(std::is_copy_constructible_v<Key>);
  STATIC_REQUIRE_FALSE(std::is_copy_assignable_v<Key>);
  STATIC_REQUIRE(std::is_nothrow_move_constructible_v<Key>);

  Key source = Key::from_bytes(std::string(32, '\x5a'));
  const Key copy = source.clone();
  CHECK(copy.equals(source));

  Key moved = std::move(source);
  CHECK(moved.reveal() == std::string(32, '\x5a'));
  CHECK(source.reveal() == std::string(32, '\0'));  // NOLINT(bugprone-use-after-move): checking the wipe

  moved.wipe();
  CHECK(moved.reveal() == std::string(32, '\0'));
  CHECK_FALSE(moved.equals(copy));
  CHECK_THROWS_AS(Key::from_bytes("short"), std::invalid_argument);
}

TEST_CASE("a seeded random source repeats per seed and differs between fills and seeds", "[e2ee]") {
  auto draw = [](SeededRandom& random) {
    std::string bytes(40, '\0');
    random.fill(uchars(bytes), bytes.size());
    return bytes;
  };
  SeededRandom a(7), b(7), c(8);
  const std::string first = draw(a);
  CHECK(first == draw(b));
  CHECK(first != draw(a));
  CHECK(first != draw(c));
  CHECK_THROWS_AS(SeededRandom(std::string_view("not 32 bytes")), std::invalid_argument);

  SystemRandom system;
  std::string one(32, '\0'), two(32, '\0');
  system.fill(uchars(one), one.size());
  system.fill(uchars(two), two.size());
  CHECK(one != two);
}

TEST_CASE("byte strings are built as label, str, u64 and raw", "[e2ee]") {
  const std::string bytes = ByteWriter().label("ab").str("xyz").u64(0x0102030405060708ULL).raw("\xff").take();
  CHECK(to_hex(bytes) ==
        "6162"
        "0000000378797a"
        "0102030405060708"
        "ff");
  CHECK(read_u64(u64_bytes(0xfedcba9876543210ULL)) == 0xfedcba9876543210ULL);
  CHECK(to_hex(ByteWriter().str("").take()) == "00000000");
}

TEST_CASE("hex round-trips and refuses what is not hex", "[e2ee]") {
  CHECK(to_hex(std::string("\x00\x01\xab\xff", 4)) == "0001abff");
  CHECK(from_hex("0001ABff") == std::string("\x00\x01\xab\xff", 4));
  CHECK(from_hex("") == std::string());
  CHECK_FALSE(from_hex("abc"));
  CHECK_FALSE(from_hex("zz"));
}

TEST_CASE("every error has a distinct name and a sentence", "[e2ee]") {
  std::set<std::string_view> names;
  for (int i = 0; i <= static_cast<int>(Error::malformed); ++i) {
    const auto error = static_cast<Error>(i);
    CHECK(names.insert(error_name(error)).second);
    CHECK_FALSE(describe(error).empty());
  }
  CHECK(error_name(Error::bad_signature) == "bad_signature");
  const auto failed = Result<int>::failure(Error::replay);
  CHECK_FALSE(failed.ok());
  CHECK(Result<int>::success(3).ok());
}
