// Controls for the scanners of process_memory.hpp: they find what is there
// (in the real server's memory, its log, its data directory, across chunk
// borders and in sparse mappings) and find nothing that was never there.
// A test that expects "not found" means something only because these pass.

#include "process_memory.hpp"
#include "server_process.hpp"

#include <catch2/catch.hpp>

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sys/mman.h>
#include <unistd.h>

namespace balint::test {
namespace {

constexpr std::size_t kMiB = std::size_t{1} << 20;

void write_file(const std::filesystem::path& path, const std::string& content) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

std::string describe(const MemoryScan& scan) {
  std::string text = std::to_string(scan.hits) + " hits, " + std::to_string(scan.bytes_read) + " bytes in " +
                     std::to_string(scan.regions_read) + " regions read, " + std::to_string(scan.regions_skipped) +
                     " skipped";
  for (const auto& line : scan.where) text += "\n  in " + line;
  return text;
}

// A private read-write mapping of its own, between two inaccessible pages so
// that the kernel cannot merge it with a neighbour: the scanner's chunks then
// start at `data()`.
class IsolatedMapping {
 public:
  explicit IsolatedMapping(std::size_t size) : size_(size), page_(static_cast<std::size_t>(::sysconf(_SC_PAGESIZE))) {
    void* base = ::mmap(nullptr, size_ + 2 * page_, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    REQUIRE(base != MAP_FAILED);
    base_ = static_cast<char*>(base);
    REQUIRE(::mprotect(data(), size_, PROT_READ | PROT_WRITE) == 0);
  }
  ~IsolatedMapping() { ::munmap(base_, size_ + 2 * page_); }
  IsolatedMapping(const IsolatedMapping&) = delete;
  IsolatedMapping& operator=(const IsolatedMapping&) = delete;

  char* data() const { return base_ + page_; }

  // Whether one of the maps lines is this mapping's.
  bool among(const std::vector<std::string>& lines) const {
    char start[32];
    std::snprintf(start, sizeof start, "%08" PRIxPTR "-", reinterpret_cast<std::uintptr_t>(data()));
    for (const auto& line : lines)
      if (line.rfind(start, 0) == 0) return true;
    return false;
  }

 private:
  std::size_t size_;
  std::size_t page_;
  char* base_ = nullptr;
};

}  // namespace

TEST_CASE("Text and chunk counting find a marker however it is cut", "[confidentiality]") {
  const std::string marker = random_marker("scan-marker-");

  SECTION("whole texts") {
    CHECK(count_in_text("", marker) == 0);
    CHECK(count_in_text("abc", "") == 0);
    CHECK(count_in_text("x" + marker + "y" + marker, marker) == 2);
    CHECK(count_in_text(marker.substr(0, marker.size() - 1), marker) == 0);
    CHECK(count_in_text("aaaa", "aa") == 3);  // Overlaps count.
  }

  SECTION("split between two pieces, at every position") {
    const std::string before = "some bytes before ";
    const std::string after = " and after";
    const std::string text = before + marker + after;
    for (std::size_t cut = 0; cut <= text.size(); ++cut) {
      INFO("cut at " << cut);
      const std::string_view whole(text);
      CHECK(count_in_chunks({whole.substr(0, cut), whole.substr(cut)}, marker) == 1);
    }
  }

  SECTION("split over three pieces, the middle one shorter than the marker") {
    const std::string_view m(marker);
    CHECK(count_in_chunks({m.substr(0, 3), m.substr(3, 5), m.substr(8)}, marker) == 1);
    CHECK(count_in_chunks({"", m.substr(0, 1), "", m.substr(1)}, marker) == 1);
  }

  SECTION("1 MiB pieces: markers at their ends, and straddling their borders") {
    std::string first(kMiB, 'a');
    std::string second(kMiB, 'b');
    first.replace(first.size() - marker.size(), marker.size(), marker);  // Ends the first piece.
    second.replace(0, marker.size(), marker);                            // Starts the second.
    CHECK(count_in_chunks({first, second}, marker) == 2);

    std::string stream(3 * kMiB, 'c');
    stream.replace(kMiB - 5, marker.size(), marker);
    stream.replace(2 * kMiB - marker.size() + 1, marker.size(), marker);
    const std::string_view s(stream);
    CHECK(count_in_chunks({s.substr(0, kMiB), s.substr(kMiB, kMiB), s.substr(2 * kMiB)}, marker) == 2);
  }

  SECTION("nothing matches across a break in the stream") {
    StreamCounter counter(marker);
    counter.feed(std::string_view(marker).substr(0, 6));
    counter.break_stream();
    counter.feed(std::string_view(marker).substr(6));
    CHECK(counter.count() == 0);
  }
}

TEST_CASE("count_in_directory reads every file under a directory", "[confidentiality]") {
  const std::string marker = random_marker("scan-marker-");
  const std::string absent = random_marker("scan-absent-");
  TempDir dir;
  TempDir outside;
  write_file(dir.path() / "top.txt", "before " + marker + " after");
  write_file(dir.path() / "a" / "b" / "deep.bin", marker + std::string(10, '\0') + marker);
  write_file(dir.path() / "a" / "clean.txt", "nothing to see");
  write_file(dir.path() / "empty", "");
  // Split across the 1 MiB border at which files are read.
  std::string big(3 * kMiB, 'z');
  big.replace(kMiB - 7, marker.size(), marker);
  write_file(dir.path() / "big.bin", big);
  // A link out of the directory is not followed.
  write_file(outside.path() / "elsewhere.txt", marker);
  std::filesystem::create_symlink(outside.path() / "elsewhere.txt", dir.path() / "link.txt");

  CHECK(count_in_directory(dir.path(), marker) == 4);
  CHECK(count_in_directory(dir.path() / "a", marker) == 2);
  CHECK(count_in_directory(dir.path(), absent) == 0);
  CHECK(count_in_directory(dir.path() / "no-such-directory", marker) == 0);
}

TEST_CASE("The memory scanner reads across chunk borders and into sparse mappings", "[confidentiality]") {
  // The test process scans itself: the marker is also in its heap (and in
  // the scanner's buffer), so what counts is that the planted mappings are
  // among those where hits were found.
  const std::string marker = random_marker("scan-marker-");
  const std::size_t half = marker.size() / 2;

  // 3 MiB, read whole; the marker straddles the first 1 MiB chunk border.
  IsolatedMapping small(3 * kMiB);
  std::memcpy(small.data() + kMiB - half, marker.data(), marker.size());
  // 512 MiB, nearly all of it never touched: read through the page map.
  // The marker straddles a chunk border 300 MiB in, on two present pages.
  IsolatedMapping sparse(512 * kMiB);
  std::memcpy(sparse.data() + 300 * kMiB - half, marker.data(), marker.size());

  const MemoryScan scan = scan_process_memory(::getpid(), marker);
  INFO(describe(scan));
  CHECK(small.among(scan.where));
  CHECK(sparse.among(scan.where));
  // Had the sparse mapping been read whole, this alone would be 512 MiB.
  CHECK(scan.bytes_read < 512 * kMiB);
}

TEST_CASE("ServerProcess says why a server did not come up", "[confidentiality]") {
  using Catch::Matchers::Contains;
  REQUIRE_THROWS_WITH(ServerProcess({"--no-such-flag", "x"}),
                      Contains("did not come up") && Contains("unknown option: --no-such-flag"));
}

TEST_CASE("The memory scanner finds what the server holds and nothing it was never given", "[confidentiality]") {
  ServerProcess server;
  const std::string marker = random_marker("scan-marker-");
  const std::string absent = random_marker("scan-absent-");

  sdk::SessionRequest request;
  request.name = marker;
  request.format = "balint";
  request.invitees = {invitee("fac", "Dr Ada", "facilitator"), invitee("p1", "Ben", "participant")};
  const auto created = server.admin().create_session(request);
  REQUIRE(server.admin().get_session(created.session_id).name() == marker);

  SECTION("the session name is in the server's memory") {
    const MemoryScan scan = scan_process_memory(server.pid(), marker);
    INFO(describe(scan));
    CHECK(scan.hits > 0);
    CHECK(scan.regions_read > 0);
    CHECK(scan.bytes_read > kMiB);  // It really read memory.
  }

  SECTION("so is the admin secret, which the data directory holds too") {
    REQUIRE(server.admin_secret().size() >= 16);
    const MemoryScan scan = scan_process_memory(server.pid(), server.admin_secret());
    INFO(describe(scan));
    CHECK(scan.hits > 0);
    CHECK(count_in_directory(server.data_dir(), server.admin_secret()) == 1);
  }

  SECTION("a marker never sent to the server is nowhere") {
    const MemoryScan scan = scan_process_memory(server.pid(), absent);
    INFO(describe(scan));
    CHECK(scan.hits == 0);
    CHECK(scan.where.empty());
    CHECK(scan.bytes_read > kMiB);
    CHECK(count_in_text(server.log(), absent) == 0);
    CHECK(count_in_directory(server.data_dir(), absent) == 0);
  }

  SECTION("the log names the session by id, not by name") {
    const std::string log = server.log();
    INFO(log);
    CHECK(count_in_text(log, created.session_id) > 0);
    CHECK(count_in_text(log, marker) == 0);
  }

  CHECK(server.stop() == 0);  // SIGTERM ends it cleanly.
}

}  // namespace balint::test
