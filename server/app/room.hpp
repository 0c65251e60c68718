// One running session on the network: the engine, the connections of its
// members, and the timer that raises its warnings.
//
// A room lives on one worker thread; every method except the ones marked
// "any thread" runs there, so neither the engine nor the connections need a
// lock.
#pragma once

#include "auth/token.hpp"
#include "core/session.hpp"
#include "net/limits.hpp"
#include "net/ws_connection.hpp"

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace balint::app {

// What the admin API lists without visiting the room's thread.
struct RoomSummary {
  std::string session_id;
  std::string name;
  std::string format_id;
  int phase_index = -1;
  bool ended = false;
  std::size_t members = 0;     // Roster entries.
  std::size_t connections = 0; // Open WebSocket connections.
};

class Room : public net::WsHandler, public std::enable_shared_from_this<Room> {
 public:
  Room(net::asio::io_context& worker, core::Session session, net::Limits limits);

  net::asio::io_context& worker() { return worker_; }

  // Any thread: runs `task` on the room's thread.
  void post(std::function<void(Room&)> task);

  // Any thread: takes over an upgrade request whose token was verified.
  void admit(net::tcp::socket socket, net::Request request, auth::JoinClaims claims, core::v1::Role role);

  // Ends the session for everyone (admin API).
  void end_session();
  // Says goodbye to every member (the server is stopping).
  void shut_down(const std::string& reason);

  core::v1::SessionState snapshot() const;

  // Any thread.
  RoomSummary summary() const;
  std::size_t open_connections() const { return open_connections_.load(); }

  // net::WsHandler
  void on_open(net::WsConnection& connection) override;
  void on_message(net::WsConnection& connection, std::string_view bytes, bool binary) override;
  void on_closed(net::WsConnection& connection) override;

 private:
  void handle_command(net::WsConnection& connection, std::uint64_t request_id, const core::v1::Command& command);
  void relay_media(net::WsConnection& connection, const core::v1::MediaUpload& media);
  void reply(net::WsConnection& connection, std::uint64_t request_id, core::v1::ErrorCode code,
             const std::string& message);
  // After an accepted change: broadcast, then enact.
  void publish(const core::Outcome& outcome);
  // Sends the new state and the change's events to every member.
  void broadcast(const core::Outcome& outcome);
  // Carries out what the events mean for connections (removals, the end)
  // and re-arms the warning timer.
  void enact(const core::Outcome& outcome);
  void say_goodbye(net::WsConnection& connection, const std::string& reason);
  void schedule_tick();
  void update_summary(const core::v1::SessionState& state);

  net::asio::io_context& worker_;
  core::Session session_;
  net::Limits limits_;
  net::asio::steady_timer tick_timer_;
  std::unordered_map<std::string, std::shared_ptr<net::WsConnection>> connections_;  // By participant id.
  std::uint64_t dropped_frames_ = 0;  // Media refused by the speaking rule.

  mutable std::mutex summary_mutex_;
  RoomSummary summary_;
  std::atomic<std::size_t> open_connections_{0};
};

}  // namespace balint::app
