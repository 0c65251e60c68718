#include "balint/sdk/commands.hpp"

namespace balint::sdk::cmd {

v1::Command next_phase() {
  v1::Command c;
  c.mutable_next_phase();
  return c;
}

v1::Command previous_phase() {
  v1::Command c;
  c.mutable_previous_phase();
  return c;
}

v1::Command jump_to_phase(std::int32_t phase_index) {
  v1::Command c;
  c.mutable_jump_to_phase()->set_phase_index(phase_index);
  return c;
}

v1::Command extend_phase(std::uint32_t seconds) {
  v1::Command c;
  c.mutable_extend_phase()->set_seconds(seconds);
  return c;
}

v1::Command end_session() {
  v1::Command c;
  c.mutable_end_session();
  return c;
}

v1::Command set_presenter(const std::string& participant_id) {
  v1::Command c;
  c.mutable_set_presenter()->set_participant_id(participant_id);
  return c;
}

v1::Command build_go_around() {
  v1::Command c;
  c.mutable_build_go_around();
  return c;
}

v1::Command start_go_around() {
  v1::Command c;
  c.mutable_start_go_around();
  return c;
}

v1::Command set_go_around_order(const std::vector<std::string>& participant_ids) {
  v1::Command c;
  auto* order = c.mutable_set_go_around_order();
  for (const auto& id : participant_ids) order->add_participant_ids(id);
  return c;
}

v1::Command pass_turn() {
  v1::Command c;
  c.mutable_pass_turn();
  return c;
}

v1::Command finish_turn() {
  v1::Command c;
  c.mutable_finish_turn();
  return c;
}

v1::Command skip_turn() {
  v1::Command c;
  c.mutable_skip_turn();
  return c;
}

v1::Command raise_hand(const std::string& participant_id) {
  v1::Command c;
  c.mutable_raise_hand()->set_participant_id(participant_id);
  return c;
}

v1::Command lower_hand(const std::string& participant_id) {
  v1::Command c;
  c.mutable_lower_hand()->set_participant_id(participant_id);
  return c;
}

v1::Command give_floor(const std::string& participant_id) {
  v1::Command c;
  c.mutable_give_floor()->set_participant_id(participant_id);
  return c;
}

v1::Command mute(const std::string& participant_id) {
  v1::Command c;
  c.mutable_mute()->set_participant_id(participant_id);
  return c;
}

v1::Command set_camera(bool on) {
  v1::Command c;
  c.mutable_set_camera()->set_on(on);
  return c;
}

v1::Command stop_video(const std::string& participant_id) {
  v1::Command c;
  c.mutable_stop_video()->set_participant_id(participant_id);
  return c;
}

v1::Command allow_video(const std::string& participant_id) {
  v1::Command c;
  c.mutable_allow_video()->set_participant_id(participant_id);
  return c;
}

v1::Command set_presenter_camera(v1::PresenterCamera policy) {
  v1::Command c;
  c.mutable_set_presenter_camera()->set_policy(policy);
  return c;
}

v1::Command unmute(const std::string& participant_id) {
  v1::Command c;
  c.mutable_unmute()->set_participant_id(participant_id);
  return c;
}

v1::Command remove_member(const std::string& participant_id) {
  v1::Command c;
  c.mutable_remove_member()->set_participant_id(participant_id);
  return c;
}

v1::Command revoke_member(const std::string& participant_id) {
  v1::Command c = remove_member(participant_id);
  c.mutable_remove_member()->set_revoke_token(true);
  return c;
}

v1::Command add_room_attendee(const std::string& display_name, const std::string& room_device_id) {
  v1::Command c;
  auto* add = c.mutable_add_room_attendee();
  add->set_display_name(display_name);
  add->set_room_device_id(room_device_id);
  return c;
}

v1::Command remove_room_attendee(const std::string& participant_id) {
  v1::Command c;
  c.mutable_remove_room_attendee()->set_participant_id(participant_id);
  return c;
}

v1::Command leave() {
  v1::Command c;
  c.mutable_leave();
  return c;
}

}  // namespace balint::sdk::cmd
