// Writes the seed corpus of the fuzz targets: small valid inputs that reach
// every command and every token check, from which the fuzzers mutate.
//
//   fuzz_make_corpus tests/fuzz/corpus
//
// replaces OUT/fuzz_client_message and OUT/fuzz_token with fresh seeds. The
// output is the same on every run, so the committed corpus changes only when
// this file does. Each seed is played before it is written: every command
// in a script must be accepted, and a token must verify exactly when its
// name starts with "valid", so that the seeds keep reaching what they are
// named for as the engine changes.
#include "auth/token.hpp"
#include "balint/sdk/commands.hpp"
#include "command_script.hpp"
#include "fuzz_room.hpp"
#include "token_keys.hpp"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace {

namespace auth = balint::auth;
namespace fuzz = balint::fuzz;
namespace v1 = balint::v1;

using Seeds = std::vector<std::pair<std::string, std::string>>;  // Name and bytes.

// --- ClientMessage scripts ---------------------------------------------------

// Builds one script step by step, numbering the requests.
class ScriptBuilder {
 public:
  explicit ScriptBuilder(bool balint_format = false) { script_.balint_format = balint_format; }

  ScriptBuilder& send(const std::string& actor, const v1::Command& command, std::uint8_t wait_tens = 0) {
    v1::ClientMessage message;
    message.set_request_id(++request_id_);
    *message.mutable_command() = command;
    return raw(actor, message.SerializeAsString(), wait_tens);
  }

  ScriptBuilder& media(const std::string& actor, const std::string& payload,
                       std::uint32_t track = v1::MEDIA_TRACK_MICROPHONE) {
    v1::ClientMessage message;
    message.mutable_media()->set_track(track);
    message.mutable_media()->set_payload(payload);
    return raw(actor, message.SerializeAsString());
  }

  // Well-sized keys (the engine checks lengths, not the cryptography).
  ScriptBuilder& announce(const std::string& actor) {
    v1::Command command;
    auto* keys = command.mutable_announce_keys()->mutable_keys();
    keys->set_identity_key(std::string(31, 'i') + actor.back());
    keys->set_exchange_key(std::string(31, 'x') + actor.back());
    keys->set_signature(std::string(64, 's'));
    return send(actor, command);
  }

  ScriptBuilder& chat(const std::string& actor, std::uint64_t epoch, const std::string& recipient = {}) {
    v1::ClientMessage message;
    message.set_request_id(++request_id_);
    auto* chat = message.mutable_chat();
    chat->set_epoch(epoch);
    chat->set_recipient_id(recipient);
    chat->set_ciphertext(std::string(272, 'c'));
    chat->set_signature(std::string(64, 's'));
    return raw(actor, message.SerializeAsString());
  }

  ScriptBuilder& sender_keys(const std::string& actor, std::uint64_t epoch, const std::string& recipient) {
    v1::ClientMessage message;
    message.set_request_id(++request_id_);
    message.mutable_sender_keys()->set_epoch(epoch);
    auto* key = message.mutable_sender_keys()->add_keys();
    key->set_recipient_id(recipient);
    key->set_sealed(std::string(72, 'k'));
    return raw(actor, message.SerializeAsString());
  }

  // Disconnects or rejoins `actor`, then sends nothing.
  ScriptBuilder& flip(const std::string& actor) {
    raw(actor, {});
    script_.steps.back().flip_connection = true;
    return *this;
  }

  ScriptBuilder& raw(const std::string& actor, std::string bytes, std::uint8_t wait_tens = 0) {
    fuzz::Step step;
    step.actor = fuzz::cast_index(actor);
    step.wait_tens = wait_tens;
    step.message = std::move(bytes);
    script_.steps.push_back(std::move(step));
    return *this;
  }

  std::string bytes() const { return fuzz::write_script(script_); }

 private:
  fuzz::Script script_;
  std::uint64_t request_id_ = 0;
};

namespace cmd = balint::sdk::cmd;

// One seed per command kind, from someone allowed to send it, plus a few
// that walk a whole session, take over control, let time pass, or are not
// commands at all. CCDG's go-around is phase 2; Balint's observation is
// phase 2 as well.
Seeds client_message_seeds() {
  using S = ScriptBuilder;
  Seeds seeds = {
      {"next_phase", S().send("fac", cmd::next_phase()).bytes()},
      {"previous_phase", S().send("fac", cmd::next_phase()).send("fac", cmd::previous_phase()).bytes()},
      {"jump_to_phase", S().send("fac", cmd::jump_to_phase(2)).bytes()},
      {"extend_phase", S().send("fac", cmd::extend_phase(120)).bytes()},
      {"end_session", S().send("fac", cmd::end_session()).bytes()},
      {"set_presenter", S().send("fac", cmd::set_presenter("p1")).bytes()},
      {"build_go_around", S().send("fac", cmd::jump_to_phase(2)).send("fac", cmd::build_go_around()).bytes()},
      {"set_go_around_order", S().send("fac", cmd::set_go_around_order({"p2", "room.1", "p1"})).send("fac", cmd::jump_to_phase(2)).bytes()},
      {"start_go_around", S().send("fac", cmd::jump_to_phase(2)).send("fac", cmd::start_go_around()).bytes()},
      {"pass_turn", S().send("fac", cmd::jump_to_phase(2)).send("fac", cmd::start_go_around()).send("p1", cmd::pass_turn()).bytes()},
      {"finish_turn", S().send("fac", cmd::jump_to_phase(2))
                          .send("fac", cmd::start_go_around())
                          .send("p1", cmd::finish_turn())
                          .send("p2", cmd::finish_turn())
                          .send("p3", cmd::finish_turn())
                          .send("room", cmd::finish_turn())
                          .bytes()},
      {"skip_turn", S().send("fac", cmd::jump_to_phase(2)).send("fac", cmd::start_go_around()).send("fac", cmd::skip_turn()).bytes()},
      {"raise_hand", S().send("p1", cmd::raise_hand()).send("room", cmd::raise_hand("room.2")).bytes()},
      {"lower_hand", S().send("p1", cmd::raise_hand())
                         .send("p2", cmd::raise_hand())
                         .send("p1", cmd::lower_hand())
                         .send("fac", cmd::lower_hand("p2"))
                         .bytes()},
      {"give_floor", S().send("p3", cmd::raise_hand()).send("fac", cmd::give_floor("p3")).send("fac", cmd::give_floor("")).bytes()},
      {"set_camera", S().send("p1", cmd::set_camera(true)).send("p1", cmd::set_camera(false)).bytes()},
      {"stop_video", S().send("p2", cmd::set_camera(true)).send("fac", cmd::stop_video("p2")).bytes()},
      {"allow_video", S().send("fac", cmd::stop_video("p2")).send("fac", cmd::allow_video("p2")).bytes()},
      {"set_presenter_camera", S(true)
                                   .send("fac", cmd::set_presenter_camera(v1::PRESENTER_CAMERA_OFF))
                                   .send("fac", cmd::jump_to_phase(2))
                                   .media("pres", "video", v1::MEDIA_TRACK_CAMERA)
                                   .bytes()},
      {"mute", S().send("fac", cmd::mute("p2")).bytes()},
      {"unmute", S().send("fac", cmd::mute("p2")).send("fac", cmd::unmute("p2")).bytes()},
      {"remove_member", S().send("fac", cmd::remove_member("p3")).send("fac", cmd::remove_member("room")).bytes()},
      {"add_room_attendee",
       S().send("room", cmd::add_room_attendee("Fred")).send("fac", cmd::add_room_attendee("Gil", "room")).bytes()},
      {"remove_room_attendee", S().send("room", cmd::remove_room_attendee("room.1")).bytes()},
      {"leave", S().send("p2", cmd::leave()).bytes()},
      {"media_turn_holder",
       S().send("fac", cmd::jump_to_phase(2)).send("fac", cmd::start_go_around()).media("p1", "audio").media("p2", "audio").bytes()},
      {"media_observation", S(true).send("fac", cmd::jump_to_phase(2)).media("pres", "audio").media("p1", "audio").bytes()},
      {"balint_whole_session", S(true)
                                   .send("fac", cmd::next_phase(), 30)
                                   .send("fac", cmd::next_phase(), 30)
                                   .send("fac", cmd::next_phase(), 240)
                                   .send("fac", cmd::next_phase(), 60)
                                   .send("fac", cmd::end_session())
                                   .bytes()},
      {"co_facilitator_takes_over",
       S().flip("fac").send("cof", cmd::next_phase()).flip("fac").send("fac", cmd::next_phase()).bytes()},
      {"room_reconnects", S().flip("room")
                              .send("fac", cmd::set_go_around_order({"room.1", "p1"}))
                              .send("fac", cmd::jump_to_phase(2))
                              .send("fac", cmd::start_go_around())
                              .flip("room")
                              .send("room", cmd::finish_turn())
                              .bytes()},
      {"ghost_joins", S().flip("ghost").send("ghost", cmd::raise_hand()).bytes()},
      {"announce_keys", S().announce("fac").announce("p1").flip("p1").flip("p1").announce("p1").bytes()},
      {"encrypted_chat", S(true)
                             .announce("fac")
                             .announce("pres")
                             .announce("p1")
                             .sender_keys("p1", 3, "fac")
                             .chat("p1", 3)
                             .chat("fac", 3, "p1")
                             .send("fac", cmd::jump_to_phase(2))
                             .chat("pres", 3)
                             .bytes()},
      {"warnings_fall_due", S().raw("fac", {}, 255).raw("fac", {}, 255).send("fac", cmd::extend_phase(600)).bytes()},
      {"zero_request_id", S().raw("fac",
                                  [] {
                                    v1::ClientMessage m;
                                    *m.mutable_command() = cmd::next_phase();
                                    return m.SerializeAsString();
                                  }())
                              .bytes()},
      {"not_a_message", S().raw("p1", "\xff\xff\xff\xff not protobuf").bytes()},
  };
  return seeds;
}

// --- Tokens ------------------------------------------------------------------

auth::JoinClaims claims() {
  return {"p1", "Dr Pat", "s1", "participant", fuzz::kNowSeconds - 60, 0, fuzz::kNowSeconds + 3600, "t1"};
}

std::string b64(std::string_view text) { return auth::base64url_encode(text); }

// Valid tokens under each key, and one refused for each reason.
Seeds token_seeds() {
  const auto keys = fuzz::server_keys();
  const auth::SigningKey no_id{"", keys[0].secret};
  auto expired = claims();
  expired.expires_at = fuzz::kNowSeconds - 3600;
  auto early = claims();
  early.not_before = fuzz::kNowSeconds + 3600;
  auto facilitator = claims();
  facilitator.role = "facilitator";
  facilitator.token_id.clear();
  const std::string payload = R"({"sub":"p1","name":"Dr Pat","sid":"s1","role":"participant","exp":1700003600})";
  const std::string header = R"({"alg":"HS256","typ":"JWT","kid":"k1"})";
  const std::string good = fuzz::sign(claims(), keys[0]);

  return {
      {"valid_k1", good},
      {"valid_k2", fuzz::sign(facilitator, keys[1])},
      {"valid_without_kid", fuzz::sign(claims(), no_id)},
      {"expired", fuzz::sign(expired, keys[0])},
      {"not_yet_valid", fuzz::sign(early, keys[0])},
      {"foreign_key", fuzz::sign(claims(), fuzz::foreign_key())},
      {"unknown_kid", fuzz::sign(claims(), {"k9", keys[0].secret})},
      {"alg_none", b64(R"({"alg":"none","typ":"JWT"})") + "." + b64(payload) + "."},
      {"kid_not_a_string", fuzz::sign_raw(b64(R"({"alg":"HS256","kid":7})") + "." + b64(payload), keys[0])},
      {"missing_sub",
       fuzz::sign_raw(b64(header) + "." + b64(R"({"name":"x","sid":"s1","role":"room","exp":1700003600})"), keys[0])},
      {"missing_exp",
       fuzz::sign_raw(b64(header) + "." + b64(R"({"sub":"p1","name":"x","sid":"s1","role":"room"})"), keys[0])},
      {"payload_not_object", fuzz::sign_raw(b64(header) + "." + b64("[1,2,3]"), keys[0])},
      {"two_parts", good.substr(0, good.rfind('.'))},
      {"four_parts", good + ".extra"},
      {"not_base64url", "eyJ!bGci.e30.abc*"},
  };
}

// --- Checking ----------------------------------------------------------------

void check_scripts(const Seeds& seeds) {
  for (const auto& [name, bytes] : seeds) {
    const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
    const fuzz::Script script = fuzz::read_script(data, bytes.size());
    fuzz::FuzzRoom room(script.balint_format);
    for (std::size_t i = 0; i < script.steps.size(); ++i) {
      const auto answer = room.play(script.steps[i]);
      if (answer && answer->code() != v1::ERROR_CODE_OK) {
        throw std::runtime_error("seed " + name + ": step " + std::to_string(i + 1) +
                                 " was refused: " + answer->message());
      }
    }
  }
}

void check_tokens(const Seeds& seeds) {
  for (const auto& [name, token] : seeds) {
    const bool valid = fuzz::verify(token).claims.has_value();
    if (valid != (name.rfind("valid", 0) == 0)) {
      throw std::runtime_error("seed " + name + (valid ? " verifies" : " does not verify"));
    }
  }
}

// --- Writing -----------------------------------------------------------------

void write_folder(const std::filesystem::path& folder, const Seeds& seeds) {
  std::filesystem::remove_all(folder);
  std::filesystem::create_directories(folder);
  for (const auto& [name, bytes] : seeds) {
    std::ofstream out(folder / name, std::ios::binary);
    out << bytes;
    if (!out) throw std::runtime_error("cannot write " + (folder / name).string());
  }
  std::cout << folder.string() << ": " << seeds.size() << " seeds\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fuzz_make_corpus OUT_DIR   (e.g. tests/fuzz/corpus)\n";
    return 2;
  }
  try {
    const std::filesystem::path out = argv[1];
    const Seeds scripts = client_message_seeds();
    const Seeds tokens = token_seeds();
    check_scripts(scripts);
    check_tokens(tokens);
    write_folder(out / "fuzz_client_message", scripts);
    write_folder(out / "fuzz_token", tokens);
  } catch (const std::exception& e) {
    std::cerr << "fuzz_make_corpus: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
