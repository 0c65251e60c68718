// One running session on the network: the room's rules (room_protocol.hpp)
// carried out with real connections, a timer and the store thread.
//
// A room lives on one worker thread; every method except the ones marked
// "any thread" runs there, so neither the protocol nor the connections need
// a lock.
#pragma once

#include "app/room_protocol.hpp"
#include "app/store_thread.hpp"
#include "net/ws_connection.hpp"

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace balint::app {

class Room : public net::WsHandler, public std::enable_shared_from_this<Room> {
 public:
  // A room whose record is not written yet: a new session's creator asks
  // when_durable() before telling anyone of it.
  Room(net::asio::io_context& worker, core::Session session, net::Limits limits, std::shared_ptr<StoreThread> store);

  // The room a stored record describes, after a restart (see
  // RoomProtocol::restore). Null with `error` set when the record does not
  // hold together.
  static std::shared_ptr<Room> restore(net::asio::io_context& worker, const std::string& record_bytes,
                                       net::Limits limits, std::shared_ptr<StoreThread> store, std::string& error);

  net::asio::io_context& worker() { return worker_; }

  // Any thread: runs `task` on the room's thread.
  void post(std::function<void(Room&)> task);

  // Any thread: takes over an upgrade request whose token was verified.
  // `token_fingerprint` names the token (its jti, or its signature), so
  // that it can be revoked.
  void admit(net::Transport transport, net::Request request, auth::JoinClaims claims, core::v1::Role role,
             std::string token_fingerprint);
  // Any thread: takes over an upgrade request that presented a resume
  // credential for `participant_id`; `secret` is its last part.
  void resume(net::Transport transport, net::Request request, std::string participant_id, std::string secret);

  // See RoomProtocol; for the join check, on the room's thread.
  std::optional<JoinRefusal> admission_problem(const auth::JoinClaims& claims, core::v1::Role role,
                                               const std::string& token_fingerprint) const {
    return protocol_.admission_problem(claims, role, token_fingerprint);
  }
  std::optional<JoinRefusal> resume_problem(const std::string& participant_id, const std::string& secret) const {
    return protocol_.resume_problem(participant_id, secret);
  }
  const core::v1::Member* member(const std::string& participant_id) const { return protocol_.member(participant_id); }

  // Calls `done(durable)` on the room's thread once everything the room
  // holds now is durable, or the write of it failed.
  void when_durable(std::function<void(bool durable)> done);
  // Ends the session for everyone (admin API).
  void end_session();
  // See RoomProtocol::shut_down.
  void shut_down();

  core::v1::SessionState snapshot() const;

  // Any thread.
  RoomSummary summary() const;
  std::size_t open_connections() const { return open_connections_.load(); }

  // net::WsHandler
  void on_open(net::WsConnection& connection) override;
  void on_message(net::WsConnection& connection, std::string_view bytes, bool binary) override;
  void on_closed(net::WsConnection& connection) override;

 private:
  Room(net::asio::io_context& worker, RoomProtocol protocol, std::shared_ptr<StoreThread> store);

  // An upgrade request the protocol has not answered yet.
  struct Upgrade {
    std::shared_ptr<net::Transport> transport;
    net::Request request;
  };

  // Gives the protocol one input and carries out what it says.
  template <typename Input>
  void step(Input&& input);
  void carry_out(Now now);
  // The end of every step: a write at the end of the turn, the summary, the timer.
  void after_step(Now now);
  void carry_out(const effect::Send& send, Now now);
  void carry_out(const effect::Close& close, Now now);
  void carry_out(const effect::Accept& accept, Now now);
  void carry_out(const effect::Refuse& refuse, Now now);
  void carry_out(const effect::Persist& persist, Now now);
  void carry_out(const effect::DropWaitingVideo& drop, Now now);
  void on_written(std::uint64_t write, std::uint64_t version, bool durable);
  // Arms the timer for the protocol's next wake-up, when it moved.
  void schedule_wake(Now now);
  void update_summary();
  LinkId link_of(const net::WsConnection& connection) const;

  net::asio::io_context& worker_;
  RoomProtocol protocol_;
  std::shared_ptr<StoreThread> store_;
  Effects effects_;  // Reused by every step.
  std::size_t carried_out_ = 0;  // Of effects_, in the step under way.
  LinkId next_link_ = 1;
  std::unordered_map<LinkId, Upgrade> upgrades_;
  std::unordered_map<LinkId, std::shared_ptr<net::WsConnection>> connections_;
  std::unordered_map<const net::WsConnection*, LinkId> links_;
  bool flush_posted_ = false;  // protocol_.flush() comes at the end of this turn.
  std::vector<std::pair<std::uint64_t, std::function<void(bool)>>> durable_waiters_;
  net::asio::steady_timer wake_timer_;
  std::optional<std::chrono::steady_clock::time_point> wake_due_;
  std::uint64_t summarized_version_ = 0;  // The session's version in summary_.

  mutable std::mutex summary_mutex_;
  RoomSummary summary_;
  std::atomic<std::size_t> open_connections_{0};
};

}  // namespace balint::app
