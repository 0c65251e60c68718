#include "keyed_raw_member.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

namespace balint::test {
namespace {

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

KeyedRawMember::KeyedRawMember(std::uint16_t port, const std::string& token) : raw_(port) {
  REQUIRE(raw_.join(token));
  keyring_.emplace(raw_.welcome().session_id(), id(), e2ee::Identity::generate(random_), random_);
  std::string name;
  for (const auto& m : raw_.state().roster())
    if (m.participant_id() == id()) name = m.display_name();
  const auto mine = keyring_->announce(name);
  v1::Command announce;
  auto& keys = *announce.mutable_announce_keys()->mutable_keys();
  keys.set_identity_key(mine.identity_key);
  keys.set_exchange_key(mine.exchange_key);
  keys.set_signature(mine.signature);
  const auto result = command(announce);
  REQUIRE(result.has_value());
  REQUIRE(result->code() == v1::ERROR_CODE_OK);
}

bool KeyedRawMember::pump_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    auto message = raw_.read(left);
    if (!message) return done();
    handle(*message);
  }
  return true;
}

bool KeyedRawMember::pump_until_ready(std::chrono::milliseconds timeout) {
  return pump_until(
      [&] {
        const bool all_keys = std::all_of(peers_.begin(), peers_.end(), [&](const std::string& peer) {
          return std::find(keys_from_.begin(), keys_from_.end(), peer) != keys_from_.end();
        });
        return keyring_->epoch() > 0 && accepted_upload_ == keyring_->epoch() && all_keys;
      },
      timeout);
}

void KeyedRawMember::handle(const v1::ServerMessage& message) {
  switch (message.body_case()) {
    case v1::ServerMessage::kState: {
      const auto& state = message.state();
      std::vector<e2ee::RosterKeys> members;
      for (const auto& m : state.roster())
        if (m.has_keys() && m.connection() == v1::CONNECTION_STATUS_CONNECTED)
          members.push_back({m.participant_id(), m.display_name(),
                             {m.keys().identity_key(), m.keys().exchange_key(), m.keys().signature()}});
      const auto before = keyring_->epoch();
      const auto change = keyring_->set_membership(state.key_epoch(), members, steady_ms());
      if (keyring_->epoch() != before) {
        peers_.clear();
        keys_from_.clear();
        for (const auto& m : members)
          if (m.participant_id != id()) peers_.push_back(m.participant_id);
      }
      if (change.bundle && change.bundle->keys.empty()) accepted_upload_ = change.bundle->epoch;
      if (change.bundle && !change.bundle->keys.empty()) {
        v1::ClientMessage upload;
        upload.set_request_id(next_request_id());
        upload.mutable_sender_keys()->set_epoch(change.bundle->epoch);
        for (const auto& key : change.bundle->keys) {
          auto* sealed = upload.mutable_sender_keys()->add_keys();
          sealed->set_recipient_id(key.recipient_id);
          sealed->set_sealed(key.sealed);
        }
        pending_upload_ = upload.request_id();
        pending_epoch_ = change.bundle->epoch;
        REQUIRE(raw_.send(upload));
      }
      break;
    }
    case v1::ServerMessage::kSenderKey: {
      const auto& key = message.sender_key();
      if (keyring_->accept_sender_key(key.sender_id(), key.epoch(), key.sealed()) == e2ee::Error::ok &&
          key.epoch() == keyring_->epoch())
        keys_from_.push_back(key.sender_id());
      break;
    }
    case v1::ServerMessage::kChat: chats_.push_back(message.chat()); break;
    case v1::ServerMessage::kResult:
      if (message.result().request_id() == pending_upload_ && message.result().code() == v1::ERROR_CODE_OK)
        accepted_upload_ = pending_epoch_;
      results_.push_back(message.result());
      break;
    default: break;
  }
}

std::optional<v1::CommandResult> KeyedRawMember::round_trip(v1::ClientMessage message) {
  message.set_request_id(next_request_id());
  if (!raw_.send(message)) return std::nullopt;
  const auto answer = [&] {
    return std::find_if(results_.begin(), results_.end(),
                        [&](const auto& r) { return r.request_id() == message.request_id(); });
  };
  if (!pump_until([&] { return answer() != results_.end(); })) return std::nullopt;
  return *answer();
}

std::optional<v1::CommandResult> KeyedRawMember::command(const v1::Command& command) {
  v1::ClientMessage message;
  *message.mutable_command() = command;
  return round_trip(std::move(message));
}

std::optional<v1::CommandResult> KeyedRawMember::upload(const v1::ChatUpload& chat) {
  v1::ClientMessage message;
  *message.mutable_chat() = chat;
  return round_trip(std::move(message));
}

v1::ChatUpload KeyedRawMember::seal(const std::string& text, const std::string& recipient_id) {
  auto sealed = keyring_->seal_chat(text, recipient_id);
  INFO("sealing: " << e2ee::describe(sealed.error));
  REQUIRE(sealed.ok());
  v1::ChatUpload chat;
  chat.set_epoch(sealed.value->epoch);
  chat.set_counter(sealed.value->counter);
  chat.set_recipient_id(sealed.value->recipient_id);
  chat.set_ciphertext(sealed.value->ciphertext);
  chat.set_signature(sealed.value->signature);
  return chat;
}

e2ee::Result<std::string> KeyedRawMember::open(const v1::ChatMessage& message) {
  return keyring_->open_chat(message.sender_id(), {message.epoch(), message.counter(), message.recipient_id(),
                                                   message.ciphertext(), message.signature()});
}

}  // namespace balint::test
