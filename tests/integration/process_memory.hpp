// Looks for a byte string where a secret could linger: in a live process's
// memory, in the files of a directory, in a text such as a log. Tests that
// expect "not found" are only worth something if these can also say
// "found", so each comes with a positive control in process_scan_test.cpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace balint::test {

// Occurrences of `needle` in `haystack`; overlapping ones each count, so that
// the count does not depend on where a stream was cut. 0 for an empty needle.
std::size_t count_in_text(std::string_view haystack, std::string_view needle);

// Counts a needle in a stream that arrives in pieces: an occurrence split
// between two consecutive pieces is found, once.
class StreamCounter {
 public:
  explicit StreamCounter(std::string_view needle);
  // The piece continues the stream.
  void feed(std::string_view piece);
  // What comes next does not follow on from what came before (a skipped
  // stretch of memory): nothing may match across the gap.
  void break_stream();
  std::size_t count() const { return count_; }

 private:
  std::string needle_;
  std::string window_;  // The last needle.size() - 1 bytes, then the new piece.
  std::size_t count_ = 0;
};

// StreamCounter over consecutive pieces.
std::size_t count_in_chunks(const std::vector<std::string_view>& pieces, std::string_view needle);

// Occurrences in every regular file under `directory`, recursively, whole
// contents (symbolic links are not followed). 0 if there is no such directory.
std::size_t count_in_directory(const std::filesystem::path& directory, std::string_view needle);

struct MemoryScan {
  std::size_t hits = 0;
  std::size_t bytes_read = 0;
  std::size_t regions_read = 0;
  std::size_t regions_skipped = 0;
  // The maps lines of the mappings where hits were found.
  std::vector<std::string> where;
};

// Occurrences of `needle` in the memory of process `pid`, read through
// /proc/PID/mem while it runs. Needs the right to ptrace the process (root,
// or its parent). Skips what cannot hold data: unreadable mappings, [vvar]
// and [vsyscall], mappings with nothing resident or swapped, and address
// space reservations over 64 GiB; in mappings over 256 MiB only the 1 MiB
// chunks with a page in memory (or swap) are read. Throws std::runtime_error
// if the process's maps or memory cannot be opened.
MemoryScan scan_process_memory(pid_t pid, std::string_view needle);

// Built with AddressSanitizer (and so is the server under test, with
// UndefinedBehaviorSanitizer too): its quarantine keeps freed memory
// resident, so resident memory then says nothing of what the server holds,
// and tests skip those checks.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif

// The resident memory of process `pid` in KiB (VmRSS), -1 if unknown.
long resident_kib(pid_t pid);

// The processor time process `pid` has used so far (user and system).
std::chrono::milliseconds cpu_time(pid_t pid);

// A string that occurs nowhere until a test puts it somewhere: `prefix`
// followed by 32 random hex digits, made at run time.
std::string random_marker(std::string_view prefix);

}  // namespace balint::test
