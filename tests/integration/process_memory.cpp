#include "process_memory.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

namespace balint::test {
namespace fs = std::filesystem;

// --- Text and streams ----------------------------------------------------------

std::size_t count_in_text(std::string_view haystack, std::string_view needle) {
  if (needle.empty()) return 0;
  std::size_t count = 0;
  for (auto at = haystack.find(needle); at != std::string_view::npos; at = haystack.find(needle, at + 1)) ++count;
  return count;
}

StreamCounter::StreamCounter(std::string_view needle) : needle_(needle) {}

void StreamCounter::feed(std::string_view piece) {
  if (needle_.empty()) return;
  // The window starts with fewer bytes than the needle has, so every match in
  // it ends in the new piece: none is counted twice.
  window_.append(piece);
  count_ += count_in_text(window_, needle_);
  const std::size_t keep = needle_.size() - 1;
  if (window_.size() > keep) window_.erase(0, window_.size() - keep);
}

void StreamCounter::break_stream() { window_.clear(); }

std::size_t count_in_chunks(const std::vector<std::string_view>& pieces, std::string_view needle) {
  StreamCounter counter(needle);
  for (const auto piece : pieces) counter.feed(piece);
  return counter.count();
}

// --- Files ---------------------------------------------------------------------

namespace {

constexpr std::size_t kChunk = std::size_t{1} << 20;

// A failure to read must not pass for "not found".
[[noreturn]] void cannot(const std::string& what, const fs::path& path, const std::string& why) {
  throw std::runtime_error("cannot " + what + " " + path.string() + ": " + why);
}

std::size_t count_in_file(const fs::path& path, std::string_view needle) {
  std::ifstream in(path, std::ios::binary);
  if (!in) cannot("open", path, std::strerror(errno));
  StreamCounter counter(needle);
  std::vector<char> buffer(kChunk);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    counter.feed(std::string_view(buffer.data(), static_cast<std::size_t>(in.gcount())));
  }
  if (in.bad()) cannot("read", path, "I/O error");
  return counter.count();
}

}  // namespace

std::size_t count_in_directory(const fs::path& directory, std::string_view needle) {
  std::error_code error;
  if (!fs::is_directory(directory, error)) return 0;
  std::size_t count = 0;
  fs::recursive_directory_iterator it(directory, error), end;
  for (; !error && it != end; it.increment(error)) {
    const auto status = it->symlink_status(error);
    if (error) break;
    if (status.type() == fs::file_type::regular) count += count_in_file(it->path(), needle);
  }
  if (error) cannot("list", directory, error.message());
  return count;
}

// --- Process memory ------------------------------------------------------------

namespace {

// AddressSanitizer reserves its shadow memory as one mapping of terabytes
// (on x86-64, 0x10007fff8000 - 0x02008fff7000): readable, but it holds only
// poison bytes, never data, and reading it would take hours. No real heap
// or stack of the server comes near this size.
constexpr std::uint64_t kReservationSize = std::uint64_t{64} << 30;
// Above this, ask the page map which chunks hold anything before reading:
// ASan's 2 GiB low shadow, big malloc arenas mostly never touched.
constexpr std::uint64_t kSparseSize = std::uint64_t{256} << 20;

struct Mapping {
  std::uint64_t start = 0;
  std::uint64_t end = 0;
  bool readable = false;
  std::string name;  // Path or [heap], [stack], ...; empty for anonymous memory.
  std::string line;  // As in /proc/PID/maps.
  std::uint64_t rss_kb = 0;
  std::uint64_t swap_kb = 0;
};

// "55d0c8a0e000-55d0c8a10000 r--p 00000000 08:01 1234   /usr/bin/x": the
// header of each mapping in smaps; its fields ("Rss:   4 kB") start with a
// name and a colon instead.
bool parse_header(const std::string& line, Mapping& mapping) {
  std::istringstream in(line);
  std::string range, perms, offset, device, inode;
  if (!(in >> range >> perms >> offset >> device >> inode)) return false;
  const auto dash = range.find('-');
  if (dash == std::string::npos || range.back() == ':' || perms.size() != 4) return false;
  try {
    mapping.start = std::stoull(range.substr(0, dash), nullptr, 16);
    mapping.end = std::stoull(range.substr(dash + 1), nullptr, 16);
  } catch (const std::exception&) {
    return false;
  }
  mapping.readable = perms[0] == 'r';
  std::getline(in >> std::ws, mapping.name);
  mapping.line = line;
  return true;
}

std::uint64_t field_kb(const std::string& line, std::string_view name) {
  if (line.compare(0, name.size(), name) != 0) return 0;
  try {
    return std::stoull(line.substr(name.size()));
  } catch (const std::exception&) {
    return 0;
  }
}

// smaps holds the maps lines and each mapping's Rss, read in one pass so
// that both describe the same moment of the running process.
std::vector<Mapping> read_mappings(pid_t pid) {
  const fs::path path = "/proc/" + std::to_string(pid) + "/smaps";
  std::ifstream in(path);
  if (!in) cannot("open", path, std::strerror(errno));
  std::vector<Mapping> mappings;
  std::string line;
  while (std::getline(in, line)) {
    Mapping header;
    if (parse_header(line, header)) {
      mappings.push_back(std::move(header));
    } else if (!mappings.empty()) {
      mappings.back().rss_kb += field_kb(line, "Rss:");
      mappings.back().swap_kb += field_kb(line, "Swap:");
    }
  }
  return mappings;
}

bool holds_no_data(const Mapping& m) {
  if (!m.readable || m.end <= m.start) return true;
  // The kernel's time pages and the legacy syscall page: reading them fails.
  if (m.name.rfind("[vvar", 0) == 0 || m.name == "[vsyscall]") return true;
  if (m.rss_kb == 0 && m.swap_kb == 0) return true;
  if (m.end - m.start > kReservationSize) return true;
  // pread takes a signed offset.
  return m.end > static_cast<std::uint64_t>(std::numeric_limits<off_t>::max());
}

class FileDescriptor {
 public:
  explicit FileDescriptor(const std::string& path) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Reads up to `size` bytes at `offset`; fewer only where reading fails.
std::size_t read_at(int fd, char* data, std::size_t size, std::uint64_t offset) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd, data + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<std::size_t>(n);
  }
  return done;
}

// /proc/PID/pagemap: one 64-bit entry per virtual page.
class PageMap {
 public:
  explicit PageMap(pid_t pid)
      : file_("/proc/" + std::to_string(pid) + "/pagemap"),
        page_size_(static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE))) {}

  // Whether any page of [start, start + size) is in memory (bit 63) or in
  // swap (bit 62): a secret swapped out is still held. When the page map
  // cannot tell, it says yes, so that the memory is read.
  bool any_data(std::uint64_t start, std::uint64_t size) {
    if (file_.get() < 0) return true;
    const std::uint64_t first = start / page_size_;
    const std::uint64_t count = (size + page_size_ - 1) / page_size_;
    entries_.resize(count);
    const std::size_t bytes = count * sizeof(std::uint64_t);
    if (read_at(file_.get(), reinterpret_cast<char*>(entries_.data()), bytes, first * sizeof(std::uint64_t)) != bytes)
      return true;
    constexpr std::uint64_t kPresent = std::uint64_t{1} << 63;
    constexpr std::uint64_t kSwapped = std::uint64_t{1} << 62;
    return std::any_of(entries_.begin(), entries_.end(),
                       [](std::uint64_t e) { return (e & (kPresent | kSwapped)) != 0; });
  }

 private:
  FileDescriptor file_;
  std::uint64_t page_size_;
  std::vector<std::uint64_t> entries_;
};

}  // namespace

MemoryScan scan_process_memory(pid_t pid, std::string_view needle) {
  const std::vector<Mapping> mappings = read_mappings(pid);
  const std::string mem_path = "/proc/" + std::to_string(pid) + "/mem";
  FileDescriptor mem(mem_path);
  if (mem.get() < 0) cannot("open", mem_path, std::strerror(errno));
  PageMap page_map(pid);

  MemoryScan scan;
  StreamCounter counter(needle);
  std::vector<char> buffer(kChunk);
  // Adjacent mappings are one stream (a heap split by mprotect); anything
  // skipped in between breaks it.
  std::uint64_t next_address = 0;
  for (const Mapping& m : mappings) {
    if (holds_no_data(m)) {
      ++scan.regions_skipped;
      continue;
    }
    const bool sparse = m.end - m.start > kSparseSize;
    const std::size_t hits_before = counter.count();
    std::size_t region_bytes = 0;
    for (std::uint64_t at = m.start; at < m.end; at += kChunk) {
      const std::size_t size = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, m.end - at));
      if (sparse && !page_map.any_data(at, size)) continue;
      if (at != next_address) counter.break_stream();
      const std::size_t got = read_at(mem.get(), buffer.data(), size, at);
      counter.feed(std::string_view(buffer.data(), got));
      region_bytes += got;
      next_address = at + got;
      // EIO: the mapping went away or cannot be read (device memory);
      // give up on the rest of it.
      if (got < size) break;
    }
    scan.bytes_read += region_bytes;
    ++(region_bytes > 0 ? scan.regions_read : scan.regions_skipped);
    if (counter.count() > hits_before) scan.where.push_back(m.line);
  }
  scan.hits = counter.count();
  return scan;
}

std::string random_marker(std::string_view prefix) {
  std::random_device random;
  std::string marker(prefix);
  constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 32; ++i) marker += kHex[random() % 16];
  return marker;
}

long resident_kib(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
  return -1;
}

std::chrono::milliseconds cpu_time(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // Fields 14 and 15 (utime, stime), counted after the command's closing
  // parenthesis, which may itself hold spaces.
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string field;
  long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoll(field);
    if (i == 15) stime = std::stoll(field);
  }
  return std::chrono::milliseconds((utime + stime) * 1000 / ::sysconf(_SC_CLK_TCK));
}

}  // namespace balint::test
