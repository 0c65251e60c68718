// A member driven by hand: a raw WebSocket client holding a keyring of its
// own, so that a test can keep the keys of a member who has gone and try
// them on what was said afterwards, and can upload sealed messages exactly
// as it likes (again, altered, as someone else's).
#pragma once

#include "raw_client.hpp"

#include "balint/e2ee/keyring.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace balint::test {

class KeyedRawMember {
 public:
  // Joins with `token`, announces its keys and REQUIREs the server to take them.
  KeyedRawMember(std::uint16_t port, const std::string& token);

  // Reads and handles what the server sends (states, sender keys, chat)
  // until `done` holds; false on timeout or when the connection ends.
  bool pump_until(const std::function<bool()>& done, std::chrono::milliseconds timeout = kWait);
  // Until the keys of the newest epoch are complete: my upload taken, and a
  // sender key from every other member with keys.
  bool pump_until_ready(std::chrono::milliseconds timeout = kWait);

  // Uploads a chat message and returns the server's answer.
  std::optional<v1::CommandResult> upload(const v1::ChatUpload& chat);
  // Seals `text` to the whole session (or one member) with this member's keys.
  v1::ChatUpload seal(const std::string& text, const std::string& recipient_id = {});
  std::optional<v1::CommandResult> command(const v1::Command& command);

  // Opens a relayed message with this member's keys, as they are now.
  e2ee::Result<std::string> open(const v1::ChatMessage& message);

  const std::vector<v1::ChatMessage>& chats() const { return chats_; }
  e2ee::Keyring& keyring() { return *keyring_; }
  RawClient& raw() { return raw_; }
  const std::string& id() const { return raw_.welcome().participant_id(); }

 private:
  void handle(const v1::ServerMessage& message);
  // Sends `message` under the next request id and reads until its answer.
  std::optional<v1::CommandResult> round_trip(v1::ClientMessage message);
  std::uint64_t next_request_id() { return ++request_id_; }

  RawClient raw_;
  e2ee::SystemRandom random_;
  std::optional<e2ee::Keyring> keyring_;  // Made once Welcome names the session and me.
  std::uint64_t request_id_ = 0;
  std::vector<v1::ChatMessage> chats_;
  std::vector<v1::CommandResult> results_;
  std::vector<std::string> peers_;      // Other members with keys, this epoch.
  std::vector<std::string> keys_from_;  // Whose sender key arrived, this epoch.
  std::uint64_t accepted_upload_ = 0;   // The epoch whose upload the server took.
  std::uint64_t pending_upload_ = 0;    // Its request id, while unanswered.
  std::uint64_t pending_epoch_ = 0;
};

}  // namespace balint::test
