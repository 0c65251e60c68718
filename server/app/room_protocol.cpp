#include "app/room_protocol.hpp"

#include "app/log.hpp"
#include "app/server_frame.hpp"
#include "core/names.hpp"

#include <sodium.h>

#include <cctype>
#include <sstream>

namespace balint::app {
namespace v1 = core::v1;
namespace record = ::balint::record::v1;
namespace http = boost::beast::http;
using net::ws::SharedFrame;

namespace {

http::status refusal_status(v1::ErrorCode code) {
  switch (code) {
    case v1::ERROR_CODE_SESSION_FULL:
    case v1::ERROR_CODE_SESSION_ENDED: return http::status::conflict;
    case v1::ERROR_CODE_INVALID_ARGUMENT: return http::status::bad_request;
    default: return http::status::forbidden;
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

JoinRefusal store_refusal() {
  return {http::status::service_unavailable, "store_unavailable",
          "the server cannot save changes right now; try again in a moment"};
}

JoinRefusal restarting_refusal() {
  return {http::status::service_unavailable, "server_restarting", "the server is restarting; try again in a moment"};
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

// The same few bytes every time, made once and shared by every room.
const SharedFrame& heartbeat_answer() {
  static const SharedFrame answer = [] {
    v1::ServerMessage message;
    message.mutable_heartbeat();
    return serialize(message);
  }();
  return answer;
}

}  // namespace

JoinRefusal resume_refused() {
  return {http::status::unauthorized, "resume_refused",
          "this resume credential is not (or no longer) valid: join with the link"};
}

RoomProtocol::RoomProtocol(core::Session session, net::Limits limits, Admissions admissions)
    : session_(std::move(session)), limits_(limits), admissions_(std::move(admissions)) {
  summarize(session_.snapshot(0));
}

void RoomProtocol::summarize(const v1::SessionState& state) {
  summary_.session_id = state.session_id();
  summary_.name = state.name();
  summary_.format_id = state.format().id();
  summary_.phase_index = state.phase_index();
  summary_.ended = state.ended();
  summary_.members = static_cast<std::size_t>(state.roster_size());
}

std::optional<RoomProtocol> RoomProtocol::restore(const std::string& record_bytes, net::Limits limits,
                                                  core::TimeMs now, std::string& error) {
  record::RoomRecord record;
  if (!record.ParseFromString(record_bytes)) {
    error = "the record does not parse";
    return std::nullopt;
  }
  auto session = core::Session::restore(std::move(*record.mutable_session()), now, error);
  if (!session) return std::nullopt;
  Admissions admissions;
  admissions.revoked_tokens.insert(record.revoked_tokens().begin(), record.revoked_tokens().end());
  for (const auto& used : record.tokens_used())
    admissions.tokens_used[used.participant_id()].insert(used.fingerprints().begin(), used.fingerprints().end());
  for (const auto& [participant, hash] : record.resume_hashes())
    if (session->member(participant)) admissions.resume_hashes.emplace(participant, hash);
  RoomProtocol room(std::move(*session), limits, std::move(admissions));
  room.dirty_ = false;  // It is what the store holds.
  room.durable_version_ = room.session_.version();
  return room;
}

// --- admission -------------------------------------------------------------

std::optional<JoinRefusal> RoomProtocol::admission_problem(const auth::JoinClaims& claims, v1::Role role,
                                                           const std::string& token_fingerprint) const {
  if (shutting_down_) return restarting_refusal();
  if (store_failing_) return store_refusal();
  if (admissions_.revoked_tokens.contains(token_fingerprint))
    return JoinRefusal{http::status::forbidden, "token_revoked", "a facilitator revoked this join token"};
  const auto verdict = session_.check_join(claims.participant_id, claims.display_name, role);
  if (!verdict.ok()) return refusal_of(verdict);
  return std::nullopt;
}

std::optional<JoinRefusal> RoomProtocol::resume_problem(const std::string& participant_id,
                                                        const std::string& secret) const {
  // The secret first: only its holder learns anything of the session.
  const auto it = admissions_.resume_hashes.find(participant_id);
  if (it == admissions_.resume_hashes.end() || !session_.member(participant_id) || !matches(it->second, secret))
    return resume_refused();
  if (shutting_down_) return restarting_refusal();
  if (store_failing_) return store_refusal();
  if (session_.ended()) return JoinRefusal{http::status::conflict, "session_ended", "the session has ended"};
  return std::nullopt;
}

void RoomProtocol::admit(LinkId link, const auth::JoinClaims& claims, v1::Role role,
                         const std::string& token_fingerprint, Now now, Effects& out) {
  if (auto problem = admission_problem(claims, role, token_fingerprint))
    return refuse_entry(link, claims.participant_id, *problem, out);
  admissions_.tokens_used[claims.participant_id].insert(token_fingerprint);
  enter(link, claims.participant_id, claims.display_name, role, now, out);
}

void RoomProtocol::resume(LinkId link, const std::string& participant_id, const std::string& secret, Now now,
                          Effects& out) {
  if (auto problem = resume_problem(participant_id, secret)) return refuse_entry(link, participant_id, *problem, out);
  const v1::Member& member = *session_.member(participant_id);
  log(LogLevel::info, "member resumes session=", session_.id(), " participant=", participant_id);
  enter(link, participant_id, std::string(member.display_name()), member.role(), now, out);
}

void RoomProtocol::enter(LinkId link, const std::string& participant_id, const std::string& display_name,
                         v1::Role role, Now now, Effects& out) {
  const auto outcome = session_.join(participant_id, display_name, role, now.wall);
  if (!outcome.ok()) return refuse_entry(link, participant_id, refusal_of(outcome), out);  // Checked before: not expected.
  links_.insert_or_assign(link, Link(participant_id, limits_, now.steady));
  out.push_back(effect::Accept{link});
  publish(outcome, now, out);
}

void RoomProtocol::refuse_entry(LinkId link, const std::string& participant_id, const JoinRefusal& refusal,
                                Effects& out) {
  // An id the engine refused may hold anything, line breaks included.
  const bool plain_id = core::valid_participant_id(participant_id);
  log(LogLevel::info, "join refused session=", session_.id(), " participant=", plain_id ? participant_id : "(invalid)",
      " code=", refusal.code);
  out.push_back(effect::Refuse{link, refusal});
}

std::string RoomProtocol::issue_resume_credential(const std::string& participant_id) {
  const std::string secret = auth::random_secret(32);
  admissions_.resume_hashes[participant_id] = hash_of(secret);
  return session_.id() + "." + participant_id + "." + secret;
}

void RoomProtocol::opened(LinkId id, Now now, Effects& out) {
  const auto it = links_.find(id);
  if (it == links_.end()) return;
  const std::string participant = it->second.participant_id;
  // The same member signed in again: the newer connection wins.
  if (const auto older = current_.find(participant); older != current_.end() && older->second != id) {
    say_goodbye(older->second, v1::GOODBYE_REASON_SIGNED_IN_ELSEWHERE, out);
    links_.at(older->second).current = false;
  }
  it->second = Link(participant, limits_, now.steady);
  it->second.current = true;
  current_[participant] = id;
  // A new connection has a new encoder: what receivers held of the old one is no use.
  for (auto& [other, receiver] : links_) receiver.cameras.lose(participant);
  log(LogLevel::info, "member connected session=", session_.id(), " participant=", participant);

  v1::ServerMessage welcome;
  auto& body = *welcome.mutable_welcome();
  body.set_session_id(session_.id());
  body.set_participant_id(participant);
  const auto snapshot = session_.snapshot(now.wall);
  for (const auto& member : snapshot.roster())
    if (member.participant_id() == participant) body.set_role(member.role());
  body.set_server_version(BALINT_VERSION);
  body.set_resume_credential(issue_resume_credential(participant));
  body.set_client_silence_timeout_ms(
      static_cast<std::uint32_t>(std::chrono::milliseconds(limits_.client_silence_timeout).count()));
  persist();  // The old credential is dead, on disk too, before the new one is given.
  deliver(id, serialize(welcome), out);

  v1::ServerMessage state;
  *state.mutable_state() = snapshot;
  deliver(id, serialize(state), out);
}

void RoomProtocol::closed(LinkId id, Now now, Effects& out) {
  const auto it = links_.find(id);
  if (it == links_.end()) return;
  const std::string participant = std::move(it->second.participant_id);
  links_.erase(it);
  if (shutting_down_) return;  // The stored state keeps them as they were, for the restart.
  const auto current = current_.find(participant);
  if (current != current_.end() && current->second != id) return;  // Replaced by a newer connection.
  if (current != current_.end()) current_.erase(current);
  for (auto& [other, receiver] : links_) receiver.cameras.lose(participant);
  log(LogLevel::info, "member disconnected session=", session_.id(), " participant=", participant);
  const auto outcome = session_.disconnect(participant, now.wall);
  if (outcome.ok()) publish(outcome, now, out);
}

// --- messages from members ------------------------------------------------

RoomProtocol::Link* RoomProtocol::open_link(LinkId id) {
  const auto it = links_.find(id);
  return it == links_.end() || !it->second.current ? nullptr : &it->second;
}

RoomProtocol::Link* RoomProtocol::link_of(const std::string& participant_id) {
  const auto it = current_.find(participant_id);
  return it == current_.end() ? nullptr : open_link(it->second);
}

void RoomProtocol::frame(LinkId id, std::string_view bytes, bool binary, Now now, Effects& out) {
  Link* found = open_link(id);
  if (!found) return;  // Replaced, or closed by the room: its goodbye is on the way.
  Link& link = *found;

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
  if (!key_exchange &&
      !within_rate(id, link, media ? Traffic::media : Traffic::command, parsed ? message.request_id() : 0, now, out))
    return;

  if (!binary) return reply(id, 0, v1::ERROR_CODE_MALFORMED, "send binary protobuf frames, not text", out);
  if (!parsed) return reply(id, 0, v1::ERROR_CODE_MALFORMED, "frame is not a ClientMessage", out);
  switch (message.body_case()) {
    case v1::ClientMessage::kMedia: return relay_media(id, link, message.media(), now, out);
    case v1::ClientMessage::kRequestKeyFrame: return request_key_frame(id, link, message.request_key_frame(), now, out);
    case v1::ClientMessage::kHeartbeat:
      // Not held: it only says the server is there.
      return out.push_back(effect::Send{id, heartbeat_answer(), net::Priority::state, std::nullopt});
    case v1::ClientMessage::kCommand:
    case v1::ClientMessage::kChat:
    case v1::ClientMessage::kSenderKeys:
    case v1::ClientMessage::kVideoReception: break;
    default:
      return reply(id, message.request_id(), v1::ERROR_CODE_MALFORMED, "message has no known body", out);
  }
  // Everything but media is answered, so it carries a rising request id.
  const auto refuse = [&](std::uint64_t request_id, v1::ErrorCode code, const std::string& why) {
    if (key_exchange) return refuse_key_exchange(id, link, request_id, core::Outcome::error(code, why), now, out);
    reply(id, request_id, code, why, out);
  };
  if (message.request_id() == 0)
    return refuse(0, v1::ERROR_CODE_INVALID_ARGUMENT, "a command needs a non-zero request_id");
  if (message.request_id() <= link.last_request_id)
    return refuse(message.request_id(), v1::ERROR_CODE_DUPLICATE_REQUEST,
                  "request_id " + std::to_string(message.request_id()) + " is not above the last one (" +
                      std::to_string(link.last_request_id) + "); a replay is not applied again");
  link.last_request_id = message.request_id();
  if (message.has_chat()) return relay_chat(id, link, message.request_id(), message.chat(), out);
  if (message.has_sender_keys()) return relay_sender_keys(id, link, message.request_id(), message.sender_keys(), now, out);
  if (message.has_video_reception())
    return set_video_reception(id, link, message.request_id(), message.video_reception(), out);
  handle_command(id, link, message.request_id(), message.command(), now, out);
}

bool RoomProtocol::within_rate(LinkId id, Link& link, Traffic traffic, std::uint64_t request_id, Now now,
                               Effects& out) {
  auto& budget = traffic == Traffic::media ? link.media : link.commands;
  if (budget.bucket.take(now.steady)) {
    budget.refused_in_a_row = 0;
    return true;
  }
  const auto& rate = traffic == Traffic::media ? limits_.media : limits_.commands;
  const char* what = traffic == Traffic::media ? "media frames" : "commands";
  // A burst's worth of refusals in a row: the client is not listening.
  if (++budget.refused_in_a_row > rate.burst) {
    log(LogLevel::warn, "rate limit: closing session=", session_.id(), " participant=", link.participant_id,
        " traffic=", what);
    out.push_back(effect::Close{
        id, nullptr, {net::ws::close_code::policy_error, std::string("too many ") + what + ": rate limit exceeded"}});
    return false;
  }
  // Every refused command is answered; a run of dropped media once.
  if (traffic == Traffic::command || budget.refused_in_a_row == 1) {
    std::ostringstream message;
    message << "too many " << what << " (at most " << rate.per_second << " a second, bursts of " << rate.burst
            << "); this one was " << (traffic == Traffic::media ? "dropped" : "not applied")
            << "; keep it up and the connection closes";
    reply(id, traffic == Traffic::command ? request_id : 0, v1::ERROR_CODE_RATE_LIMITED, message.str(), out);
  }
  return false;
}

void RoomProtocol::handle_command(LinkId id, Link& link, std::uint64_t request_id, const v1::Command& command, Now now,
                                  Effects& out) {
  if (store_failing_ || held_.size() >= kMaxHeld) return refuse_unsaved(id, request_id, out);
  const auto outcome = session_.apply(link.participant_id, command, now.wall);
  if (!outcome.ok() && command.has_announce_keys()) return refuse_key_exchange(id, link, request_id, outcome, now, out);
  if (!outcome.ok()) return reply(id, request_id, outcome.code, outcome.message, out);
  if (command.has_remove_member() && command.remove_member().revoke_token())
    revoke_tokens_of(command.remove_member().participant_id());
  // The answer goes out before the change is enacted, so that a member who
  // has just left still hears it before their goodbye.
  broadcast(outcome, now, out);
  reply(id, request_id, outcome.code, outcome.message, out);
  enact(outcome, out);
}

void RoomProtocol::revoke_tokens_of(const std::string& participant_id) {
  const auto used = admissions_.tokens_used.find(participant_id);
  if (used == admissions_.tokens_used.end()) return;
  admissions_.revoked_tokens.insert(used->second.begin(), used->second.end());
  log(LogLevel::info, "tokens revoked session=", session_.id(), " participant=", participant_id,
      " count=", used->second.size());
  admissions_.tokens_used.erase(used);
}

// Forwarded or dropped by the session's rule for the track: audio while the
// sender may speak, video while they may send it; a track of no kind is dropped.
bool RoomProtocol::may_forward(const std::string& sender_id, std::uint32_t track) const {
  switch (track) {
    case v1::MEDIA_TRACK_MICROPHONE: return session_.may_speak(sender_id);
    case v1::MEDIA_TRACK_CAMERA: return session_.may_send_video(sender_id);
    default: return false;
  }
}

void RoomProtocol::relay_media(LinkId id, Link& link, const v1::MediaUpload& media, Now now, Effects& out) {
  const bool camera = media.track() == v1::MEDIA_TRACK_CAMERA;
  // A camera frame whose clear header no receiver would accept is dropped here.
  const auto flags = camera ? read_camera_flags(media.payload()) : std::nullopt;
  if (!may_forward(link.participant_id, media.track()) || (camera && !flags)) {
    if (camera) link.camera_held = true;
    ++dropped_frames_;
    return;
  }
  v1::ServerMessage message;
  auto& frame = *message.mutable_media();
  frame.set_sender_id(link.participant_id);
  frame.set_track(media.track());
  frame.set_payload(media.payload());
  const auto bytes = serialize(message);
  if (camera) return relay_camera(id, link, bytes, *flags, now, out);
  for (auto& [receiver_id, receiver] : links_)
    if (receiver.current && receiver_id != id) out.push_back(effect::Send{receiver_id, bytes, net::Priority::audio, std::nullopt});
}

// Chat is relayed and forgotten: the server keeps no copy, writes nothing of
// it anywhere, and a member who joins later receives none of it.
void RoomProtocol::relay_chat(LinkId id, Link& link, std::uint64_t request_id, const v1::ChatUpload& chat,
                              Effects& out) {
  const auto verdict = session_.check_chat(link.participant_id, chat);
  if (!verdict.ok()) return reply(id, request_id, verdict.code, verdict.message, out);
  v1::ServerMessage message;
  auto& relayed = *message.mutable_chat();
  relayed.set_sender_id(link.participant_id);
  relayed.set_epoch(chat.epoch());
  relayed.set_counter(chat.counter());
  relayed.set_recipient_id(chat.recipient_id());
  relayed.set_ciphertext(chat.ciphertext());
  relayed.set_signature(chat.signature());
  const auto bytes = serialize(message);
  for (auto& [receiver_id, receiver] : links_) {
    if (!receiver.current || receiver_id == id) continue;
    if (chat.recipient_id().empty() || receiver.participant_id == chat.recipient_id()) deliver(receiver_id, bytes, out);
  }
  reply(id, request_id, v1::ERROR_CODE_OK, {}, out);
}

void RoomProtocol::relay_sender_keys(LinkId id, Link& link, std::uint64_t request_id,
                                     const v1::SenderKeysUpload& upload, Now now, Effects& out) {
  auto verdict = session_.check_sender_keys(link.participant_id, upload);
  if (verdict.ok() && upload.epoch() == link.keys_handed_out)
    verdict = core::Outcome::error(v1::ERROR_CODE_INVALID_ARGUMENT, "sender keys for key epoch " +
                                                                         std::to_string(upload.epoch()) +
                                                                         " were handed out already");
  if (!verdict.ok()) return refuse_key_exchange(id, link, request_id, verdict, now, out);
  link.keys_handed_out = upload.epoch();
  for (const auto& key : upload.keys()) {
    const auto receiver = current_.find(key.recipient_id());
    if (receiver == current_.end()) continue;  // The engine knows them connected; a link is always there.
    v1::ServerMessage message;
    auto& sealed = *message.mutable_sender_key();
    sealed.set_sender_id(link.participant_id);
    sealed.set_epoch(upload.epoch());
    sealed.set_sealed(key.sealed());
    deliver(receiver->second, serialize(message), out);
  }
  reply(id, request_id, v1::ERROR_CODE_OK, {}, out);
}

void RoomProtocol::refuse_key_exchange(LinkId id, Link& link, std::uint64_t request_id, const core::Outcome& verdict,
                                       Now now, Effects& out) {
  if (!within_rate(id, link, Traffic::command, request_id, now, out)) return;  // Answered or closed there.
  reply(id, request_id, verdict.code, verdict.message, out);
}

void RoomProtocol::reply(LinkId link, std::uint64_t request_id, v1::ErrorCode code, const std::string& message,
                         Effects& out) {
  v1::ServerMessage reply;
  auto& result = *reply.mutable_result();
  result.set_request_id(request_id);
  result.set_code(code);
  result.set_message(message);
  result.set_state_version(session_.version());
  deliver(link, serialize(reply), out);
}

void RoomProtocol::refuse_unsaved(LinkId link, std::uint64_t request_id, Effects& out) {
  v1::ServerMessage reply;
  auto& result = *reply.mutable_result();
  result.set_request_id(request_id);
  result.set_code(v1::ERROR_CODE_UNAVAILABLE);
  result.set_message("the server cannot save changes right now; nothing changed: try again in a moment");
  result.set_state_version(durable_version_);
  out.push_back(effect::Send{link, serialize(reply), net::Priority::state, std::nullopt});
}

// --- changes ---------------------------------------------------------------

void RoomProtocol::publish(const core::Outcome& outcome, Now now, Effects& out) {
  broadcast(outcome, now, out);
  enact(outcome, out);
}

void RoomProtocol::broadcast(const core::Outcome& outcome, Now now, Effects& out) {
  for (const auto& event : outcome.events)
    if (event.has_member_left()) admissions_.resume_hashes.erase(event.member_left().participant_id());
  persist();
  v1::ServerMessage state;
  *state.mutable_state() = session_.snapshot(now.wall);
  summarize(state.state());
  const auto state_bytes = serialize(state);
  std::vector<SharedFrame> events;
  for (const auto& event : outcome.events) {
    v1::ServerMessage message;
    *message.mutable_event() = event;
    events.push_back(serialize(message));
  }
  for (auto& [id, link] : links_) {
    if (!link.current) continue;
    deliver(id, state_bytes, out);
    for (const auto& event : events) deliver(id, event, out);
  }
}

void RoomProtocol::enact(const core::Outcome& outcome, Effects& out) {
  for (const auto& event : outcome.events) {
    if (event.has_member_left()) close_link_of(event.member_left(), out);
    if (event.has_session_ended()) {
      log(LogLevel::info, "session ended id=", session_.id());
      for (auto& [id, link] : links_) {
        if (!link.current) continue;
        say_goodbye(id, v1::GOODBYE_REASON_SESSION_ENDED, out);
        link.current = false;
      }
      current_.clear();
    }
  }
}

void RoomProtocol::close_link_of(const v1::MemberLeft& left, Effects& out) {
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
  const auto it = current_.find(left.participant_id());
  if (it == current_.end()) return;
  say_goodbye(it->second, left.reason() == v1::LEAVE_REASON_REMOVED ? v1::GOODBYE_REASON_REMOVED : v1::GOODBYE_REASON_LEFT,
              out);
  links_.at(it->second).current = false;
  current_.erase(it);
}

void RoomProtocol::say_goodbye(LinkId link, v1::GoodbyeReason reason, Effects& out) {
  const std::string words = goodbye_words(reason);
  v1::ServerMessage message;
  auto& goodbye = *message.mutable_goodbye();
  goodbye.set_reason(reason);
  goodbye.set_message(words);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  goodbye.set_restarting(reason == v1::GOODBYE_REASON_RESTARTING);
#pragma GCC diagnostic pop
  deliver_close(link, serialize(message), {net::ws::close_code::normal, words}, out);
}

void RoomProtocol::end_session(Now now, Effects& out) {
  const auto outcome = session_.end(now.wall);
  if (outcome.ok()) publish(outcome, now, out);
}

void RoomProtocol::shut_down(Now, Effects& out) {
  shutting_down_ = true;
  flush(out);  // Now: the executor may stop before the end of this turn.
  for (auto& [id, link] : links_) {
    if (!link.current) continue;
    say_goodbye(id, v1::GOODBYE_REASON_RESTARTING, out);
    link.current = false;
  }
  current_.clear();
}

void RoomProtocol::tick(Now now, Effects& out) {
  if (store_retry_at_ && now.steady >= *store_retry_at_) {
    store_retry_at_.reset();
    persist();
    flush(out);
  }
  ask_due_key_frames(now, out);
  const auto deadline = session_.next_deadline();
  if (!deadline || session_.ended() || *deadline > now.wall) return;
  const auto outcome = session_.tick(now.wall);
  if (!outcome.events.empty()) publish(outcome, now, out);
}

std::optional<std::chrono::steady_clock::time_point> RoomProtocol::wake_at(Now now) const {
  std::optional<std::chrono::steady_clock::time_point> wake = store_retry_at_;
  const auto earliest = [&](std::chrono::steady_clock::time_point at) {
    if (!wake || at < *wake) wake = at;
  };
  if (const auto deadline = session_.next_deadline(); deadline && !session_.ended())
    earliest(now.steady + std::chrono::milliseconds(std::max<core::TimeMs>(0, *deadline - now.wall)));
  for (const auto& [id, link] : links_)
    if (const auto due = link.key_frames.due(); due && link.current) earliest(*due);
  return wake;
}

// --- the store ---------------------------------------------------------------

void RoomProtocol::flush(Effects& out) {
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
  out.push_back(effect::Persist{
      write, SessionWrite{session_.id(), session_.version(), session_.ended(), record.SerializeAsString()}});
}

void RoomProtocol::written(std::uint64_t write, std::uint64_t version, bool durable, Now now, Effects& out) {
  if (!durable) {
    // What is held stays held; the whole record goes again in a moment.
    store_failing_ = true;
    store_retry_at_ = now.steady + kStoreRetry;
    return;
  }
  store_failing_ = false;
  writes_durable_ = std::max(writes_durable_, write);
  durable_version_ = std::max(durable_version_, version);
  release_held(out);
}

void RoomProtocol::deliver(LinkId link, SharedFrame frame, Effects& out) {
  const auto write = write_needed();
  // Later messages never wait for less than earlier ones: when this one need
  // not wait, nothing is held before it.
  if (write <= writes_durable_)
    return out.push_back(effect::Send{link, std::move(frame), net::Priority::state, std::nullopt});
  held_.push_back({link, std::move(frame), std::nullopt, write});
}

void RoomProtocol::deliver_close(LinkId link, SharedFrame goodbye, net::ws::CloseReason reason, Effects& out) {
  const auto write = write_needed();
  if (write <= writes_durable_) return out.push_back(effect::Close{link, std::move(goodbye), std::move(reason)});
  held_.push_back({link, std::move(goodbye), std::move(reason), write});
}

void RoomProtocol::release_held(Effects& out) {
  while (!held_.empty() && held_.front().write <= writes_durable_) {
    Held next = std::move(held_.front());
    held_.pop_front();
    if (next.close) out.push_back(effect::Close{next.link, std::move(next.frame), std::move(*next.close)});
    else out.push_back(effect::Send{next.link, std::move(next.frame), net::Priority::state, std::nullopt});
  }
}

}  // namespace balint::app
