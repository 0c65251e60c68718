// What the server keeps across a restart, behind one narrow interface: every
// session's record (see proto/balint/record/v1) and the invitees the admin
// API minted links for; never chat, media or keys. The embedded default is
// SQLite (sqlite_store.hpp); tests use a fake.
//
// A store is called from one thread only, the store thread (see
// store_thread.hpp), and from startup before any worker runs: its calls may
// block on the disk, never a worker's event loop.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace balint::app {

struct StoredInvitee {
  std::string participant_id;
  std::string display_name;
  std::string role;  // As the join token carries it.
};

// One session's whole record as of `version`.
struct SessionWrite {
  std::string session_id;
  std::uint64_t version = 0;
  bool ended = false;
  std::string record;  // balint.record.v1.RoomRecord
};

class Store {
 public:
  virtual ~Store() = default;

  // Replaces each session's record, all of them or none (one transaction).
  // True once they would survive the process being killed.
  virtual bool save_sessions(const std::vector<SessionWrite>& writes) = 0;
  // Forgets a session and its invitees.
  virtual bool delete_session(const std::string& session_id) = 0;
  // Adds the session's invitees; one invited again keeps their place and
  // takes the new name and role.
  virtual bool save_invitees(const std::string& session_id, const std::vector<StoredInvitee>& invitees) = 0;

  // Every session's record, oldest session first. Throws std::runtime_error
  // when the store cannot be read.
  virtual std::vector<std::string> session_records() const = 0;
  virtual std::vector<StoredInvitee> invitees(const std::string& session_id) const = 0;  // In order of invitation.

  // Where it keeps things, for the log (a path, an address).
  virtual std::string where() const = 0;
};

}  // namespace balint::app
