// Thin builders for `v1::Command`, so call sites read like the protocol:
//   client.send(cmd::jump_to_phase(2));
// Each returns the command with exactly one field of the oneof set.
#pragma once

#include "balint/v1/balint.pb.h"

#include <cstdint>
#include <string>
#include <vector>

namespace balint::sdk::cmd {

namespace v1 = ::balint::v1;

v1::Command next_phase();
v1::Command previous_phase();
v1::Command jump_to_phase(std::int32_t phase_index);
v1::Command extend_phase(std::uint32_t seconds);
v1::Command end_session();
v1::Command set_presenter(const std::string& participant_id);
v1::Command build_go_around();
v1::Command set_go_around_order(const std::vector<std::string>& participant_ids);
v1::Command start_go_around();
v1::Command pass_turn();
v1::Command finish_turn();
v1::Command skip_turn();
// Empty id: the sender's own hand (a room device names its attendee).
v1::Command raise_hand(const std::string& participant_id = {});
v1::Command lower_hand(const std::string& participant_id = {});
// Empty id: take the floor back.
v1::Command give_floor(const std::string& participant_id = {});
v1::Command mute(const std::string& participant_id);
v1::Command unmute(const std::string& participant_id);
v1::Command set_camera(bool on);
v1::Command stop_video(const std::string& participant_id);
v1::Command allow_video(const std::string& participant_id);
v1::Command set_presenter_camera(v1::PresenterCamera policy);
v1::Command remove_member(const std::string& participant_id);
// Removes the member and revokes the join tokens they came with.
v1::Command revoke_member(const std::string& participant_id);
// From a room device leave `room_device_id` empty (the device itself).
v1::Command add_room_attendee(const std::string& display_name,
                              const std::string& room_device_id = {});
v1::Command remove_room_attendee(const std::string& participant_id);
v1::Command leave();

}  // namespace balint::sdk::cmd
