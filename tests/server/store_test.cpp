// The embedded store on its own: what is saved is read back by a new
// Store over the same directory, in WAL mode, readable by its owner only.
#include "app/sqlite_store.hpp"

#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

namespace {

namespace fs = std::filesystem;
using balint::app::SqliteStore;
using balint::app::StoredInvitee;

struct ScratchDir {
  ScratchDir() : path(fs::temp_directory_path() / ("balint-store-" + std::to_string(std::random_device{}()))) {}
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path path;
};

std::string journal_mode(const std::string& db_path) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &statement, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(statement) == SQLITE_ROW);
  std::string mode(reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)));
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return mode;
}

TEST_CASE("Store: records and invitees are read back after a reopen", "[store]") {
  ScratchDir dir;
  const std::string binary("rec\0ord", 7);  // Records are protobuf bytes, zeros included.
  {
    SqliteStore store(dir.path.string());
    CHECK(store.session_records().empty());
    REQUIRE(store.save_sessions({{"s1", 1, false, "first"}}));
    REQUIRE(store.save_sessions({{"s2", 1, false, "other"}}));
    REQUIRE(store.save_sessions({{"s1", 2, false, binary}}));  // Replaces s1's.
    REQUIRE(store.save_invitees("s1", {{"fac", "Dr Ada", "facilitator"}, {"p1", "Ben", "participant"}}));
    REQUIRE(store.save_invitees("s1", {{"p1", "Ben B.", "participant"}, {"p2", "Cy", "participant"}}));
  }
  SqliteStore reopened(dir.path.string());
  CHECK(reopened.session_records() == std::vector<std::string>{binary, "other"});
  const auto invitees = reopened.invitees("s1");
  REQUIRE(invitees.size() == 3);
  CHECK(invitees[0].participant_id == "fac");
  CHECK(invitees[1].participant_id == "p1");  // Invited again: the same place, the new name.
  CHECK(invitees[1].display_name == "Ben B.");
  CHECK(invitees[2].participant_id == "p2");
  CHECK(reopened.invitees("s2").empty());

  REQUIRE(reopened.delete_session("s1"));
  CHECK(reopened.session_records() == std::vector<std::string>{"other"});
  CHECK(reopened.invitees("s1").empty());
}

TEST_CASE("Store: records saved together are all written, or none of them", "[store]") {
  ScratchDir dir;
  SqliteStore store(dir.path.string());
  REQUIRE(store.save_sessions({{"s1", 1, false, "one"}, {"s2", 1, false, "two"}, {"s1", 2, false, "one, later"}}));
  CHECK(store.session_records() == std::vector<std::string>{"one, later", "two"});
  // A statement that fails in the middle (a trigger refuses s3) takes the whole batch back.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(store.path().c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "CREATE TRIGGER refuse_s3 BEFORE INSERT ON sessions WHEN NEW.id = 's3' "
                           "BEGIN SELECT RAISE(ABORT, 'refused'); END", nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  CHECK_FALSE(store.save_sessions({{"s1", 3, false, "one, lost"}, {"s3", 1, false, "three"}}));
  CHECK(store.session_records() == std::vector<std::string>{"one, later", "two"});
}

TEST_CASE("Store: the database is in WAL mode and only its owner may read it", "[store]") {
  ScratchDir dir;
  SqliteStore store((dir.path / "nested").string());
  REQUIRE(store.save_sessions({{"s1", 1, false, "record"}}));
  CHECK(store.path() == (dir.path / "nested" / "balint.db").string());
  CHECK(journal_mode(store.path()) == "wal");
  const auto perms = fs::status(store.path()).permissions();
  CHECK((perms & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none);
}

TEST_CASE("Store: every file it writes (database, log, shared memory) is its owner's alone, whatever the umask",
          "[store]") {
  ScratchDir dir;
  const mode_t previous = ::umask(022);  // The usual default, which left the log readable by all.
  {
    SqliteStore store(dir.path.string());
    REQUIRE(store.save_sessions({{"s1", 1, false, "record"}}));
    REQUIRE(store.save_invitees("s1", {{"p1", "Ada", "participant"}}));
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir.path)) {
      names.push_back(entry.path().filename().string());
      INFO(entry.path());
      CHECK((entry.status().permissions() & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none);
    }
    std::sort(names.begin(), names.end());
    CHECK(names == std::vector<std::string>{"balint.db", "balint.db-shm", "balint.db-wal"});
  }
  ::umask(previous);
}

TEST_CASE("Store: files an older version left readable by others are closed to them at open", "[store]") {
  ScratchDir dir;
  { SqliteStore store(dir.path.string()); }
  for (const char* name : {"balint.db", "balint.db-wal", "balint.db-shm"}) {
    std::ofstream(dir.path / name, std::ios::app).flush();
    fs::permissions(dir.path / name, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                                         fs::perms::others_read);
  }
  SqliteStore store(dir.path.string());
  for (const char* name : {"balint.db", "balint.db-wal", "balint.db-shm"}) {
    INFO(name);
    CHECK((fs::status(dir.path / name).permissions() & (fs::perms::group_all | fs::perms::others_all)) ==
          fs::perms::none);
  }
}

TEST_CASE("Store: a data directory that cannot hold it is refused with the reason", "[store]") {
  ScratchDir dir;
  fs::create_directories(dir.path);
  const auto blocker = dir.path / "file";
  { std::ofstream(blocker) << "not a directory"; }
  try {
    SqliteStore store(blocker.string());
    FAIL("a store inside a file was opened");
  } catch (const std::runtime_error& error) {
    CHECK(std::string(error.what()).find("cannot open the store") != std::string::npos);
  }
}

}  // namespace
