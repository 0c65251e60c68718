// The embedded store: one SQLite database, data_dir/balint.db, in WAL mode.
// It holds every session's record (see proto/balint/record/v1) and the
// invitees the admin API minted links for; never chat, media or keys.
//
// A write returns once SQLite has committed it to the database's write-ahead
// log, so that a record saved before its change is broadcast survives the
// process being killed. Any thread: one connection, behind a mutex.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

struct sqlite3;

namespace balint::app {

class StoreStatement;

struct StoredInvitee {
  std::string participant_id;
  std::string display_name;
  std::string role;  // As the join token carries it.
};

class Store {
 public:
  // Opens data_dir/balint.db, creating it and its tables if need be.
  // Throws std::runtime_error with SQLite's reason.
  explicit Store(const std::string& data_dir);
  ~Store();  // Checkpoints the log into the database and closes it.

  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Replaces the session's record. False (and logged) if SQLite failed; the
  // next save of the same session carries the whole state again.
  bool save_session(const std::string& session_id, std::uint64_t version, bool ended, const std::string& record);
  // Forgets a session and its invitees.
  bool delete_session(const std::string& session_id);
  // Adds the session's invitees; one invited again keeps their place and
  // takes the new name and role.
  bool save_invitees(const std::string& session_id, const std::vector<StoredInvitee>& invitees);

  // Every session's record, oldest session first.
  std::vector<std::string> session_records() const;
  std::vector<StoredInvitee> invitees(const std::string& session_id) const;  // In order of invitation.

  const std::string& path() const { return path_; }

 private:
  void exec(const char* sql);
  // Creates the database file 0600 if need be, and closes every file of it
  // to group and others.
  void keep_to_owner() const;

  std::string path_;
  mutable std::mutex mutex_;
  sqlite3* db_ = nullptr;
  // The statement behind every change, prepared once.
  std::unique_ptr<StoreStatement> save_session_;
};

}  // namespace balint::app
