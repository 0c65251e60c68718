#include "balint/e2ee/pairwise.hpp"

#include "test_keys.hpp"

#include <catch2/catch.hpp>

using namespace balint::e2ee;
using namespace balint::e2ee::testing;

TEST_CASE("the pairwise channel is symmetric: A's tx is B's rx", "[e2ee]") {
  const Identity a = test_identity(10);
  const Identity b = test_identity(11);
  const auto ab = pair_keys(a, b.exchange_public());
  const auto ba = pair_keys(b, a.exchange_public());
  REQUIRE(ab.ok());
  REQUIRE(ba.ok());
  CHECK(ab.value->tx.equals(ba.value->rx));
  CHECK(ab.value->rx.equals(ba.value->tx));
  CHECK_FALSE(ab.value->rx.equals(ab.value->tx));

  const Identity c = test_identity(12);
  const auto ac = pair_keys(a, c.exchange_public());
  REQUIRE(ac.ok());
  CHECK_FALSE(ac.value->tx.equals(ab.value->tx));
}

TEST_CASE("the pairwise channel refuses my own key, short keys and low-order points", "[e2ee]") {
  const Identity a = test_identity(10);
  CHECK(pair_keys(a, a.exchange_public()).error == Error::bad_key);
  CHECK(pair_keys(a, std::string(31, '\x01')).error == Error::bad_key);
  CHECK(pair_keys(a, std::string(32, '\0')).error == Error::bad_key);
  // The point of order 1 (u = 1): the shared secret would be all zero.
  std::string one(32, '\0');
  one[0] = '\x01';
  CHECK(pair_keys(a, one).error == Error::bad_key);
}
