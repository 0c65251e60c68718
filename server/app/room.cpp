#include "app/room.hpp"

#include "app/clock.hpp"
#include "app/log.hpp"
#include "app/server_frame.hpp"
#include "core/names.hpp"
#include "net/router.hpp"

#include <sodium.h>

#include <cctype>
#include <sstream>

namespace balint::app {
namespace v1 = core::v1;
namespace record = ::balint::record::v1;
using net::ws::SharedFrame;
using net::WsConnection;

namespace {

net::http::status refusal_status(v1::ErrorCode code) {
  switch (code) {
    case v1::ERROR_CODE_SESSION_FULL:
    case v1::ERROR_CODE_SESSION_ENDED: return net::http::status::conflict;
    case v1::ERROR_CODE_INVALID_ARGUMENT: return net::http::status::bad_request;
    default: return net::http::status::forbidden;
  }
}

// "session_full" for ERROR_CODE_SESSION_FULL: the style of HTTP error codes.
std::string http_code(v1::ErrorCode code) {
  std::string name = v1::ErrorCode_Name(code).substr(std::string_view("ERROR_CODE_").size());
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

JoinRefusal refusal_of(const core::Outcome& outcome) {
  return {refusal_status(outcome.code), http_code(outcome.code), outcome.message};
}

// What a Goodbye says in words, to whoever reads it (and the close frame).
std::string goodbye_words(v1::GoodbyeReason reason) {
  switch (reason) {
    case v1::GOODBYE_REASON_LEFT: return "you left the session";
    case v1::GOODBYE_REASON_REMOVED: return "a facilitator removed you from the session";
    case v1::GOODBYE_REASON_SIGNED_IN_ELSEWHERE: return "signed in again from another connection";
    case v1::GOODBYE_REASON_SESSION_ENDED: return "the session has ended";
    case v1::GOODBYE_REASON_RESTARTING: return "the server is restarting; you will be reconnected";
    default: return "goodbye";
  }
}

JoinRefusal store_refusal() {
  return {net::http::status::service_unavailable, "store_unavailable",
          "the server cannot save changes right now; try again in a moment"};
}

JoinRefusal restarting_refusal() {
  return {net::http::status::service_unavailable, "server_restarting", "the server is restarting; try again in a moment"};
}

std::string hash_of(const std::string& secret) {
  std::string hash(crypto_generichash_BYTES, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(hash.data()), hash.size(),
                     reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), nullptr, 0);
  return hash;
}

bool matches(const std::string& hash, const std::string& secret) {
  const std::string candidate = hash_of(secret);
  return hash.size() == candidate.size() && sodium_memcmp(hash.data(), candidate.data(), hash.size()) == 0;
}

}  // namespace

Room::Room(net::asio::io_context& worker, core::Session session, net::Limits limits,
           std::shared_ptr<StoreThread> store, Admissions admissions)
    : worker_(worker),
      session_(std::move(session)),
      limits_(limits),
      tick_timer_(worker),
      key_frame_timer_(worker),
      admissions_(std::move(admissions)),
      store_(std::move(store)),
      store_retry_timer_(worker) {
  durable_version_ = session_.version();  // Restored from the store, or written before anyone hears of it.
  update_summary(session_.snapshot(now_ms()));
}

std::shared_ptr<Room> Room::restore(net::asio::io_context& worker, const std::string& record_bytes, net::Limits limits,
                                    std::shared_ptr<StoreThread> store, std::string& error) {
  record::RoomRecord record;
  if (!record.ParseFromString(record_bytes)) {
    error = "the record does not parse";
    return nullptr;
  }
  auto session = core::Session::restore(std::move(*record.mutable_session()), now_ms(), error);
  if (!session) return nullptr;
  Admissions admissions;
  admissions.revoked_tokens.insert(record.revoked_tokens().begin(), record.revoked_tokens().end());
  for (const auto& used : record.tokens_used())
    admissions.tokens_used[used.participant_id()].insert(used.fingerprints().begin(), used.fingerprints().end());
  for (const auto& [participant, hash] : record.resume_hashes())
    if (session->member(participant)) admissions.resume_hashes.emplace(participant, hash);
  auto room = std::make_shared<Room>(worker, std::move(*session), limits, std::move(store), std::move(admissions));
  // The restored members' deadlines start now.
  room->post([](Room& room) { room.schedule_tick(); });
  return room;
}

void Room::post(std::function<void(Room&)> task) {
  net::asio::post(worker_, [self = shared_from_this(), task = std::move(task)] { task(*self); });
}

void Room::admit(net::Transport transport, net::Request request, auth::JoinClaims claims, v1::Role role,
                 std::string token_fingerprint) {
  post([transport = std::make_shared<net::Transport>(net::move_transport(std::move(transport), worker_)), request = std::move(request),
        claims = std::move(claims), role, fingerprint = std::move(token_fingerprint)](Room& room) mutable {
    if (auto problem = room.admission_problem(claims, role, fingerprint))
      return room.refuse_entry(*transport, request, claims.participant_id, *problem);
    room.admissions_.tokens_used[claims.participant_id].insert(std::move(fingerprint));
    room.enter(*transport, std::move(request), claims.participant_id, claims.display_name, role);
  });
}

void Room::resume(net::Transport transport, net::Request request, std::string participant_id, std::string secret) {
  post([transport = std::make_shared<net::Transport>(net::move_transport(std::move(transport), worker_)),
        request = std::move(request), participant_id = std::move(participant_id),
        secret = std::move(secret)](Room& room) mutable {
    if (auto problem = room.resume_problem(participant_id, secret))
      return room.refuse_entry(*transport, request, participant_id, *problem);
    const v1::Member& member = *room.session_.member(participant_id);
    log(LogLevel::info, "member resumes session=", room.session_.id(), " participant=", participant_id);
    room.enter(*transport, std::move(request), participant_id, std::string(member.display_name()), member.role());
  });
}

void Room::enter(net::Transport& transport, net::Request request, const std::string& participant_id,
                 const std::string& display_name, v1::Role role) {
  const auto outcome = session_.join(participant_id, display_name, role, now_ms());
  if (!outcome.ok()) return refuse_entry(transport, request, participant_id, refusal_of(outcome));  // Checked before: not expected.
  auto connection = net::WsConnection::create(std::move(transport), shared_from_this(), limits_);
  connection->participant_id = participant_id;
  ++open_connections_;
  connection->accept(request);
  publish(outcome);
}

void Room::refuse_entry(net::Transport& transport, const net::Request& request, const std::string& participant_id,
                  const JoinRefusal& refusal) {
  // An id the engine refused may hold anything, line breaks included.
  const bool plain_id = core::valid_participant_id(participant_id);
  log(LogLevel::info, "join refused session=", session_.id(), " participant=", plain_id ? participant_id : "(invalid)",
      " code=", refusal.code);
  net::answer_and_close(std::move(transport),
                        net::json_error(refusal.status, refusal.code, refusal.message, request.version(), false),
                        limits_.handshake_timeout);
}

std::optional<JoinRefusal> Room::admission_problem(const auth::JoinClaims& claims, v1::Role role,
                                                  const std::string& token_fingerprint) const {
  if (shutting_down_) return restarting_refusal();
  if (store_failing_) return store_refusal();
  if (admissions_.revoked_tokens.contains(token_fingerprint))
    return JoinRefusal{net::http::status::forbidden, "token_revoked", "a facilitator revoked this join token"};
  const auto verdict = session_.check_join(claims.participant_id, claims.display_name, role);
  if (!verdict.ok()) return refusal_of(verdict);
  return std::nullopt;
}

std::optional<JoinRefusal> Room::resume_problem(const std::string& participant_id, const std::string& secret) const {
  // The secret first: only its holder learns anything of the session.
  const auto it = admissions_.resume_hashes.find(participant_id);
  if (it == admissions_.resume_hashes.end() || !session_.member(participant_id) || !matches(it->second, secret))
    return resume_refused();
  if (shutting_down_) return restarting_refusal();
  if (store_failing_) return store_refusal();
  if (session_.ended()) return JoinRefusal{net::http::status::conflict, "session_ended", "the session has ended"};
  return std::nullopt;
}

std::string Room::issue_resume_credential(const std::string& participant_id) {
  const std::string secret = auth::random_secret(32);
  admissions_.resume_hashes[participant_id] = hash_of(secret);
  return session_.id() + "." + participant_id + "." + secret;
}

void Room::on_open(WsConnection& connection) {
  auto self = connection.shared_from_this();
  const auto now = std::chrono::steady_clock::now();
  auto [it, fresh] = links_.try_emplace(connection.participant_id, self, limits_, now);
  if (!fresh) {
    // The same member signed in again: the newer connection wins.
    if (it->second.connection.get() != &connection) say_goodbye(*it->second.connection, v1::GOODBYE_REASON_SIGNED_IN_ELSEWHERE);
    it->second = Link(self, limits_, now);
  }
  // A new connection has a new encoder: what receivers held of the old one is no use.
  for (auto& [participant, receiver] : links_) receiver.cameras.lose(connection.participant_id);
  log(LogLevel::info, "member connected session=", session_.id(), " participant=", connection.participant_id);

  v1::ServerMessage welcome;
  auto& body = *welcome.mutable_welcome();
  body.set_session_id(session_.id());
  body.set_participant_id(connection.participant_id);
  const auto snapshot = session_.snapshot(now_ms());
  for (const auto& member : snapshot.roster())
    if (member.participant_id() == connection.participant_id) body.set_role(member.role());
  body.set_server_version(BALINT_VERSION);
  body.set_resume_credential(issue_resume_credential(connection.participant_id));
  body.set_client_silence_timeout_ms(
      static_cast<std::uint32_t>(std::chrono::milliseconds(limits_.client_silence_timeout).count()));
  persist();  // The old credential is dead, on disk too, before the new one is given.
  deliver(connection, serialize(welcome));

  v1::ServerMessage state;
  *state.mutable_state() = snapshot;
  deliver(connection, serialize(state));
}

void Room::on_closed(WsConnection& connection) {
  --open_connections_;
  if (shutting_down_) return;  // The stored state keeps them as they were, for the restart.
  const auto it = links_.find(connection.participant_id);
  if (it != links_.end() && it->second.connection.get() != &connection) return;  // Replaced by a newer connection.
  if (it != links_.end()) links_.erase(it);
  for (auto& [participant, receiver] : links_) receiver.cameras.lose(connection.participant_id);
  log(LogLevel::info, "member disconnected session=", session_.id(), " participant=", connection.participant_id);
  const auto outcome = session_.disconnect(connection.participant_id, now_ms());
  if (outcome.ok()) publish(outcome);
}

void Room::on_message(WsConnection& connection, std::string_view bytes, bool binary) {
  const auto it = links_.find(connection.participant_id);
  if (it == links_.end() || it->second.connection.get() != &connection) return;  // Replaced; its goodbye is on the way.
  Link& link = it->second;

  v1::ClientMessage message;
  const bool parsed = binary && message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
  // Media, and asking for a key frame (a cheap message of the same rhythm), draw on the media budget.
  const bool media = parsed && (message.body_case() == v1::ClientMessage::kMedia ||
                                message.body_case() == v1::ClientMessage::kRequestKeyFrame);
  // Key exchange is bounded by the protocol itself (one announcement per
  // connection, one hand-out per key epoch), so that a tight command limit
  // cannot break encryption; only refused key messages draw on the budget.
  const bool key_exchange = parsed && (message.has_sender_keys() || (message.has_command() &&
                                                                     message.command().has_announce_keys()));
  if (!key_exchange && !within_rate(link, media ? Traffic::media : Traffic::command, parsed ? message.request_id() : 0))
    return;

  if (!binary) return reply(connection, 0, v1::ERROR_CODE_MALFORMED, "send binary protobuf frames, not text");
  if (!parsed) return reply(connection, 0, v1::ERROR_CODE_MALFORMED, "frame is not a ClientMessage");
  switch (message.body_case()) {
    case v1::ClientMessage::kMedia: return relay_media(link, message.media());
    case v1::ClientMessage::kRequestKeyFrame: return request_key_frame(link, message.request_key_frame());
    case v1::ClientMessage::kHeartbeat: return answer_heartbeat(connection);
    case v1::ClientMessage::kCommand:
    case v1::ClientMessage::kChat:
    case v1::ClientMessage::kSenderKeys:
    case v1::ClientMessage::kVideoReception: break;
    default:
      return reply(connection, message.request_id(), v1::ERROR_CODE_MALFORMED, "message has no known body");
  }
  // Everything but media is answered, so it carries a rising request id.
  const auto refuse = [&](std::uint64_t request_id, v1::ErrorCode code, const std::string& why) {
    if (key_exchange) return refuse_key_exchange(link, request_id, core::Outcome::error(code, why));
    reply(connection, request_id, code, why);
  };
  if (message.request_id() == 0)
    return refuse(0, v1::ERROR_CODE_INVALID_ARGUMENT, "a command needs a non-zero request_id");
  if (message.request_id() <= link.last_request_id)
    return refuse(message.request_id(), v1::ERROR_CODE_DUPLICATE_REQUEST,
                  "request_id " + std::to_string(message.request_id()) + " is not above the last one (" +
                      std::to_string(link.last_request_id) + "); a replay is not applied again");
  link.last_request_id = message.request_id();
  if (message.has_chat()) return relay_chat(connection, message.request_id(), message.chat());
  if (message.has_sender_keys()) return relay_sender_keys(link, message.request_id(), message.sender_keys());
  if (message.has_video_reception())
    return set_video_reception(link, message.request_id(), message.video_reception());
  handle_command(link, message.request_id(), message.command());
}

bool Room::within_rate(Link& link, Traffic traffic, std::uint64_t request_id) {
  auto& budget = traffic == Traffic::media ? link.media : link.commands;
  if (budget.bucket.take(std::chrono::steady_clock::now())) {
    budget.refused_in_a_row = 0;
    return true;
  }
  const auto& rate = traffic == Traffic::media ? limits_.media : limits_.commands;
  const char* what = traffic == Traffic::media ? "media frames" : "commands";
  WsConnection& connection = *link.connection;
  // A burst's worth of refusals in a row: the client is not listening.
  if (++budget.refused_in_a_row > rate.burst) {
    log(LogLevel::warn, "rate limit: closing session=", session_.id(), " participant=", connection.participant_id,
        " traffic=", what);
    connection.close(nullptr, {net::ws::close_code::policy_error, std::string("too many ") + what + ": rate limit exceeded"});
    return false;
  }
  // Every refused command is answered; a run of dropped media once.
  if (traffic == Traffic::command || budget.refused_in_a_row == 1) {
    std::ostringstream message;
    message << "too many " << what << " (at most " << rate.per_second << " a second, bursts of " << rate.burst
            << "); this one was " << (traffic == Traffic::media ? "dropped" : "not applied") << "; keep it up and the connection closes";
    reply(connection, traffic == Traffic::command ? request_id : 0, v1::ERROR_CODE_RATE_LIMITED, message.str());
  }
  return false;
}

void Room::handle_command(Link& link, std::uint64_t request_id, const v1::Command& command) {
  WsConnection& connection = *link.connection;
  const std::string sender = connection.participant_id;
  if (store_failing_ || held_.size() >= kMaxHeld) return refuse_unsaved(connection, request_id);
  const auto outcome = session_.apply(sender, command, now_ms());
  if (!outcome.ok() && command.has_announce_keys()) return refuse_key_exchange(link, request_id, outcome);
  if (!outcome.ok()) return reply(connection, request_id, outcome.code, outcome.message);
  if (command.has_remove_member() && command.remove_member().revoke_token()) revoke_tokens_of(command.remove_member().participant_id());
  // The answer goes out before the change is enacted, so that a member who
  // has just left still hears it before their goodbye.
  auto keep = link.connection;  // enact() may drop the sender's link.
  broadcast(outcome);
  reply(*keep, request_id, outcome.code, outcome.message);
  enact(outcome);
}

void Room::revoke_tokens_of(const std::string& participant_id) {
  const auto used = admissions_.tokens_used.find(participant_id);
  if (used == admissions_.tokens_used.end()) return;
  admissions_.revoked_tokens.insert(used->second.begin(), used->second.end());
  log(LogLevel::info, "tokens revoked session=", session_.id(), " participant=", participant_id,
      " count=", used->second.size());
  admissions_.tokens_used.erase(used);
}

// Forwarded or dropped by the session's rule for the track: audio while the
// sender may speak, video while they may send it; a track of no kind is dropped.
bool Room::may_forward(const std::string& sender_id, std::uint32_t track) const {
  switch (track) {
    case v1::MEDIA_TRACK_MICROPHONE: return session_.may_speak(sender_id);
    case v1::MEDIA_TRACK_CAMERA: return session_.may_send_video(sender_id);
    default: return false;
  }
}

void Room::relay_media(Link& link, const v1::MediaUpload& media) {
  WsConnection& connection = *link.connection;
  const bool camera = media.track() == v1::MEDIA_TRACK_CAMERA;
  // A camera frame whose clear header no receiver would accept is dropped here.
  const auto flags = camera ? read_camera_flags(media.payload()) : std::nullopt;
  if (!may_forward(connection.participant_id, media.track()) || (camera && !flags)) {
    if (camera) link.camera_held = true;
    ++dropped_frames_;
    return;
  }
  v1::ServerMessage message;
  auto& frame = *message.mutable_media();
  frame.set_sender_id(connection.participant_id);
  frame.set_track(media.track());
  frame.set_payload(media.payload());
  const auto bytes = serialize(message);
  if (camera) return relay_camera(link, bytes, *flags);
  for (auto& [participant, receiver] : links_)
    if (receiver.connection.get() != &connection) receiver.connection->send(bytes, WsConnection::Priority::audio);
}

// The same few bytes every time, made once and shared by every room.
void Room::answer_heartbeat(WsConnection& connection) {
  static const SharedFrame answer = [] {
    v1::ServerMessage message;
    message.mutable_heartbeat();
    return serialize(message);
  }();
  connection.send(answer, WsConnection::Priority::state);
}

// Chat is relayed and forgotten: the server keeps no copy, writes nothing of
// it anywhere, and a member who joins later receives none of it.
void Room::relay_chat(WsConnection& connection, std::uint64_t request_id, const v1::ChatUpload& chat) {
  const auto verdict = session_.check_chat(connection.participant_id, chat);
  if (!verdict.ok()) return reply(connection, request_id, verdict.code, verdict.message);
  v1::ServerMessage message;
  auto& out = *message.mutable_chat();
  out.set_sender_id(connection.participant_id);
  out.set_epoch(chat.epoch());
  out.set_counter(chat.counter());
  out.set_recipient_id(chat.recipient_id());
  out.set_ciphertext(chat.ciphertext());
  out.set_signature(chat.signature());
  const auto bytes = serialize(message);
  for (auto& [participant, receiver] : links_) {
    if (receiver.connection.get() == &connection) continue;
    if (chat.recipient_id().empty() || participant == chat.recipient_id()) deliver(*receiver.connection, bytes);
  }
  reply(connection, request_id, v1::ERROR_CODE_OK, {});
}

void Room::relay_sender_keys(Link& link, std::uint64_t request_id, const v1::SenderKeysUpload& upload) {
  WsConnection& connection = *link.connection;
  auto verdict = session_.check_sender_keys(connection.participant_id, upload);
  if (verdict.ok() && upload.epoch() == link.keys_handed_out)
    verdict = core::Outcome::error(v1::ERROR_CODE_INVALID_ARGUMENT, "sender keys for key epoch " +
                                                                         std::to_string(upload.epoch()) +
                                                                         " were handed out already");
  if (!verdict.ok()) return refuse_key_exchange(link, request_id, verdict);
  link.keys_handed_out = upload.epoch();
  for (const auto& key : upload.keys()) {
    const auto receiver = links_.find(key.recipient_id());
    if (receiver == links_.end()) continue;  // The engine knows them connected; a link is always there.
    v1::ServerMessage message;
    auto& out = *message.mutable_sender_key();
    out.set_sender_id(connection.participant_id);
    out.set_epoch(upload.epoch());
    out.set_sealed(key.sealed());
    deliver(*receiver->second.connection, serialize(message));
  }
  reply(connection, request_id, v1::ERROR_CODE_OK, {});
}

void Room::refuse_key_exchange(Link& link, std::uint64_t request_id, const core::Outcome& verdict) {
  if (!within_rate(link, Traffic::command, request_id)) return;  // Answered or closed there.
  reply(*link.connection, request_id, verdict.code, verdict.message);
}

// Said at once, past what is held: it shows nothing newer than the disk has.
void Room::refuse_unsaved(WsConnection& connection, std::uint64_t request_id) {
  v1::ServerMessage reply;
  auto& result = *reply.mutable_result();
  result.set_request_id(request_id);
  result.set_code(v1::ERROR_CODE_UNAVAILABLE);
  result.set_message("the server cannot save changes right now; nothing changed: try again in a moment");
  result.set_state_version(durable_version_);
  connection.send(serialize(reply), WsConnection::Priority::state);
}

void Room::reply(WsConnection& connection, std::uint64_t request_id, v1::ErrorCode code,
                 const std::string& message) {
  v1::ServerMessage reply;
  auto& result = *reply.mutable_result();
  result.set_request_id(request_id);
  result.set_code(code);
  result.set_message(message);
  result.set_state_version(session_.version());
  deliver(connection, serialize(reply));
}

void Room::publish(const core::Outcome& outcome) {
  broadcast(outcome);
  enact(outcome);
}

void Room::broadcast(const core::Outcome& outcome) {
  for (const auto& event : outcome.events)
    if (event.has_member_left()) admissions_.resume_hashes.erase(event.member_left().participant_id());
  persist();
  v1::ServerMessage state;
  *state.mutable_state() = session_.snapshot(now_ms());
  update_summary(state.state());
  const auto state_bytes = serialize(state);
  std::vector<SharedFrame> events;
  for (const auto& event : outcome.events) {
    v1::ServerMessage message;
    *message.mutable_event() = event;
    events.push_back(serialize(message));
  }
  for (auto& [participant, link] : links_) {
    deliver(*link.connection, state_bytes);
    for (const auto& event : events) deliver(*link.connection, event);
  }
}

void Room::enact(const core::Outcome& outcome) {
  for (const auto& event : outcome.events) {
    if (event.has_member_left()) close_link_of(event.member_left());
    if (event.has_session_ended()) {
      log(LogLevel::info, "session ended id=", session_.id());
      for (auto& [participant, link] : links_) say_goodbye(*link.connection, v1::GOODBYE_REASON_SESSION_ENDED);
      links_.clear();
      tick_timer_.cancel();
    }
  }
  schedule_tick();
}

void Room::close_link_of(const v1::MemberLeft& left) {
  switch (left.reason()) {
    // A member who dropped lost their link already.
    case v1::LEAVE_REASON_TIMED_OUT:
      log(LogLevel::info, "member timed out session=", session_.id(), " participant=", left.participant_id());
      return;
    case v1::LEAVE_REASON_DISCONNECTED: return;
    case v1::LEAVE_REASON_LEFT:
    case v1::LEAVE_REASON_REMOVED: break;
    default: return;
  }
  const auto it = links_.find(left.participant_id());
  if (it == links_.end()) return;
  say_goodbye(*it->second.connection,
              left.reason() == v1::LEAVE_REASON_REMOVED ? v1::GOODBYE_REASON_REMOVED : v1::GOODBYE_REASON_LEFT);
  links_.erase(it);
}

void Room::say_goodbye(WsConnection& connection, v1::GoodbyeReason reason) {
  const std::string words = goodbye_words(reason);
  v1::ServerMessage message;
  auto& goodbye = *message.mutable_goodbye();
  goodbye.set_reason(reason);
  goodbye.set_message(words);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  goodbye.set_restarting(reason == v1::GOODBYE_REASON_RESTARTING);
#pragma GCC diagnostic pop
  deliver_close(connection, serialize(message), {net::ws::close_code::normal, words});
}

void Room::end_session() {
  const auto outcome = session_.end(now_ms());
  if (outcome.ok()) publish(outcome);
}

void Room::shut_down() {
  shutting_down_ = true;
  write_record();  // Now: the worker may stop before the end of this turn.
  for (auto& [participant, link] : links_)
    say_goodbye(*link.connection, v1::GOODBYE_REASON_RESTARTING);
  links_.clear();
  tick_timer_.cancel();
}

void Room::persist() {
  dirty_ = true;
  if (write_posted_) return;
  write_posted_ = true;
  net::asio::post(worker_, [weak = weak_from_this()] {
    if (auto self = weak.lock()) {
      self->write_posted_ = false;
      self->write_record();
    }
  });
}

void Room::write_record() {
  if (!dirty_) return;
  dirty_ = false;
  const auto write = ++writes_issued_;
  record::RoomRecord record;
  *record.mutable_session() = session_.record();
  for (const auto& token : admissions_.revoked_tokens) record.add_revoked_tokens(token);
  for (const auto& [participant, fingerprints] : admissions_.tokens_used) {
    auto& used = *record.add_tokens_used();
    used.set_participant_id(participant);
    for (const auto& fingerprint : fingerprints) used.add_fingerprints(fingerprint);
  }
  for (const auto& [participant, hash] : admissions_.resume_hashes) (*record.mutable_resume_hashes())[participant] = hash;
  store_->save({session_.id(), session_.version(), session_.ended(), record.SerializeAsString()},
               [weak = weak_from_this(), &worker = worker_, write, version = session_.version()](bool durable) {
                 net::asio::post(worker, [weak, write, version, durable] {
                   if (auto self = weak.lock()) self->on_written(write, version, durable);
                 });
               });
}

void Room::on_written(std::uint64_t write, std::uint64_t version, bool durable) {
  const auto answer = [&](auto&& which) {
    std::erase_if(durable_waiters_, [&](auto& waiter) {
      if (!which(waiter.first)) return false;
      waiter.second(durable);
      return true;
    });
  };
  if (!durable) {
    // What is held stays held; the whole record goes again in a moment.
    store_failing_ = true;
    answer([&](std::uint64_t waits_for) { return waits_for == write; });
    store_retry_timer_.expires_after(std::chrono::seconds(1));
    store_retry_timer_.async_wait([weak = weak_from_this()](net::error_code ec) {
      if (auto self = weak.lock(); self && !ec) {
        self->dirty_ = true;
        self->write_record();
      }
    });
    return;
  }
  store_failing_ = false;
  writes_durable_ = std::max(writes_durable_, write);
  durable_version_ = std::max(durable_version_, version);
  release_held();
  answer([&](std::uint64_t waits_for) { return waits_for <= writes_durable_; });
}

void Room::when_durable(std::function<void(bool durable)> done) {
  persist();
  durable_waiters_.emplace_back(write_needed(), std::move(done));
}

void Room::deliver(WsConnection& to, SharedFrame frame) {
  const auto write = write_needed();
  // Later frames never wait for less than earlier ones: when this one need
  // not wait, nothing is held before it.
  if (write <= writes_durable_) return (void)to.send(std::move(frame), WsConnection::Priority::state);
  held_.push_back({to.shared_from_this(), std::move(frame), std::nullopt, write});
}

void Room::deliver_close(WsConnection& to, SharedFrame goodbye, net::ws::CloseReason reason) {
  const auto write = write_needed();
  if (write <= writes_durable_) return to.close(std::move(goodbye), std::move(reason));
  held_.push_back({to.shared_from_this(), std::move(goodbye), std::move(reason), write});
}

void Room::release_held() {
  while (!held_.empty() && held_.front().write <= writes_durable_) {
    Held next = std::move(held_.front());
    held_.pop_front();
    if (next.close) next.to->close(std::move(next.frame), std::move(*next.close));
    else next.to->send(std::move(next.frame), WsConnection::Priority::state);
  }
}

v1::SessionState Room::snapshot() const { return session_.snapshot(now_ms()); }

void Room::schedule_tick() {
  const auto deadline = session_.next_deadline();
  if (!deadline || session_.ended()) {
    tick_timer_.cancel();
    return;
  }
  tick_timer_.expires_after(std::chrono::milliseconds(std::max<std::int64_t>(0, *deadline - now_ms())));
  tick_timer_.async_wait([weak = weak_from_this()](net::error_code ec) {
    auto self = weak.lock();
    if (ec || !self) return;
    const auto outcome = self->session_.tick(now_ms());
    if (!outcome.events.empty()) return self->publish(outcome);
    self->schedule_tick();
  });
}

void Room::update_summary(const v1::SessionState& state) {
  std::lock_guard lock(summary_mutex_);
  summary_.session_id = state.session_id();
  summary_.name = state.name();
  summary_.format_id = state.format().id();
  summary_.phase_index = state.phase_index();
  summary_.ended = state.ended();
  summary_.members = static_cast<std::size_t>(state.roster_size());
}

RoomSummary Room::summary() const {
  std::lock_guard lock(summary_mutex_);
  RoomSummary summary = summary_;
  summary.connections = open_connections_.load();
  return summary;
}

}  // namespace balint::app
