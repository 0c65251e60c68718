#include "app/sqlite_store.hpp"

#include "app/clock.hpp"
#include "app/log.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>

namespace balint::app {
namespace {

constexpr const char* kSchema = R"(
CREATE TABLE IF NOT EXISTS sessions (
  id         TEXT PRIMARY KEY,
  created_ms INTEGER NOT NULL,
  version    INTEGER NOT NULL,
  ended      INTEGER NOT NULL,
  record     BLOB NOT NULL  -- balint.record.v1.RoomRecord
);
CREATE TABLE IF NOT EXISTS invitees (
  session_id     TEXT NOT NULL,
  participant_id TEXT NOT NULL,
  display_name   TEXT NOT NULL,
  role           TEXT NOT NULL,
  PRIMARY KEY (session_id, participant_id)
);
)";

}  // namespace

// One prepared statement, finalized on scope exit.
class StoreStatement {
 public:
  StoreStatement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &statement_, nullptr) != SQLITE_OK)
      throw std::runtime_error(std::string("store: cannot prepare a statement: ") + sqlite3_errmsg(db));
  }
  ~StoreStatement() { sqlite3_finalize(statement_); }
  StoreStatement(const StoreStatement&) = delete;
  StoreStatement& operator=(const StoreStatement&) = delete;

  StoreStatement& bind(int index, const std::string& text) {
    sqlite3_bind_text(statement_, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
    return *this;
  }
  StoreStatement& bind_blob(int index, const std::string& bytes) {
    sqlite3_bind_blob(statement_, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
    return *this;
  }
  StoreStatement& bind(int index, std::int64_t number) {
    sqlite3_bind_int64(statement_, index, number);
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return sqlite3_step(statement_); }
  void reset() {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }
  std::string column(int index) const {
    const auto* data = static_cast<const char*>(sqlite3_column_blob(statement_, index));
    return data ? std::string(data, static_cast<std::size_t>(sqlite3_column_bytes(statement_, index))) : std::string();
  }
  const char* error() const { return sqlite3_errmsg(db_); }

 private:
  sqlite3* db_;
  sqlite3_stmt* statement_ = nullptr;
};

SqliteStore::SqliteStore(const std::string& data_dir) : path_((std::filesystem::path(data_dir) / "balint.db").string()) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  keep_to_owner();
  // One thread at a time calls a store (see store.hpp): no mutex of SQLite's own.
  if (sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                      nullptr) != SQLITE_OK) {
    const std::string reason = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw std::runtime_error("cannot open the store " + path_ + ": " + reason);
  }
  sqlite3_busy_timeout(db_, 5000);
  try {
    // WAL with synchronous=NORMAL: a commit is in the log file (and so in
    // the operating system's hands) when it returns, which a killed process
    // cannot take back; an fsync per commit would only add power-loss
    // safety at several milliseconds a change.
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=NORMAL");
    // What is deleted (an erased session, a replaced record) is overwritten,
    // not left in free pages.
    exec("PRAGMA secure_delete=ON");
    exec(kSchema);
    save_session_ = std::make_unique<StoreStatement>(db_, R"(
      INSERT INTO sessions (id, created_ms, version, ended, record) VALUES (?1, ?2, ?3, ?4, ?5)
      ON CONFLICT (id) DO UPDATE SET version = excluded.version, ended = excluded.ended, record = excluded.record)");
  } catch (...) {
    sqlite3_close(db_);
    throw;
  }
}

// SQLite gives the log and shared-memory files it makes the database
// file's mode, so a database created 0600 keeps all three to the owner,
// whatever the umask; files left by an older version are closed here too.
void SqliteStore::keep_to_owner() const {
  const int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0) ::close(fd);
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    std::error_code ec;
    const std::filesystem::path file = path_ + suffix;
    if (std::filesystem::exists(file, ec))
      std::filesystem::permissions(file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
                                   std::filesystem::perm_options::replace, ec);
  }
}

SqliteStore::~SqliteStore() {
  save_session_.reset();
  sqlite3_exec(db_, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr, nullptr, nullptr);
  sqlite3_close(db_);
}

void SqliteStore::exec(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string reason = error ? error : "unknown error";
    sqlite3_free(error);
    throw std::runtime_error("store " + path_ + ": " + reason);
  }
}

template <typename Body>
bool SqliteStore::transaction(const Body& body) {
  if (sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK) {
    log(LogLevel::error, "store: cannot begin a transaction: ", sqlite3_errmsg(db_));
    return false;
  }
  if (body() && sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK) return true;
  sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  return false;
}

// Many rooms' changes in one commit: the log is written and synced once for
// all of them.
bool SqliteStore::save_sessions(const std::vector<SessionWrite>& writes) {
  return transaction([&] {
    StoreStatement& upsert = *save_session_;
    for (const auto& write : writes) {
      upsert.bind(1, write.session_id).bind(2, now_ms()).bind(3, static_cast<std::int64_t>(write.version));
      upsert.bind(4, std::int64_t{write.ended}).bind_blob(5, write.record);
      const bool saved = upsert.step() == SQLITE_DONE;
      if (!saved) log(LogLevel::error, "store: cannot save session ", write.session_id, ": ", upsert.error());
      upsert.reset();  // Its bindings point into the caller's strings.
      if (!saved) return false;
    }
    return true;
  });
}

bool SqliteStore::delete_session(const std::string& session_id) {
  return transaction([&] {
    for (const char* sql : {"DELETE FROM sessions WHERE id = ?1", "DELETE FROM invitees WHERE session_id = ?1"}) {
      StoreStatement remove(db_, sql);
      remove.bind(1, session_id);
      if (remove.step() != SQLITE_DONE) {
        log(LogLevel::error, "store: cannot delete session ", session_id, ": ", remove.error());
        return false;
      }
    }
    return true;
  });
}

bool SqliteStore::save_invitees(const std::string& session_id, const std::vector<StoredInvitee>& invitees) {
  return transaction([&] {
    StoreStatement insert(db_, R"(
      INSERT INTO invitees (session_id, participant_id, display_name, role) VALUES (?1, ?2, ?3, ?4)
      ON CONFLICT (session_id, participant_id) DO UPDATE SET display_name = excluded.display_name, role = excluded.role)");
    for (const auto& invitee : invitees) {
      insert.bind(1, session_id).bind(2, invitee.participant_id).bind(3, invitee.display_name).bind(4, invitee.role);
      if (insert.step() != SQLITE_DONE) {
        log(LogLevel::error, "store: cannot save the invitees of session ", session_id, ": ", insert.error());
        return false;
      }
      insert.reset();
    }
    return true;
  });
}

std::vector<std::string> SqliteStore::session_records() const {
  StoreStatement select(db_, "SELECT record FROM sessions ORDER BY created_ms, id");
  std::vector<std::string> records;
  int status = SQLITE_OK;
  while ((status = select.step()) == SQLITE_ROW) records.push_back(select.column(0));
  if (status != SQLITE_DONE) throw std::runtime_error("store " + path_ + ": cannot read sessions: " + select.error());
  return records;
}

std::vector<StoredInvitee> SqliteStore::invitees(const std::string& session_id) const {
  StoreStatement select(db_, "SELECT participant_id, display_name, role FROM invitees WHERE session_id = ?1 "
                        "ORDER BY rowid");
  select.bind(1, session_id);
  std::vector<StoredInvitee> invitees;
  while (select.step() == SQLITE_ROW) invitees.push_back({select.column(0), select.column(1), select.column(2)});
  return invitees;
}

}  // namespace balint::app
