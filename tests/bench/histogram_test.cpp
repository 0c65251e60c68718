// The load generator's histogram: the percentiles the benchmark prints are
// only as good as it is.
#include "loadgen/histogram.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <vector>

using balint::bench::Histogram;

TEST_CASE("Histogram: below a millisecond every value is its own bucket", "[bench]") {
  Histogram h;
  for (int v = 0; v < 1000; ++v) h.record(v);
  CHECK(h.count() == 1000);
  CHECK(h.at(0.5) == 499);
  CHECK(h.at(0.99) == 989);
  CHECK(h.at(1.0) == 999);
  CHECK(h.max() == 999);
  Histogram empty;
  CHECK(empty.at(0.5) == 0);
}

TEST_CASE("Histogram: above a millisecond a percentile is within 1.6 % of the exact one", "[bench]") {
  std::mt19937_64 random(7);
  std::lognormal_distribution<double> latency(8.0, 1.5);  // Around 3 ms, with a long tail.
  std::vector<std::int64_t> values;
  Histogram h;
  for (int i = 0; i < 200'000; ++i) {
    const auto v = static_cast<std::int64_t>(latency(random));
    values.push_back(v);
    h.record(v);
  }
  std::sort(values.begin(), values.end());
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    const auto exact = static_cast<double>(values[static_cast<std::size_t>(q * static_cast<double>(values.size())) - 1]);
    const auto reported = static_cast<double>(h.at(q));
    INFO("quantile " << q << ": exact " << exact << ", reported " << reported);
    CHECK(reported >= exact);  // The bucket's upper edge: never below.
    CHECK(reported <= exact * 1.016 + 1);
  }
  CHECK(h.at(1.0) == static_cast<std::uint64_t>(values.back()));
}

TEST_CASE("Histogram: merging adds counts, and negative values count as 0", "[bench]") {
  Histogram a, b;
  a.record(-5);
  a.record(10);
  b.record(5'000'000);
  a.merge(b);
  CHECK(a.count() == 3);
  CHECK(a.at(0.3) == 0);
  CHECK(a.max() == 5'000'000);
  CHECK(a.at(1.0) == 5'000'000);
}
