// Latencies in a log-linear histogram: exact to the microsecond below 1 ms,
// then 64 buckets per power of two (under 1.6 % error), up to about 70 s.
// Recording is an index computation and an increment: cheap enough to call
// for every delivered message.
#pragma once

#include <array>
#include <bit>
#include <cstdint>

namespace balint::bench {

class Histogram {
 public:
  void record(std::int64_t micros) {
    if (micros < 0) micros = 0;
    ++counts_[index_of(static_cast<std::uint64_t>(micros))];
    ++total_;
    if (static_cast<std::uint64_t>(micros) > max_) max_ = static_cast<std::uint64_t>(micros);
  }

  std::uint64_t count() const { return total_; }
  std::uint64_t max() const { return max_; }

  // A value with at least `quantile` of the recordings at or below it: the
  // upper edge of the bucket where that share is reached (never above the
  // largest recording); 0 when empty.
  std::uint64_t at(double quantile) const {
    if (total_ == 0) return 0;
    const auto wanted = static_cast<std::uint64_t>(quantile * static_cast<double>(total_) + 0.5);
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < counts_.size(); ++i) {
      seen += counts_[i];
      if (seen >= wanted && seen > 0) return upper_edge(i) < max_ ? upper_edge(i) : max_;
    }
    return max_;
  }

  void merge(const Histogram& other) {
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
    total_ += other.total_;
    if (other.max_ > max_) max_ = other.max_;
  }

 private:
  static constexpr std::uint64_t kLinear = 1024;  // Exact below this many microseconds.
  static constexpr int kSubBits = 6;              // 64 buckets per power of two above it.
  static constexpr int kOctaves = 26;             // 2^10 .. 2^36 us.
  static constexpr std::size_t kBuckets = kLinear + (std::size_t{kOctaves} << kSubBits);

  static std::size_t index_of(std::uint64_t v) {
    if (v < kLinear) return static_cast<std::size_t>(v);
    const int octave = std::bit_width(v) - 1;  // >= 10
    const auto sub = static_cast<std::size_t>((v >> (octave - kSubBits)) & ((1u << kSubBits) - 1));
    const auto index = kLinear + (static_cast<std::size_t>(octave - 10) << kSubBits) + sub;
    return index < kBuckets ? index : kBuckets - 1;
  }
  static std::uint64_t upper_edge(std::size_t i) {
    if (i < kLinear) return i;
    const std::size_t k = i - kLinear;
    const int octave = static_cast<int>(k >> kSubBits) + 10;
    const std::uint64_t sub = k & ((1u << kSubBits) - 1);
    return (((std::uint64_t{1} << kSubBits) + sub + 1) << (octave - kSubBits)) - 1;
  }

  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t total_ = 0;
  std::uint64_t max_ = 0;
};

}  // namespace balint::bench
