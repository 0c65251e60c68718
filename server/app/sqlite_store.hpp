// The embedded store: one SQLite database, data_dir/balint.db, in WAL mode.
//
// A write returns once SQLite has committed it to the database's write-ahead
// log, so that a record saved before its change is broadcast survives the
// process being killed.
#pragma once

#include "app/store.hpp"

#include <memory>

struct sqlite3;

namespace balint::app {

class StoreStatement;

class SqliteStore final : public Store {
 public:
  // Opens data_dir/balint.db, creating it and its tables if need be.
  // Throws std::runtime_error with SQLite's reason.
  explicit SqliteStore(const std::string& data_dir);
  ~SqliteStore() override;  // Checkpoints the log into the database and closes it.

  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  bool save_sessions(const std::vector<SessionWrite>& writes) override;
  bool delete_session(const std::string& session_id) override;
  bool save_invitees(const std::string& session_id, const std::vector<StoredInvitee>& invitees) override;
  std::vector<std::string> session_records() const override;
  std::vector<StoredInvitee> invitees(const std::string& session_id) const override;
  std::string where() const override { return path_; }

  const std::string& path() const { return path_; }

 private:
  void exec(const char* sql);
  // Runs `body` between BEGIN and COMMIT; rolls back when it returns false.
  template <typename Body>
  bool transaction(const Body& body);
  // Creates the database file 0600 if need be, and closes every file of it
  // to group and others.
  void keep_to_owner() const;

  std::string path_;
  sqlite3* db_ = nullptr;
  // The statement behind every change, prepared once.
  std::unique_ptr<StoreStatement> save_session_;
};

}  // namespace balint::app
