// One running session on the network: the engine, the connections of its
// members, and the timer that raises its warnings and removes members whose
// reconnect grace ran out.
//
// A room lives on one worker thread; every method except the ones marked
// "any thread" runs there, so neither the engine nor the connections need a
// lock.
//
// What any member saw is on disk: the room hands its record to the store
// thread after each turn that changed it, and holds everything it would
// tell its members (state, events, answers, chat, keys, goodbyes) until
// that write is durable, in order. Media is not held: it shows no change.
#pragma once

#include "app/camera_feeds.hpp"
#include "app/key_frame_throttle.hpp"
#include "app/store_thread.hpp"
#include "auth/token.hpp"
#include "core/session.hpp"
#include "net/limits.hpp"
#include "net/token_bucket.hpp"
#include "net/ws_connection.hpp"

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
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

// Why a join is refused: the HTTP status and {"error":{"code","message"}}
// that the upgrade (and the join check, GET /api/v1/join) answers with.
struct JoinRefusal {
  net::http::status status;
  std::string code;
  std::string message;
};

// A resume credential whose secret does not match, for whatever reason
// (no such session, member or secret): one answer for all of them.
inline JoinRefusal resume_refused() {
  return {net::http::status::unauthorized, "resume_refused",
          "this resume credential is not (or no longer) valid: join with the link"};
}

// Who may come in again: the tokens members joined with and the ones a
// facilitator revoked, and each member's current resume credential.
struct Admissions {
  std::unordered_map<std::string, std::set<std::string>> tokens_used;  // By participant id.
  std::set<std::string> revoked_tokens;
  std::unordered_map<std::string, std::string> resume_hashes;  // BLAKE2b-256, by participant id.
};

class Room : public net::WsHandler, public std::enable_shared_from_this<Room> {
 public:
  // A room whose record is not written yet: a new session's creator asks
  // when_durable() before telling anyone of it.
  Room(net::asio::io_context& worker, core::Session session, net::Limits limits, std::shared_ptr<StoreThread> store,
       Admissions admissions = {});

  // The room a stored record describes, after a restart at `now` (see
  // core::Session::restore); its members may resume with the credential
  // their last connection was given. Null with `error` set when the record
  // does not hold together.
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

  // Why a member with these verified claims could not be admitted now, or
  // nothing if they could: a revoked token, or what the engine's join would
  // refuse (the session ended or full, a bad id or name). Changes nothing.
  // admit() asks this; so does the join check, on the room's thread.
  std::optional<JoinRefusal> admission_problem(const auth::JoinClaims& claims, core::v1::Role role,
                                               const std::string& token_fingerprint) const;

  // Any thread: takes over an upgrade request that presented a resume
  // credential for `participant_id`; `secret` is its last part.
  void resume(net::Transport transport, net::Request request, std::string participant_id, std::string secret);
  // Why that credential would be refused now, or nothing; changes nothing.
  std::optional<JoinRefusal> resume_problem(const std::string& participant_id, const std::string& secret) const;
  // The roster entry of a member, for the join check's answer.
  const core::v1::Member* member(const std::string& participant_id) const { return session_.member(participant_id); }

  // Writes the room's record as it is now and calls `done(durable)` on the
  // room's thread once the store answered.
  void when_durable(std::function<void(bool durable)> done);

  // Ends the session for everyone (admin API).
  void end_session();
  // Says goodbye to every member, telling them the server is restarting,
  // and from then on changes nothing: the store keeps the state as it was,
  // connections still open included, for the restart to restore.
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
  // What the room keeps for each member's live connection.
  struct Link {
    // A message allowance, and how many were refused since the last one let through.
    struct Budget {
      net::TokenBucket bucket;
      std::uint32_t refused_in_a_row = 0;
    };
    Link(std::shared_ptr<net::WsConnection> connection, const net::Limits& limits,
         std::chrono::steady_clock::time_point now)
        : connection(std::move(connection)), commands{{limits.commands, now}}, media{{limits.media, now}} {}

    std::shared_ptr<net::WsConnection> connection;
    Budget commands;
    Budget media;
    std::uint64_t last_request_id = 0;
    // The key epoch whose sender keys this connection last handed out.
    std::uint64_t keys_handed_out = 0;
    // As a receiver of video: what it can decode of each camera, and
    // whether it asked for none (audio only).
    CameraFeeds cameras;
    bool video_paused = false;
    // As a sender of video: the key frames asked of it, and whether its
    // last camera frame was held back by the rule.
    KeyFrameThrottle key_frames;
    bool camera_held = false;
  };
  enum class Traffic { command, media };

  // Whether `link` may send one more message of this kind now; see limits
  // in the README. Answers or closes as the limits say when it may not.
  bool within_rate(Link& link, Traffic traffic, std::uint64_t request_id);
  // Joins (or rejoins) the member and takes the connection over.
  void enter(net::Transport& transport, net::Request request, const std::string& participant_id,
             const std::string& display_name, core::v1::Role role);
  void refuse_entry(net::Transport& transport, const net::Request& request, const std::string& participant_id,
                    const JoinRefusal& refusal);
  void handle_command(Link& link, std::uint64_t request_id, const core::v1::Command& command);
  void revoke_tokens_of(const std::string& participant_id);
  bool may_forward(const std::string& sender_id, std::uint32_t track) const;
  void relay_media(Link& link, const core::v1::MediaUpload& media);
  // Camera frames (room_cameras.cpp): forwarded by the rule and the clear
  // header, to each receiver that can decode them; key frames asked for
  // where one is missing.
  void relay_camera(Link& sender, const net::ws::SharedFrame& bytes, CameraFlags flags);
  void request_key_frame(Link& from, const core::v1::RequestKeyFrame& request);
  void set_video_reception(Link& link, std::uint64_t request_id, const core::v1::VideoReception& reception);
  // Asks `sender` for a key frame now, or as soon as its throttle allows.
  void ask_key_frame(Link& sender);
  // Wakes the room at `due` (or earlier, if it wakes earlier anyway) to ask
  // the senders whose requests are due then.
  void wake_for_key_frame(KeyFrameThrottle::Clock::time_point due);
  void ask_due_key_frames();
  void answer_heartbeat(net::WsConnection& connection);
  void relay_chat(net::WsConnection& connection, std::uint64_t request_id, const core::v1::ChatUpload& chat);
  void relay_sender_keys(Link& link, std::uint64_t request_id, const core::v1::SenderKeysUpload& upload);
  // Answers a refused key-exchange message, charging it to the command
  // budget (accepted ones are bounded by the protocol instead).
  void refuse_key_exchange(Link& link, std::uint64_t request_id, const core::Outcome& verdict);
  void reply(net::WsConnection& connection, std::uint64_t request_id, core::v1::ErrorCode code,
             const std::string& message);
  // After an accepted change: broadcast, then enact.
  void publish(const core::Outcome& outcome);
  // Stores the new state, then sends it and the change's events to every
  // member: nothing anyone saw can be lost to a crash.
  void broadcast(const core::Outcome& outcome);
  // The record changed: it goes to the store at the end of this turn.
  void persist();
  // Hands the record to the store thread, if it changed.
  void write_record();
  void on_written(std::uint64_t write, std::uint64_t version, bool durable);
  // Answers a command the room cannot take while its changes do not reach the store.
  void refuse_unsaved(net::WsConnection& connection, std::uint64_t request_id);
  // The write that holds the room as it is now.
  std::uint64_t write_needed() const { return dirty_ ? writes_issued_ + 1 : writes_issued_; }
  // Sends `frame` to `to` once what it shows is durable: at once when it is.
  void deliver(net::WsConnection& to, net::ws::SharedFrame frame);
  // Sends `goodbye`, then closes `to` with `reason`, in the same order.
  void deliver_close(net::WsConnection& to, net::ws::SharedFrame goodbye, net::ws::CloseReason reason);
  void release_held();
  // A new resume credential for the member, replacing the last one.
  std::string issue_resume_credential(const std::string& participant_id);
  // Carries out what the events mean for connections (removals, the end)
  // and re-arms the timer for the engine's next deadline (a warning, or a
  // dropped member's reconnect deadline).
  void enact(const core::Outcome& outcome);
  // Closes the link of a member who left by command (left, removed), with
  // the goodbye that says so; a member who dropped has none.
  void close_link_of(const core::v1::MemberLeft& left);
  void say_goodbye(net::WsConnection& connection, core::v1::GoodbyeReason reason);
  void schedule_tick();
  void update_summary(const core::v1::SessionState& state);

  net::asio::io_context& worker_;
  core::Session session_;
  net::Limits limits_;
  net::asio::steady_timer tick_timer_;
  net::asio::steady_timer key_frame_timer_;  // For a key frame request the throttle held back.
  std::optional<KeyFrameThrottle::Clock::time_point> key_frame_timer_due_;
  std::unordered_map<std::string, Link> links_;  // By participant id.
  Admissions admissions_;
  // A frame (or a goodbye and close) that waits for a write to be durable.
  struct Held {
    std::shared_ptr<net::WsConnection> to;
    net::ws::SharedFrame frame;
    std::optional<net::ws::CloseReason> close;
    std::uint64_t write = 0;
  };
  // Past this many held frames (a store that stalls for long), commands are
  // refused rather than held: what a room keeps for its members is bounded.
  static constexpr std::size_t kMaxHeld = 8192;

  std::shared_ptr<StoreThread> store_;
  std::uint64_t writes_issued_ = 0;   // Records handed to the store thread.
  std::uint64_t writes_durable_ = 0;  // The last of them the store took.
  std::uint64_t durable_version_ = 0; // The session's version in that one.
  bool dirty_ = false;                // Changed since the last record handed over.
  bool write_posted_ = false;         // write_record() comes at the end of the turn.
  bool store_failing_ = false;        // The last write failed; another follows.
  std::deque<Held> held_;
  std::vector<std::pair<std::uint64_t, std::function<void(bool)>>> durable_waiters_;
  net::asio::steady_timer store_retry_timer_;
  bool shutting_down_ = false;
  std::uint64_t dropped_frames_ = 0;  // Media refused by the speaking rule.

  mutable std::mutex summary_mutex_;
  RoomSummary summary_;
  std::atomic<std::size_t> open_connections_{0};
};

}  // namespace balint::app
