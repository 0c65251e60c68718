// The rules of one running session on the network, as a state machine with
// no sockets, no threads and no clock of its own: who may come in (a join
// token, a resume credential), what each member's connection may send (the
// request-id rule, rate limits, the once-per-epoch sender keys), what goes to
// whom (state, events, answers, chat, keys, media, camera frames), when a
// connection is closed and with which goodbye, and what waits for the store.
//
// Each input says when it happens and appends what to do to an Effects list,
// in order; the executor (room.hpp) carries them out. Inputs that a
// connection or the store answers (an upgrade answered, a write durable, a
// camera frame its queue refused) come back as inputs of their own.
//
// What any member saw is on disk: everything shown to members (state,
// events, answers, chat, keys, goodbyes) waits, in order, for the write that
// holds the change it shows; media does not wait, it shows no change.
#pragma once

#include "app/camera_feeds.hpp"
#include "app/key_frame_throttle.hpp"
#include "app/store.hpp"
#include "auth/token.hpp"
#include "core/session.hpp"
#include "net/limits.hpp"
#include "net/send_queue.hpp"
#include "net/token_bucket.hpp"
#include "net/ws_frames.hpp"

#include <boost/beast/http/status.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

namespace balint::app {

// One connection of a member, named by the executor.
using LinkId = std::uint64_t;

// When an input happens: the wall clock for the engine's deadlines, the
// steady clock for rates and key frames.
struct Now {
  core::TimeMs wall = 0;
  std::chrono::steady_clock::time_point steady;
};

// What the admin API lists of a room without visiting the room's thread.
struct RoomSummary {
  std::string session_id;
  std::string name;
  std::string format_id;
  int phase_index = -1;
  bool ended = false;
  std::size_t members = 0;     // Roster entries.
  std::size_t connections = 0; // Open WebSocket connections (the executor's count).
};

// Why a join is refused: the HTTP status and {"error":{"code","message"}}
// that the upgrade (and the join check, GET /api/v1/join) answers with.
struct JoinRefusal {
  boost::beast::http::status status;
  std::string code;
  std::string message;
};

// A resume credential whose secret does not match, for whatever reason
// (no such session, member or secret): one answer for all of them.
JoinRefusal resume_refused();

// Who may come in again: the tokens members joined with and the ones a
// facilitator revoked, and each member's current resume credential.
struct Admissions {
  std::unordered_map<std::string, std::set<std::string>> tokens_used;  // By participant id.
  std::set<std::string> revoked_tokens;
  std::unordered_map<std::string, std::string> resume_hashes;  // BLAKE2b-256, by participant id.
};

namespace effect {
// A camera frame sent to a receiver: what the protocol must hear if the
// receiver's queue refuses it (see RoomProtocol::camera_dropped).
struct CameraFrame {
  std::string sender;
  CameraFlags flags;
};
// Queue `frame` on the link's connection.
struct Send {
  LinkId link;
  net::ws::SharedFrame frame;
  net::Priority priority;
  std::optional<CameraFrame> camera;
};
// Send `goodbye` (if any) after what is queued, then close with `reason`.
struct Close {
  LinkId link;
  net::ws::SharedFrame goodbye;
  net::ws::CloseReason reason;
};
// Answer the link's upgrade request: it is the member's connection now.
struct Accept {
  LinkId link;
};
// Answer the link's upgrade request with this refusal, and close it.
struct Refuse {
  LinkId link;
  JoinRefusal refusal;
};
// Hand the record to the store; answer with written(write, ...).
struct Persist {
  std::uint64_t write;
  SessionWrite record;
};
// Give up the video waiting in the link's queue (its reader paused video).
struct DropWaitingVideo {
  LinkId link;
};
}  // namespace effect

using Effect = std::variant<effect::Send, effect::Close, effect::Accept, effect::Refuse, effect::Persist,
                            effect::DropWaitingVideo>;
using Effects = std::vector<Effect>;

class RoomProtocol {
 public:
  // Past this many held messages (a store that stalls for long), commands
  // are refused rather than held: what a room keeps for its members is bounded.
  static constexpr std::size_t kMaxHeld = 8192;
  // After a failed write, the whole record goes again this much later.
  static constexpr std::chrono::seconds kStoreRetry{1};

  RoomProtocol(core::Session session, net::Limits limits, Admissions admissions = {});

  // The room a stored record describes, after a restart at `now` (see
  // core::Session::restore); its members may resume with the credential
  // their last connection was given. Nothing with `error` set when the
  // record does not hold together.
  static std::optional<RoomProtocol> restore(const std::string& record_bytes, net::Limits limits, core::TimeMs now,
                                             std::string& error);

  // --- inputs -------------------------------------------------------------

  // An upgrade request whose join token was verified; `token_fingerprint`
  // names the token (its jti, or its signature), so that it can be revoked.
  void admit(LinkId link, const auth::JoinClaims& claims, core::v1::Role role, const std::string& token_fingerprint,
             Now now, Effects& out);
  // An upgrade request that presented a resume credential for
  // `participant_id`; `secret` is its last part.
  void resume(LinkId link, const std::string& participant_id, const std::string& secret, Now now, Effects& out);
  // The link's upgrade was answered.
  void opened(LinkId link, Now now, Effects& out);
  void frame(LinkId link, std::string_view bytes, bool binary, Now now, Effects& out);
  // The link's connection is gone (once, opened or not).
  void closed(LinkId link, Now now, Effects& out);
  // The receiver's queue refused a camera frame sent by an effect::Send.
  void camera_dropped(LinkId receiver, const effect::CameraFrame& camera, Now now, Effects& out);
  // The store answered the Persist of `write`, which held `version`.
  void written(std::uint64_t write, std::uint64_t version, bool durable, Now now, Effects& out);
  // At wake_at() (or later): warnings, reconnect deadlines, key frames due,
  // a write to try again.
  void tick(Now now, Effects& out);
  // Hands the record to the store if it changed since the last Persist: the
  // executor calls it once per turn of its event loop that changed it
  // (see dirty()), so that a turn's changes cost one write.
  void flush(Effects& out);
  // Ends the session for everyone (admin API).
  void end_session(Now now, Effects& out);
  // Says goodbye to every member, telling them the server is restarting,
  // and from then on changes nothing: the store keeps the state as it was,
  // connections still open included, for the restart to restore.
  void shut_down(Now now, Effects& out);

  // --- queries ------------------------------------------------------------

  // Why a member with these verified claims could not be admitted now, or
  // nothing if they could: a revoked token, or what the engine's join would
  // refuse (the session ended or full, a bad id or name).
  std::optional<JoinRefusal> admission_problem(const auth::JoinClaims& claims, core::v1::Role role,
                                               const std::string& token_fingerprint) const;
  // Why that resume credential would be refused now, or nothing.
  std::optional<JoinRefusal> resume_problem(const std::string& participant_id, const std::string& secret) const;
  const core::v1::Member* member(const std::string& participant_id) const { return session_.member(participant_id); }
  const core::Session& session() const { return session_; }
  const net::Limits& limits() const { return limits_; }
  // As of the last state broadcast.
  const RoomSummary& summary() const { return summary_; }
  // The record changed since the last Persist (a new room's, from the start).
  bool dirty() const { return dirty_; }
  // The write that holds the room as it is now: once written() says it is
  // durable, so is everything that happened before this call.
  std::uint64_t write_needed() const { return dirty_ ? writes_issued_ + 1 : writes_issued_; }
  // When tick() has something to do next, if ever.
  std::optional<std::chrono::steady_clock::time_point> wake_at(Now now) const;
  std::size_t held() const { return held_.size(); }
  std::uint64_t dropped_frames() const { return dropped_frames_; }

 private:
  // What the protocol keeps for each member's live connection.
  struct Link {
    // A message allowance, and how many were refused since the last one let through.
    struct Budget {
      net::TokenBucket bucket;
      std::uint32_t refused_in_a_row = 0;
    };
    Link(std::string participant_id, const net::Limits& limits, std::chrono::steady_clock::time_point now)
        : participant_id(std::move(participant_id)), commands{{limits.commands, now}}, media{{limits.media, now}} {}

    std::string participant_id;
    // Opened, and the member's link: what the room sends goes to it. A link
    // that was replaced, or that the room closed, is not; it stays known
    // until closed() (a closed link still tells whose it was).
    bool current = false;
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

  // A message to a member that waits for the write holding what it shows.
  struct Held {
    LinkId link;
    net::ws::SharedFrame frame;
    std::optional<net::ws::CloseReason> close;  // A goodbye: close after it.
    std::uint64_t write = 0;
  };

  Link* open_link(LinkId id);
  Link* link_of(const std::string& participant_id);
  // Joins (or rejoins) the member on `link`.
  void enter(LinkId link, const std::string& participant_id, const std::string& display_name, core::v1::Role role,
             Now now, Effects& out);
  void refuse_entry(LinkId link, const std::string& participant_id, const JoinRefusal& refusal, Effects& out);
  // Whether `link` may send one more message of this kind now; see limits
  // in the README. Answers or closes as the limits say when it may not.
  bool within_rate(LinkId id, Link& link, Traffic traffic, std::uint64_t request_id, Now now, Effects& out);
  void handle_command(LinkId id, Link& link, std::uint64_t request_id, const core::v1::Command& command, Now now,
                      Effects& out);
  void revoke_tokens_of(const std::string& participant_id);
  bool may_forward(const std::string& sender_id, std::uint32_t track) const;
  void relay_media(LinkId id, Link& link, const core::v1::MediaUpload& media, Now now, Effects& out);
  void relay_chat(LinkId id, Link& link, std::uint64_t request_id, const core::v1::ChatUpload& chat, Effects& out);
  void relay_sender_keys(LinkId id, Link& link, std::uint64_t request_id, const core::v1::SenderKeysUpload& upload,
                         Now now, Effects& out);
  // Answers a refused key-exchange message, charging it to the command
  // budget (accepted ones are bounded by the protocol instead).
  void refuse_key_exchange(LinkId id, Link& link, std::uint64_t request_id, const core::Outcome& verdict, Now now,
                           Effects& out);
  // Camera frames (room_protocol_cameras.cpp): forwarded by the rule and
  // the clear header, to each receiver that can decode them; key frames
  // asked for where one is missing.
  void relay_camera(LinkId id, Link& sender, const net::ws::SharedFrame& bytes, CameraFlags flags, Now now,
                    Effects& out);
  void request_key_frame(LinkId id, Link& from, const core::v1::RequestKeyFrame& request, Now now, Effects& out);
  void set_video_reception(LinkId id, Link& link, std::uint64_t request_id, const core::v1::VideoReception& reception,
                           Effects& out);
  // Asks `sender` for a key frame now, or as soon as its throttle allows.
  void ask_key_frame(LinkId id, Link& sender, Now now, Effects& out);
  void ask_due_key_frames(Now now, Effects& out);

  void reply(LinkId link, std::uint64_t request_id, core::v1::ErrorCode code, const std::string& message, Effects& out);
  // Answers a command the room cannot take while its changes do not reach
  // the store; at once, since it shows nothing newer than the disk has.
  void refuse_unsaved(LinkId link, std::uint64_t request_id, Effects& out);
  // After an accepted change: broadcast, then enact.
  void publish(const core::Outcome& outcome, Now now, Effects& out);
  // Sends the new state and the change's events to every member.
  void broadcast(const core::Outcome& outcome, Now now, Effects& out);
  // Carries out what the events mean for connections (removals, the end).
  void enact(const core::Outcome& outcome, Effects& out);
  // Closes the link of a member who left by command (left, removed), with
  // the goodbye that says so; a member who dropped has none.
  void close_link_of(const core::v1::MemberLeft& left, Effects& out);
  void say_goodbye(LinkId link, core::v1::GoodbyeReason reason, Effects& out);
  // A new resume credential for the member, replacing the last one.
  std::string issue_resume_credential(const std::string& participant_id);

  // The record changed: flush() hands it to the store.
  void persist() { dirty_ = true; }
  // Sends `frame` to `link` once what it shows is durable: at once when it is.
  void deliver(LinkId link, net::ws::SharedFrame frame, Effects& out);
  // Sends `goodbye`, then closes `link` with `reason`, in the same order.
  void deliver_close(LinkId link, net::ws::SharedFrame goodbye, net::ws::CloseReason reason, Effects& out);
  void release_held(Effects& out);
  void summarize(const core::v1::SessionState& state);

  core::Session session_;
  net::Limits limits_;
  Admissions admissions_;
  std::unordered_map<LinkId, Link> links_;
  std::unordered_map<std::string, LinkId> current_;  // Each connected member's open link.
  bool shutting_down_ = false;
  std::uint64_t dropped_frames_ = 0;  // Media refused by the speaking rule.

  std::uint64_t writes_issued_ = 0;    // Persist effects so far.
  std::uint64_t writes_durable_ = 0;   // The last of them the store took.
  std::uint64_t durable_version_ = 0;  // The session's version in that one.
  bool dirty_ = true;                  // Changed since the last Persist.
  bool store_failing_ = false;         // The last write failed; another follows.
  std::optional<std::chrono::steady_clock::time_point> store_retry_at_;
  std::deque<Held> held_;
  RoomSummary summary_;
};

}  // namespace balint::app
